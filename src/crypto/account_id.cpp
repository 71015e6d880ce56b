#include <algorithm>

#include "crypto/account_id.hpp"

namespace sotto::crypto {

Result<AccountId> AccountId::parse(std::string_view text) {
  if (text.size() != kHexLength)
    return Error(Errc::WrongLength,
                 "an account ID has 66 hex characters; this has " + std::to_string(text.size()));
  auto raw = base::from_hex(text);
  if (!raw) return Error(Errc::BadHex, "an account ID must be hex: " + raw.error().message());
  std::uint8_t prefix = (*raw)[0];
  if (prefix != kPrefix) {
    std::string kind;
    switch (prefix) {
      case 0x03: kind = " (that is a group ID)"; break;
      case 0x15:
      case 0x25: kind = " (that is a community-blinded ID)"; break;
      case 0x00: kind = " (that is a bare Ed25519 key)"; break;
      default: break;
    }
    return Error(Errc::WrongPrefix, "an account ID starts with 05; this one starts with " +
                                        base::to_hex(ByteView(raw->data(), 1)) + kind);
  }
  X25519Public key;
  std::copy(raw->begin() + 1, raw->end(), key.bytes.begin());
  return AccountId(key);
}

std::string AccountId::hex() const { return "05" + base::to_hex(key_.bytes); }

ByteArray<33> AccountId::bytes() const {
  ByteArray<33> out;
  out[0] = kPrefix;
  std::copy(key_.bytes.begin(), key_.bytes.end(), out.begin() + 1);
  return out;
}

}  // namespace sotto::crypto
