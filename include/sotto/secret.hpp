#pragma once
// A secret a program hands libsotto or gets from it (a passphrase, a recovery phrase): held
// in memory that is wiped when it goes, and never copied implicitly. Public API.

#include <cstddef>
#include <string>

namespace sotto {

class Secret {
 public:
  Secret() = default;
  // Takes the text (`text` is left empty: nothing of it stays behind there).
  explicit Secret(std::string&& text);
  Secret(const char* data, std::size_t size);
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret();

  const std::string& str() const { return s_; }
  bool empty() const { return s_.empty(); }
  std::size_t size() const { return s_.size(); }

 private:
  std::string s_;
};

// Overwrites every byte of `s` (which the compiler may not leave out), then empties it.
void wipe(std::string& s);
// Overwrites `size` bytes at `data` (a buffer that held a secret) so that the compiler
// cannot leave it out.
void wipe(void* data, std::size_t size);

}  // namespace sotto
