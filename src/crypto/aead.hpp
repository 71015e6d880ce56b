#pragma once
// XChaCha20-Poly1305 (IETF), libsodium's crypto_aead_xchacha20poly1305_ietf_*.
// The output of encrypt is ciphertext || 16-byte tag. Thread-safe.

#include <span>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/errc.hpp"

namespace sotto::crypto {

inline constexpr std::size_t kXChaChaKeyBytes = 32;
inline constexpr std::size_t kXChaChaNonceBytes = 24;
inline constexpr std::size_t kXChaChaTagBytes = 16;
using AeadKey = std::span<const std::uint8_t, kXChaChaKeyBytes>;
using AeadNonce = std::span<const std::uint8_t, kXChaChaNonceBytes>;

Bytes xchacha20_encrypt(AeadKey key, AeadNonce nonce, ByteView plaintext, ByteView ad = {});
// DecryptFailed when the tag does not verify (wrong key, nonce, AD or altered bytes).
Result<Bytes> xchacha20_decrypt(AeadKey key, AeadNonce nonce, ByteView ciphertext, ByteView ad = {});

}  // namespace sotto::crypto
