#pragma once
// HMAC-SHA256 and AES-256-GCM: needed only for Session's legacy "aes-gcm" onion hop
// encryption (docs/wire/onion-hop.md). Thread-safe.

#include <span>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/secret.hpp"
#include "crypto/errc.hpp"

namespace sotto::crypto {

base::Secret<32> hmac_sha256(ByteView key, ByteView message);

inline constexpr std::size_t kAesGcmNonceBytes = 12;
inline constexpr std::size_t kAesGcmTagBytes = 16;
// libsodium's AES-256-GCM needs AES-NI and CLMUL.
bool aes256gcm_available();
// Unsupported-CPU callers must check aes256gcm_available() first.
Bytes aes256gcm_encrypt(std::span<const std::uint8_t, 32> key, std::span<const std::uint8_t, kAesGcmNonceBytes> nonce,
                        ByteView plaintext);
Result<Bytes> aes256gcm_decrypt(std::span<const std::uint8_t, 32> key,
                                std::span<const std::uint8_t, kAesGcmNonceBytes> nonce, ByteView ciphertext);

}  // namespace sotto::crypto
