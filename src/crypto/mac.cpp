#include "crypto/mac.hpp"

#include <sodium.h>

#include <cstdlib>

#include "crypto/sodium_init.hpp"

namespace sotto::crypto {

base::Secret<32> hmac_sha256(ByteView key, ByteView message) {
  detail::ensure_sodium();
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, message.data(), message.size());
  base::Secret<32> out;
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

bool aes256gcm_available() {
  detail::ensure_sodium();
  return crypto_aead_aes256gcm_is_available() == 1;
}

Bytes aes256gcm_encrypt(std::span<const std::uint8_t, 32> key, std::span<const std::uint8_t, kAesGcmNonceBytes> nonce,
                        ByteView plaintext) {
  if (!aes256gcm_available()) std::abort();  // callers check first
  Bytes out(plaintext.size() + kAesGcmTagBytes);
  unsigned long long n = 0;
  crypto_aead_aes256gcm_encrypt(out.data(), &n, plaintext.data(), plaintext.size(), nullptr, 0, nullptr, nonce.data(),
                                key.data());
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<Bytes> aes256gcm_decrypt(std::span<const std::uint8_t, 32> key,
                                std::span<const std::uint8_t, kAesGcmNonceBytes> nonce, ByteView ciphertext) {
  if (!aes256gcm_available()) return Error(Errc::DecryptFailed, "AES-256-GCM is not available on this CPU");
  if (ciphertext.size() < kAesGcmTagBytes) return Error(Errc::DecryptFailed, "ciphertext shorter than its tag");
  Bytes out(ciphertext.size() - kAesGcmTagBytes);
  unsigned long long n = 0;
  if (crypto_aead_aes256gcm_decrypt(out.data(), &n, nullptr, ciphertext.data(), ciphertext.size(), nullptr, 0,
                                    nonce.data(), key.data()) != 0)
    return Error(Errc::DecryptFailed, "authentication failed");
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace sotto::crypto
