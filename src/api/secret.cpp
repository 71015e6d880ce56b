// libsotto's Secret: a string kept on the heap (so that a move hands over its memory and
// leaves none of it behind in a small-string buffer) and wiped when it goes.

#include <algorithm>

#include "sotto/secret.hpp"
#include "base/secret.hpp"

namespace sotto {

namespace {
constexpr std::size_t kHeapAtLeast = 64;  // past any small-string buffer
}

Secret::Secret(std::string&& text) {
  s_.reserve(std::max(text.size(), kHeapAtLeast));
  s_.assign(text);
  wipe(text);
}

Secret::Secret(const char* data, std::size_t size) {
  s_.reserve(std::max(size, kHeapAtLeast));
  s_.assign(data, size);
}

Secret::Secret(Secret&& other) noexcept { s_.swap(other.s_); }

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe(s_);
    s_.swap(other.s_);
  }
  return *this;
}

Secret::~Secret() { wipe(s_); }

void wipe(std::string& s) { base::wipe_string(s); }
void wipe(void* data, std::size_t size) { base::secure_wipe(data, size); }

}  // namespace sotto
