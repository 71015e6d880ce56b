#pragma once
// A test account (deterministic keys from a seed) that signs storage RPC requests the way
// a Session client does. Header-only, for tests and benchmarks.

#include <string>

#include "base/rng.hpp"
#include "crypto/account_id.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::test {

struct TestAccount {
  crypto::Keypair keys;
  std::string id;
  explicit TestAccount(std::uint64_t seed) : keys(make(seed)), id(crypto::account_id_of(keys).hex()) {}
  static crypto::Keypair make(std::uint64_t seed) {
    base::SeededRng rng(seed);
    return crypto::Keypair::generate(rng);
  }
  // base64 Ed25519 signature of `s` by this account.
  std::string sign(const std::string& s) const {
    return base::to_base64(crypto::sign(keys.ed25519_secret(), as_bytes(s)));
  }
};

}  // namespace sotto::test
