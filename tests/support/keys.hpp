#pragma once
// Keys from the hex strings of vector files.

#include "crypto/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::test {

inline crypto::Seed seed32(const std::string& h) { return crypto::Seed(hex_array<32>(h)); }
inline crypto::Keypair keypair(const std::string& seed_hex) { return crypto::Keypair::from_seed(seed32(seed_hex)); }
inline crypto::X25519Secret x25519_secret(const std::string& h) { return crypto::X25519Secret(hex_array<32>(h)); }
inline crypto::X25519Public x25519_public(const std::string& h) { return crypto::X25519Public{hex_array<32>(h)}; }

}  // namespace sotto::test
