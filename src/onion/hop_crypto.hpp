#pragma once
// Hop encryption of onion requests (docs/wire/onion-hop.md): a key from X25519 between
// the client's per-layer ephemeral key A and the node's key B, then XChaCha20-Poly1305
// (sotto's choice) or AES-256-GCM (accepted for Session compatibility). Sans-IO:
// nonces come from the injected Rng. Thread-safe.

#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "base/secret.hpp"
#include "crypto/keys.hpp"
#include "onion/errc.hpp"

namespace sotto::onion {

enum class EncType { AesGcm, XChaCha20 };
using HopKey = base::Secret<32>;

// "aes-gcm", "gcm", "xchacha20", "xchacha20-poly1305"; anything else is BadEncType.
Result<EncType> parse_enc_type(std::string_view name);
std::string_view enc_type_name(EncType e);

// The client's side: X25519(a, B) with its ephemeral keypair (a, A).
Result<HopKey> client_hop_key(EncType e, const crypto::X25519Secret& eph_sk, const crypto::X25519Public& eph_pk,
                              const crypto::X25519Public& node_pk);
// The node's side: X25519(b, A) with its own keypair (b, B).
Result<HopKey> node_hop_key(EncType e, const crypto::X25519Secret& node_sk, const crypto::X25519Public& node_pk,
                            const crypto::X25519Public& eph_pk);

// nonce/IV || ciphertext || tag. Unsupported for aes-gcm without AES-NI.
Result<Bytes> hop_encrypt(EncType e, const HopKey& key, ByteView plaintext, base::Rng& rng);
// DecryptFailed for a short or altered blob or a wrong key.
Result<Bytes> hop_decrypt(EncType e, const HopKey& key, ByteView blob);

}  // namespace sotto::onion
