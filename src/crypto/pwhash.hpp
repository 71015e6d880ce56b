#pragma once
// Argon2id (libsodium crypto_pwhash, ALG_ARGON2ID13) for keys derived from passphrases.

#include <cstdint>
#include <span>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/secret.hpp"
#include "crypto/errc.hpp"

namespace sotto::crypto {

inline constexpr std::size_t kPwhashSaltBytes = 16;

struct PwhashParams {
  std::uint32_t opslimit;   // passes
  std::uint32_t memlimit_kib;
  // libsodium's MODERATE: 3 passes, 256 MiB (about a second on a laptop).
  static constexpr PwhashParams moderate() { return {3, 256 * 1024}; }
  // libsodium's minimum: for tests only.
  static constexpr PwhashParams minimum() { return {1, 8}; }
  // Bounds a decoder accepts from a file, so a hostile file cannot ask for 1 TB.
  static constexpr std::uint32_t kMaxOps = 16;
  static constexpr std::uint32_t kMaxMemKib = 4 * 1024 * 1024;  // 4 GiB
  bool valid() const { return opslimit >= 1 && opslimit <= kMaxOps && memlimit_kib >= 8 && memlimit_kib <= kMaxMemKib; }
};

// OutOfMemory if the memory could not be had.
Result<base::Secret<32>> argon2id(ByteView password, std::span<const std::uint8_t, kPwhashSaltBytes> salt,
                                  PwhashParams params);

}  // namespace sotto::crypto
