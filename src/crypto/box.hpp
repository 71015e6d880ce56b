#pragma once
// Sealed boxes: anonymous public-key encryption to an X25519 key, byte-compatible with
// libsodium's crypto_box_seal: eph_pk(32) || XSalsa20-Poly1305 box (MAC 16 || ct), with
// nonce = BLAKE2b-192(eph_pk || recipient_pk). The ephemeral secret is passed in (drawn
// from an injected Rng, or derived for Session's deterministic variant). Thread-safe.

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"

namespace sotto::crypto {

inline constexpr std::size_t kSealOverhead = 48;  // 32 ephemeral key + 16 MAC

// BadKey if `recipient` is a low-order point (the box would be readable by anyone).
Result<Bytes> seal(ByteView plaintext, const X25519Public& recipient, const X25519Secret& ephemeral);
Result<Bytes> seal(ByteView plaintext, const X25519Public& recipient, base::Rng& rng);
// DecryptFailed if the box does not open with this keypair.
Result<Bytes> seal_open(ByteView ciphertext, const X25519Public& pk, const X25519Secret& sk);

}  // namespace sotto::crypto
