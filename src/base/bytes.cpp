#include "base/bytes.hpp"

#include <array>

namespace sotto::base {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::BadHex: return "bad_hex";
    case Errc::BadBase64: return "bad_base64";
    case Errc::Truncated: return "truncated";
    case Errc::WrongLength: return "wrong_length";
    case Errc::Io: return "io";
    case Errc::BadJson: return "bad_json";
    case Errc::TooLarge: return "too_large";
    case Errc::TooDeep: return "too_deep";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.base")

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// A table, not comparisons: random hex digits made the branches mispredict (1% of a
// node's time per onion layer went to decoding two keys).
constexpr std::array<std::int8_t, 256> kHexValue = [] {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
  return t;
}();

int hex_value(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string to_hex(ByteView data) {
  std::string out(data.size() * 2, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 0xf];
  }
  return out;
}

Result<void> hex_into(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() != 2 * out.size())
    return Error(Errc::WrongLength, "expected " + std::to_string(2 * out.size()) + " hex characters, got " + std::to_string(hex.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return Error(Errc::BadHex, "not a hex character at position " + std::to_string(hi < 0 ? 2 * i + 1 : 2 * i + 2));
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return {};
}

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Error(Errc::BadHex, "hex has an odd number of characters");
  Bytes out(hex.size() / 2);
  if (auto r = hex_into(hex, out); !r) return std::move(r).error();
  return out;
}

void append_base64(std::string& out, ByteView data, Padding padding) {
  std::size_t full = data.size() / 3, rest = data.size() % 3;
  std::size_t at = out.size();
  out.resize(at + full * 4 + (rest == 0 ? 0 : padding == Padding::Yes ? 4 : rest + 1));
  char* o = out.data() + at;
  const std::uint8_t* d = data.data();
  for (std::size_t i = 0; i < full; ++i, d += 3, o += 4) {
    std::uint32_t v = std::uint32_t{d[0]} << 16 | std::uint32_t{d[1]} << 8 | d[2];
    o[0] = kB64[v >> 18];
    o[1] = kB64[(v >> 12) & 63];
    o[2] = kB64[(v >> 6) & 63];
    o[3] = kB64[v & 63];
  }
  if (rest == 0) return;
  std::uint32_t v = std::uint32_t{d[0]} << 16 | (rest == 2 ? std::uint32_t{d[1]} << 8 : 0);
  *o++ = kB64[v >> 18];
  *o++ = kB64[(v >> 12) & 63];
  if (rest == 2) *o++ = kB64[(v >> 6) & 63];
  if (padding == Padding::Yes) *o++ = '=';
  if (padding == Padding::Yes && rest == 1) *o++ = '=';
}

std::string to_base64(ByteView data, Padding padding) {
  std::string out;
  append_base64(out, data, padding);
  return out;
}

Result<Bytes> from_base64(std::string_view text) {
  std::size_t pad = 0;
  if (text.size() % 4 == 0 && !text.empty()) {
    if (text.back() == '=') ++pad;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  }
  std::string_view body = text.substr(0, text.size() - pad);
  if (body.size() % 4 == 1) return Error(Errc::BadBase64, "base64 has an impossible length");
  if (pad > 0 && (body.size() + pad) % 4 != 0) return Error(Errc::BadBase64, "base64 padding is wrong");
  Bytes out;
  out.reserve(body.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    int v = b64_value(body[i]);
    if (v < 0) return Error(Errc::BadBase64, "not a base64 character at position " + std::to_string(i + 1));
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return Error(Errc::BadBase64, "base64 has non-zero trailing bits");
  return out;
}

}  // namespace sotto::base
