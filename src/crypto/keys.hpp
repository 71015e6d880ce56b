#pragma once
// Typed Ed25519 and X25519 keys. An account (or a node) is an Ed25519 keypair made
// from a 32-byte seed; its X25519 keypair is converted from it (docs/wire/identity.md).
// Secret halves live in wiping base::Secret types. All functions are thread-safe.

#include <algorithm>
#include <compare>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "base/secret.hpp"
#include "crypto/errc.hpp"

namespace sotto::crypto {

struct Ed25519Public {
  ByteArray<32> bytes{};
  std::string hex() const { return base::to_hex(bytes); }
  static Result<Ed25519Public> from_hex(std::string_view hex);
  auto operator<=>(const Ed25519Public&) const = default;
};

struct X25519Public {
  ByteArray<32> bytes{};
  std::string hex() const { return base::to_hex(bytes); }
  static Result<X25519Public> from_hex(std::string_view hex);
  auto operator<=>(const X25519Public&) const = default;
};

using Ed25519Secret = base::Secret<64>;  // libsodium form: seed(32) || public key(32)
using X25519Secret = base::Secret<32>;
using Seed = base::Secret<32>;
using Signature = ByteArray<64>;

class Keypair {
 public:
  // crypto_sign_seed_keypair, then the Ed25519 -> X25519 conversion of both halves.
  static Keypair from_seed(const Seed& seed);
  static Keypair generate(base::Rng& rng);

  const Ed25519Public& ed25519_public() const { return ed_pk_; }
  const Ed25519Secret& ed25519_secret() const { return ed_sk_; }
  const X25519Public& x25519_public() const { return x_pk_; }
  const X25519Secret& x25519_secret() const { return x_sk_; }
  // The 32-byte seed (the first half of the libsodium secret key).
  std::span<const std::uint8_t, 32> seed() const { return ed_sk_.span().first<32>(); }
  Keypair clone() const { return from_seed(Seed(seed())); }

 private:
  Keypair() = default;
  Ed25519Public ed_pk_;
  Ed25519Secret ed_sk_;
  X25519Public x_pk_;
  X25519Secret x_sk_;
};

// Ed25519 -> X25519 public key; fails (BadKey) on bytes that are not a valid point.
Result<X25519Public> to_x25519(const Ed25519Public& pk);

Signature sign(const Ed25519Secret& sk, ByteView message);
bool verify(const Signature& sig, ByteView message, const Ed25519Public& pk);

// X25519 public key of a secret scalar (base-point multiplication).
X25519Public x25519_public_of(const X25519Secret& sk);
// crypto_box_seed_keypair's secret: SHA-512(seed)[0..32].
X25519Secret x25519_secret_from_seed(std::span<const std::uint8_t, 32> seed);
// X25519(sk, pk); fails (BadKey) if the result is all zero (a low-order point).
Result<base::Secret<32>> x25519_shared(const X25519Secret& sk, const X25519Public& pk);

}  // namespace sotto::crypto
