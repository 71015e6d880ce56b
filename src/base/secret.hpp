#pragma once
// Secret key material lives only in these wiping types. Both are move-only: copying a
// secret has to be spelled out (clone()), so accidental copies are compile errors.
// Memory is wiped with explicit_bzero on destruction, move-from and resize.

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace sotto::base {

// Wipes memory in a way the compiler may not optimise away.
void secure_wipe(void* p, std::size_t n);

template <std::size_t N>
class Secret {
 public:
  Secret() { bytes_.fill(0); }
  explicit Secret(std::span<const std::uint8_t, N> from) { std::memcpy(bytes_.data(), from.data(), N); }
  ~Secret() { secure_wipe(bytes_.data(), N); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& o) noexcept : bytes_(o.bytes_) { secure_wipe(o.bytes_.data(), N); }
  Secret& operator=(Secret&& o) noexcept {
    if (this != &o) {
      bytes_ = o.bytes_;
      secure_wipe(o.bytes_.data(), N);
    }
    return *this;
  }
  Secret clone() const { return Secret(std::span<const std::uint8_t, N>(bytes_)); }

  static constexpr std::size_t size() { return N; }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::span<std::uint8_t, N> span() { return bytes_; }
  std::span<const std::uint8_t, N> span() const { return bytes_; }

 private:
  std::array<std::uint8_t, N> bytes_;
};

// A secret of run-time length (passphrases, derived keys, recovery phrases).
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t n) : data_(n ? new std::uint8_t[n]() : nullptr), size_(n) {}
  explicit SecretBytes(std::span<const std::uint8_t> from) : SecretBytes(from.size()) {
    if (size_) std::memcpy(data_.get(), from.data(), size_);
  }
  explicit SecretBytes(std::string_view from)
      : SecretBytes(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(from.data()), from.size())) {}
  ~SecretBytes() { wipe(); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : data_(std::move(o.data_)), size_(o.size_) { o.size_ = 0; }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      data_ = std::move(o.data_);
      size_ = o.size_;
      o.size_ = 0;
    }
    return *this;
  }
  SecretBytes clone() const { return SecretBytes(span()); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::uint8_t* data() { return data_.get(); }
  const std::uint8_t* data() const { return data_.get(); }
  std::span<std::uint8_t> span() { return {data_.get(), size_}; }
  std::span<const std::uint8_t> span() const { return {data_.get(), size_}; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_.get()), size_}; }

 private:
  void wipe() {
    if (data_) secure_wipe(data_.get(), size_);
    data_.reset();
    size_ = 0;
  }
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

// Wipes a std::string's whole buffer (for text that held a secret) and clears it.
void wipe_string(std::string& s);

}  // namespace sotto::base
