#include "crypto/aead.hpp"

#include <sodium.h>

#include "crypto/sodium_init.hpp"

namespace sotto::crypto {

Bytes xchacha20_encrypt(AeadKey key, AeadNonce nonce, ByteView plaintext, ByteView ad) {
  detail::ensure_sodium();
  Bytes out(plaintext.size() + kXChaChaTagBytes);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &n, plaintext.data(), plaintext.size(), ad.data(), ad.size(),
                                             nullptr, nonce.data(), key.data());
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<Bytes> xchacha20_decrypt(AeadKey key, AeadNonce nonce, ByteView ciphertext, ByteView ad) {
  detail::ensure_sodium();
  if (ciphertext.size() < kXChaChaTagBytes) return Error(Errc::DecryptFailed, "ciphertext shorter than its tag");
  Bytes out(ciphertext.size() - kXChaChaTagBytes);
  unsigned long long n = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &n, nullptr, ciphertext.data(), ciphertext.size(),
                                                 ad.data(), ad.size(), nonce.data(), key.data()) != 0)
    return Error(Errc::DecryptFailed, "authentication failed");
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace sotto::crypto
