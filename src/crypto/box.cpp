#include <algorithm>

#include "crypto/box.hpp"

#include <sodium.h>

#include "crypto/hash.hpp"
#include "crypto/sodium_init.hpp"

namespace sotto::crypto {


Result<Bytes> seal(ByteView plaintext, const X25519Public& recipient, const X25519Secret& ephemeral) {
  detail::ensure_sodium();
  X25519Public eph_pk = x25519_public_of(ephemeral);
  // nonce = BLAKE2b-192(eph_pk || recipient), as crypto_box_seal computes it.
  Bytes nonce = Blake2b(crypto_box_NONCEBYTES).update(eph_pk.bytes).update(recipient.bytes).final();
  Bytes out(kSealOverhead + plaintext.size());
  std::copy(eph_pk.bytes.begin(), eph_pk.bytes.end(), out.begin());
  if (crypto_box_easy(out.data() + crypto_box_PUBLICKEYBYTES, plaintext.data(), plaintext.size(), nonce.data(),
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
