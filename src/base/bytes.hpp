#pragma once
// Byte strings and their encodings: hex, base64 (with and without padding) and
// fixed-width little/big-endian integers. Decoders of text are strict: they reject
// anything a canonical encoder would not produce, with a base::Errc.

#include <array>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/errc.hpp"
#include "base/result.hpp"

namespace sotto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
template <std::size_t N>
using ByteArray = std::array<std::uint8_t, N>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline void append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }
inline void append(Bytes& out, std::string_view more) { append(out, as_bytes(more)); }
inline bool equal(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

namespace base {

// Lower-case hex.
std::string to_hex(ByteView data);
// Accepts upper and lower case; rejects odd lengths and non-hex characters.
Result<Bytes> from_hex(std::string_view hex);
// Decodes `hex` into exactly out.size() bytes, with no allocation: WrongLength unless it
// has 2 * out.size() characters, BadHex as from_hex.
Result<void> hex_into(std::string_view hex, std::span<std::uint8_t> out);
// Decodes exactly N bytes (2N hex characters) or fails with WrongLength / BadHex.
template <std::size_t N>
Result<ByteArray<N>> from_hex_fixed(std::string_view hex) {
  ByteArray<N> out;
  if (auto r = hex_into(hex, out); !r) return std::move(r).error();
  return out;
}

enum class Padding { Yes, No };
// Standard alphabet (RFC 4648 §4).
std::string to_base64(ByteView data, Padding padding = Padding::Yes);
// The same, appended to `out` (for building large replies without copies).
void append_base64(std::string& out, ByteView data, Padding padding = Padding::Yes);
// Accepts input with or without '=' padding (if present it must be complete); rejects
// other characters, impossible lengths and non-zero trailing bits.
Result<Bytes> from_base64(std::string_view text);

// Fixed-width integers.
template <std::unsigned_integral T>
T load_le(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(T{p[i]} << (8 * i));
  return v;
}
template <std::unsigned_integral T>
T load_be(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | T{p[i]});
  return v;
}
template <std::unsigned_integral T>
void store_le(std::uint8_t* p, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
template <std::unsigned_integral T>
void store_be(std::uint8_t* p, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    p[sizeof(T) - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
}
template <std::unsigned_integral T>
void append_le(Bytes& out, T v) {
  std::uint8_t buf[sizeof(T)];
  store_le(buf, v);
  out.insert(out.end(), buf, buf + sizeof(T));
}
template <std::unsigned_integral T>
void append_be(Bytes& out, T v) {
  std::uint8_t buf[sizeof(T)];
  store_be(buf, v);
  out.insert(out.end(), buf, buf + sizeof(T));
}

// A cursor over untrusted bytes: every read checks the remaining length.
class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  Result<ByteView> take(std::size_t n) {
    if (n > remaining()) return Error(Errc::Truncated, "needed " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
    ByteView v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  ByteView rest() {
    ByteView v = data_.subspan(pos_);
    pos_ = data_.size();
    return v;
  }
  template <std::unsigned_integral T>
  Result<T> le() {
    auto b = take(sizeof(T));
    if (!b) return std::move(b).error();
    return load_le<T>(b->data());
  }

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

}  // namespace base
}  // namespace sotto
