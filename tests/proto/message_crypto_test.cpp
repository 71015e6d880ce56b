// dm_encrypt.json: Session's encrypt_for_recipient (deterministic vectors with their
// intermediate values), decryption, and every must-fail case.

#include "proto/message_crypto.hpp"

#include <gtest/gtest.h>

#include "crypto/box.hpp"
#include "crypto/hash.hpp"
#include "support/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::proto {
namespace {

using test::hex;

crypto::Keypair keys(const std::string& seed_hex) { return test::keypair(seed_hex); }
crypto::X25519Public x25519_of(const std::string& account_id) {
  auto id = crypto::AccountId::parse(account_id);
  if (!id) throw std::runtime_error("bad id in vector");
  return id->x25519();
}

TEST(MessageCrypto, DeterministicVectorsMatchByteForByte) {
  auto v = test::load_vectors("dm_encrypt.json");
  ASSERT_GE(v["cases"].size(), 4u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    auto sender = keys(c["sender_seed"]);
    EXPECT_EQ(sender.ed25519_public().hex(), c["sender_ed25519_public_key"]);
    auto y = x25519_of(c["recipient_session_id"]);
    Bytes m = hex(c["plaintext"]);

    // Intermediate values: SIG over M || A || Y, then the ephemeral seed.
    Bytes signed_part = m;
    append(signed_part, sender.ed25519_public().bytes);
    append(signed_part, y.bytes);
    EXPECT_EQ(base::to_hex(crypto::sign(sender.ed25519_secret(), signed_part)), c["signature"]);
    crypto::Blake2b h(32, as_bytes("SessionBoxEphemeralHashKey"));
    h.update(sender.seed()).update(y.bytes).update(m);
    EXPECT_EQ(base::to_hex(h.final()), c["ephemeral_seed"]);

    auto ct = encrypt_for_recipient_deterministic(sender, y, m);
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct->size(), c["ciphertext_length"].get<std::size_t>());
    EXPECT_EQ(base::to_hex(ByteView(*ct).first(32)), c["ephemeral_public_key"]);
    EXPECT_EQ(base::to_hex(*ct), c["ciphertext"]);
  }
}

TEST(MessageCrypto, DecryptsEveryVectorWithTheRightSender) {
  auto v = test::load_vectors("dm_encrypt.json");
  ASSERT_GE(v["decrypt_cases"].size(), 4u);
  for (const auto& c : v["decrypt_cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    auto me = keys(c["recipient_seed"]);
    ASSERT_EQ(crypto::account_id_of(me).hex(), c["recipient_session_id"]);
    auto d = decrypt_incoming(me, hex(c["ciphertext"]));
    ASSERT_TRUE(d) << d.error().message();
    EXPECT_EQ(base::to_hex(d->plaintext), c["expected_plaintext"]);
    EXPECT_EQ(d->sender_ed25519.hex(), c["expected_sender_ed25519_public_key"]);
    EXPECT_EQ(d->sender.hex(), c["expected_sender_session_id"]);
  }
  // The deterministic vectors decrypt too (the recipient seeds are the identity vectors').
  for (const auto& c : v["cases"]) {
    if (c["recipient_session_id"] != "05aa654f00fc39fc69fd0db829410ca38177d7732a8d2f0934ab3872ac56d5aa74") continue;
    auto me = keys("00112233445566778899aabbccddeeff00000000000000000000000000000000");
    auto d = decrypt_incoming(me, hex(c["ciphertext"]));
    ASSERT_TRUE(d);
    EXPECT_EQ(base::to_hex(d->plaintext), c["plaintext"]);
    EXPECT_EQ(d->sender.hex(), c["sender_session_id"]);
  }
}

TEST(MessageCrypto, EveryMustFailVectorFailsAtItsStep) {
  auto v = test::load_vectors("dm_encrypt.json");
  ASSERT_GE(v["must_fail_cases"].size(), 5u);
  for (const auto& c : v["must_fail_cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    auto me = keys(c["recipient_seed"]);
    auto d = decrypt_incoming(me, hex(c["ciphertext"]));
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().token(), c["expected_error"].get<std::string>());
  }
}

TEST(MessageCrypto, RandomRoundTripAndEveryFlippedByteIsRejected) {
  base::SeededRng rng(11);
  auto alice = crypto::Keypair::generate(rng), bob = crypto::Keypair::generate(rng), eve = crypto::Keypair::generate(rng);
  Bytes m = to_bytes("meet at noon");
  auto ct = encrypt_for_recipient(alice, bob.x25519_public(), m, rng);
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->size(), m.size() + 144);
  auto d = decrypt_incoming(bob, *ct);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->plaintext, m);
  EXPECT_EQ(d->sender, crypto::account_id_of(alice));
  // Not for Eve.
  auto e = decrypt_incoming(eve, *ct);
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().is(Errc::BoxOpenFailed));
  // Every single-byte change is caught.
  for (std::size_t i = 0; i < ct->size(); ++i) {
    Bytes bad = *ct;
    bad[i] ^= 0x01;
    EXPECT_FALSE(decrypt_incoming(bob, bad)) << "byte " << i;
  }
  // Every truncation is caught.
  for (std::size_t n = 0; n < ct->size(); ++n) EXPECT_FALSE(decrypt_incoming(bob, ByteView(*ct).first(n))) << n;
}

TEST(MessageCrypto, ASignatureByAnotherKeyIsRejected) {
  // Mallory seals Alice's key A with Mallory's own signature: the box opens, the
  // signature does not verify against A.
  base::SeededRng rng(12);
  auto alice = crypto::Keypair::generate(rng), bob = crypto::Keypair::generate(rng), mallory = crypto::Keypair::generate(rng);
  Bytes m = to_bytes("transfer");
  Bytes inner = m;
  append(inner, alice.ed25519_public().bytes);
  Bytes signed_part = inner;
  append(signed_part, bob.x25519_public().bytes);
  append(inner, crypto::sign(mallory.ed25519_secret(), signed_part));
  auto ct = crypto::seal(inner, bob.x25519_public(), rng);
  ASSERT_TRUE(ct);
  auto d = decrypt_incoming(bob, *ct);
  ASSERT_FALSE(d);
  EXPECT_TRUE(d.error().is(Errc::BadSignature));
}

TEST(MessageCrypto, RefusesALowOrderRecipient) {
  base::SeededRng rng(13);
  auto alice = crypto::Keypair::generate(rng);
  auto ct = encrypt_for_recipient(alice, crypto::X25519Public{}, as_bytes("x"), rng);
  ASSERT_FALSE(ct);
  EXPECT_TRUE(ct.error().is(Errc::BadRecipient));
}

}  // namespace
}  // namespace sotto::proto
