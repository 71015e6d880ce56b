#pragma once
// An account ID (Session ID): "05" followed by the account's X25519 public key, as 66
// lower-case hex characters (docs/wire/identity.md). Immutable; thread-safe.

#include <string>
#include <string_view>

#include "base/log_safe.hpp"
#include "base/result.hpp"
#include "crypto/keys.hpp"

namespace sotto::crypto {

class AccountId {
 public:
  static constexpr std::uint8_t kPrefix = 0x05;
  static constexpr std::size_t kHexLength = 66;

  explicit AccountId(const X25519Public& key) : key_(key) {}
  // Accepts upper or lower case. Errors name what is wrong: WrongLength, BadHex,
  // WrongPrefix (with a hint when the prefix is a known non-account kind).
  static Result<AccountId> parse(std::string_view text);

  const X25519Public& x25519() const { return key_; }
  std::string hex() const;
  ByteArray<33> bytes() const;  // prefix || key
  base::ShortId short_id() const { return base::ShortId(hex()); }
  auto operator<=>(const AccountId&) const = default;

 private:
  X25519Public key_;
};

inline AccountId account_id_of(const Keypair& kp) { return AccountId(kp.x25519_public()); }

}  // namespace sotto::crypto
