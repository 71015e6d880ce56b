#include <algorithm>

#include "crypto/box.hpp"

#include <sodium.h>

#include "crypto/sodium_init.hpp"

namespace sotto::crypto {

namespace {
void seal_nonce(std::uint8_t nonce[crypto_box_NONCEBYTES], const std::uint8_t* eph_pk, const std::uint8_t* recipient) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, crypto_box_NONCEBYTES);
  crypto_generichash_update(&st, eph_pk, crypto_box_PUBLICKEYBYTES);
  crypto_generichash_update(&st, recipient, crypto_box_PUBLICKEYBYTES);
  crypto_generichash_final(&st, nonce, crypto_box_NONCEBYTES);
}
}  // namespace

Result<Bytes> seal(ByteView plaintext, const X25519Public& recipient, const X25519Secret& ephemeral) {
  detail::ensure_sodium();
  X25519Public eph_pk = x25519_public_of(ephemeral);
  std::uint8_t nonce[crypto_box_NONCEBYTES];
  seal_nonce(nonce, eph_pk.bytes.data(), recipient.bytes.data());
  Bytes out(kSealOverhead + plaintext.size());
  std::copy(eph_pk.bytes.begin(), eph_pk.bytes.end(), out.begin());
  if (crypto_box_easy(out.data() + crypto_box_PUBLICKEYBYTES, plaintext.data(), plaintext.size(), nonce,
                      recipient.bytes.data(), ephemeral.data()) != 0) {
    return Error(Errc::BadKey, "the recipient key is a low-order point");
  }
  return out;
}

Result<Bytes> seal(ByteView plaintext, const X25519Public& recipient, base::Rng& rng) {
  X25519Secret eph;
  rng.fill(eph.span());
  return seal(plaintext, recipient, eph);
}

Result<Bytes> seal_open(ByteView ciphertext, const X25519Public& pk, const X25519Secret& sk) {
  detail::ensure_sodium();
  if (ciphertext.size() < kSealOverhead) return Error(Errc::DecryptFailed, "sealed box shorter than its overhead");
  Bytes out(ciphertext.size() - kSealOverhead);
  if (crypto_box_seal_open(out.data(), ciphertext.data(), ciphertext.size(), pk.bytes.data(), sk.data()) != 0)
    return Error(Errc::DecryptFailed, "the sealed box does not open with this key");
  return out;
}

}  // namespace sotto::crypto
