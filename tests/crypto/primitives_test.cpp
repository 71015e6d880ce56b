// BLAKE2b, XChaCha20-Poly1305, sealed boxes and Argon2id against known answers and
// tampering.

#include <gtest/gtest.h>

#include "crypto/aead.hpp"
#include "crypto/box.hpp"
#include "crypto/hash.hpp"
#include "crypto/pwhash.hpp"
#include "support/vectors.hpp"

namespace sotto::crypto {
namespace {

// RFC 7693 Appendix A: BLAKE2b-512("abc").
TEST(Blake2b, MatchesRfc7693) {
  EXPECT_EQ(base::to_hex(blake2b(64, as_bytes("abc"))),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

TEST(Blake2b, StreamingEqualsOneShot) {
  Bytes key(32, 7);
  Blake2b h(32, key);
  h.update(as_bytes("hello ")).update(as_bytes("world"));
  EXPECT_EQ(h.final(), blake2b(32, as_bytes("hello world"), key));
  auto fixed = blake2b_256(as_bytes("x"));
  EXPECT_EQ(Bytes(fixed.begin(), fixed.end()), blake2b(32, as_bytes("x")));
}

// draft-irtf-cfrg-xchacha-03 §A.3.1 (AEAD_XChaCha20_Poly1305).
TEST(XChaCha20, MatchesTheDraftVector) {
  Bytes pt = to_bytes("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  Bytes aad = test::hex("50515253c0c1c2c3c4c5c6c7");
  auto key = test::hex_array<32>("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  auto nonce = test::hex_array<24>("404142434445464748494a4b4c4d4e4f5051525354555657");
  Bytes ct = xchacha20_encrypt(key, nonce, pt, aad);
  EXPECT_EQ(base::to_hex(ct),
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
            "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
            "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
            "21f9664c97637da9768812f615c68b13b52e"
            "c0875924c1c7987947deafd8780acf49");
  auto back = xchacha20_decrypt(key, nonce, ct, aad);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, pt);
}

TEST(XChaCha20, RejectsTamperingAndWrongAd) {
  ByteArray<32> key{};
  ByteArray<24> nonce{};
  key[0] = 1;
  Bytes ct = xchacha20_encrypt(key, nonce, as_bytes("secret"), as_bytes("ad"));
  for (std::size_t i = 0; i < ct.size(); ++i) {
    Bytes bad = ct;
    bad[i] ^= 0x40;
    auto r = xchacha20_decrypt(key, nonce, bad, as_bytes("ad"));
    ASSERT_FALSE(r) << "byte " << i;
    EXPECT_TRUE(r.error().is(Errc::DecryptFailed));
  }
  EXPECT_FALSE(xchacha20_decrypt(key, nonce, ct, as_bytes("AD")));
  EXPECT_FALSE(xchacha20_decrypt(key, nonce, Bytes(15), as_bytes("ad")));
}

TEST(SealedBox, RoundTripsAndOpensOnlyForTheRecipient) {
  base::SeededRng rng(3);
  Keypair bob = Keypair::generate(rng), eve = Keypair::generate(rng);
  auto ct = seal(as_bytes("hi bob"), bob.x25519_public(), rng);
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->size(), 6 + kSealOverhead);
  auto pt = seal_open(*ct, bob.x25519_public(), bob.x25519_secret());
  ASSERT_TRUE(pt);
  EXPECT_EQ(as_chars(*pt), "hi bob");
  EXPECT_FALSE(seal_open(*ct, eve.x25519_public(), eve.x25519_secret()));
  Bytes bad = *ct;
  bad.back() ^= 1;
  EXPECT_FALSE(seal_open(bad, bob.x25519_public(), bob.x25519_secret()));
  EXPECT_FALSE(seal_open(Bytes(47), bob.x25519_public(), bob.x25519_secret()));
}

TEST(SealedBox, RefusesALowOrderRecipient) {
  base::SeededRng rng(4);
  X25519Public zero{};
  auto ct = seal(as_bytes("x"), zero, rng);
  ASSERT_FALSE(ct);
  EXPECT_TRUE(ct.error().is(Errc::BadKey));
}

TEST(Argon2id, IsDeterministicPerSaltAndPassword) {
  ByteArray<16> salt{};
  auto a = argon2id(as_bytes("correct horse"), salt, PwhashParams::minimum());
  auto b = argon2id(as_bytes("correct horse"), salt, PwhashParams::minimum());
  auto c = argon2id(as_bytes("correct horsf"), salt, PwhashParams::minimum());
  salt[0] = 1;
  auto d = argon2id(as_bytes("correct horse"), salt, PwhashParams::minimum());
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(base::to_hex(a->span()), base::to_hex(b->span()));
  EXPECT_NE(base::to_hex(a->span()), base::to_hex(c->span()));
  EXPECT_NE(base::to_hex(a->span()), base::to_hex(d->span()));
}

// A known answer computed independently with libsodium.js (libsodium-wrappers-sumo
// 0.8.4: crypto_pwhash(32, "password", salt 00..0f, ops 2, mem 64 KiB, ARGON2ID13)):
// guards against parameter mix-ups (KiB vs bytes, ops vs mem).
TEST(Argon2id, MatchesLibsodiumsRawCall) {
  ByteArray<16> salt{};
  for (std::size_t i = 0; i < 16; ++i) salt[i] = static_cast<std::uint8_t>(i);
  auto k = argon2id(as_bytes("password"), salt, {2, 64});
  ASSERT_TRUE(k);
  EXPECT_EQ(base::to_hex(k->span()), "716882821df77bc6414358b07159fb63ca1c90beaeb9d0ca0e43bd887dcf2ca9");
}

}  // namespace
}  // namespace sotto::crypto
