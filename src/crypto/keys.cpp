#include "crypto/keys.hpp"

#include <sodium.h>

#include <cstdlib>

#include "crypto/sodium_init.hpp"

namespace sotto::crypto {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::WrongLength: return "wrong_length";
    case Errc::WrongPrefix: return "wrong_prefix";
    case Errc::BadHex: return "bad_hex";
    case Errc::BadKey: return "bad_key";
    case Errc::WrongWordCount: return "wrong_word_count";
    case Errc::UnknownWord: return "unknown_word";
    case Errc::BadChecksum: return "bad_checksum";
    case Errc::InvalidPhrase: return "invalid_phrase";
    case Errc::DecryptFailed: return "decrypt_failed";
    case Errc::OutOfMemory: return "out_of_memory";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.crypto")

namespace detail {
void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // libsodium could not initialise: nothing is safe to do
}
}  // namespace detail

namespace {
template <class Key>
Result<Key> key_from_hex(std::string_view hex) {
  auto b = base::from_hex_fixed<32>(hex);
  if (!b) {
    if (b.error().is(base::Errc::WrongLength)) return Error(Errc::WrongLength, "a key has 64 hex characters; this has " + std::to_string(hex.size()));
    return Error(Errc::BadHex, "a key must be hex: " + b.error().message());
  }
  return Key{*b};
}
}  // namespace

Result<Ed25519Public> Ed25519Public::from_hex(std::string_view hex) { return key_from_hex<Ed25519Public>(hex); }
Result<X25519Public> X25519Public::from_hex(std::string_view hex) { return key_from_hex<X25519Public>(hex); }

Keypair Keypair::from_seed(const Seed& seed) {
  detail::ensure_sodium();
  Keypair kp;
  crypto_sign_seed_keypair(kp.ed_pk_.bytes.data(), kp.ed_sk_.data(), seed.data());
  // Cannot fail for a public key just derived from a seed.
  if (crypto_sign_ed25519_pk_to_curve25519(kp.x_pk_.bytes.data(), kp.ed_pk_.bytes.data()) != 0) std::abort();
  crypto_sign_ed25519_sk_to_curve25519(kp.x_sk_.data(), kp.ed_sk_.data());
  return kp;
}

Keypair Keypair::generate(base::Rng& rng) {
  Seed seed;
  rng.fill(seed.span());
  return from_seed(seed);
}

Result<X25519Public> to_x25519(const Ed25519Public& pk) {
  detail::ensure_sodium();
  X25519Public out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.bytes.data(), pk.bytes.data()) != 0)
    return Error(Errc::BadKey, "not a valid Ed25519 public key");
  return out;
}

Signature sign(const Ed25519Secret& sk, ByteView message) {
  detail::ensure_sodium();
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk.data());
  return sig;
}

bool verify(const Signature& sig, ByteView message, const Ed25519Public& pk) {
  detail::ensure_sodium();
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.bytes.data()) == 0;
}

X25519Public x25519_public_of(const X25519Secret& sk) {
  detail::ensure_sodium();
  X25519Public pk;
  crypto_scalarmult_base(pk.bytes.data(), sk.data());
  return pk;
}

X25519Secret x25519_secret_from_seed(std::span<const std::uint8_t, 32> seed) {
  detail::ensure_sodium();
  base::Secret<64> h;
  crypto_hash_sha512(h.data(), seed.data(), seed.size());
  X25519Secret sk;
  std::copy_n(h.data(), 32, sk.data());
  return sk;
}

Result<base::Secret<32>> x25519_shared(const X25519Secret& sk, const X25519Public& pk) {
  detail::ensure_sodium();
  base::Secret<32> out;
  if (crypto_scalarmult(out.data(), sk.data(), pk.bytes.data()) != 0)
    return Error(Errc::BadKey, "X25519 with a low-order public key");
  return out;
}

}  // namespace sotto::crypto
