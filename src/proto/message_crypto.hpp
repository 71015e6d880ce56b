#pragma once
// Session's 1:1 message encryption, "Session Protocol" v1 (docs/wire/dm-encryption.md):
//   SIG = Ed25519_sign(M || A || Y);  ciphertext = sealed_box(M || A || SIG, Y)
// where A is the sender's Ed25519 key and Y the recipient's X25519 key. Sans-IO: the
// ephemeral key comes from the injected Rng (or, for the deterministic variant, from a
// keyed hash). Thread-safe.

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "crypto/account_id.hpp"
#include "crypto/keys.hpp"
#include "proto/errc.hpp"

namespace sotto::proto {

// BadRecipient if `recipient` is a low-order point.
Result<Bytes> encrypt_for_recipient(const crypto::Keypair& sender, const crypto::X25519Public& recipient,
                                    ByteView plaintext, base::Rng& rng);
// The ephemeral seed is BLAKE2b-256(key "SessionBoxEphemeralHashKey", seed || Y || M):
// the same inputs give the same bytes (used for messages to oneself).
Result<Bytes> encrypt_for_recipient_deterministic(const crypto::Keypair& sender, const crypto::X25519Public& recipient,
                                                  ByteView plaintext);

struct Decrypted {
  Bytes plaintext;  // M (still padded)
  crypto::Ed25519Public sender_ed25519;
  crypto::AccountId sender;
};

// Errors, in the order checked: TooShort (< 144 bytes), BoxOpenFailed, BadSignature,
// BadSenderKey.
Result<Decrypted> decrypt_incoming(const crypto::Keypair& me, ByteView ciphertext);

}  // namespace sotto::proto
