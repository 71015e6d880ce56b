// onion_hop.json: hop keys and hop encryption, both enc_types, and the must-fail blobs.

#include "onion/hop_crypto.hpp"

#include <gtest/gtest.h>

#include "crypto/mac.hpp"
#include "support/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::onion {
namespace {

using test::hex;

using test::x25519_public;
using test::x25519_secret;

TEST(HopCrypto, EveryVectorDerivesTheKeyAndDecrypts) {
  auto v = test::load_vectors("onion_hop.json");
  ASSERT_GE(v["cases"].size(), 4u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    auto e = parse_enc_type(c["enc_type"].get<std::string>());
    ASSERT_TRUE(e);
    if (*e == EncType::AesGcm && !crypto::aes256gcm_available()) continue;  // no AES-NI on this CPU
    auto eph_sk = x25519_secret(c["client_ephemeral_secret_key"]);
    auto eph_pk = x25519_public(c["client_ephemeral_public_key"]);
    auto node_sk = x25519_secret(c["node_secret_key"]);
    auto node_pk = x25519_public(c["node_public_key"]);
    EXPECT_EQ(crypto::x25519_public_of(eph_sk), eph_pk);
    EXPECT_EQ(crypto::x25519_public_of(node_sk), node_pk);
    auto ck = client_hop_key(*e, eph_sk, eph_pk, node_pk);
    auto nk = node_hop_key(*e, node_sk, node_pk, eph_pk);
    ASSERT_TRUE(ck && nk);
    EXPECT_EQ(base::to_hex(ck->span()), c["derived_key"]);
    EXPECT_EQ(base::to_hex(nk->span()), c["derived_key"]);
    auto pt = hop_decrypt(*e, *nk, hex(c["blob"]));
    ASSERT_TRUE(pt) << pt.error().message();
    EXPECT_EQ(base::to_hex(*pt), c["expected_plaintext"]);
    EXPECT_EQ(base::to_hex(ByteView(hex(c["blob"])).first(hex(c["iv_or_nonce"]).size())), c["iv_or_nonce"]);
  }
}

TEST(HopCrypto, EveryMustFailBlobFails) {
  auto v = test::load_vectors("onion_hop.json");
  const auto& key_case = v["cases"][0];  // "same as hop_cases (node secret + client ephemeral public key)"
  ASSERT_GE(v["must_fail_cases"].size(), 5u);
  for (const auto& c : v["must_fail_cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    auto e = parse_enc_type(c["enc_type"].get<std::string>());
    ASSERT_TRUE(e);
    if (*e == EncType::AesGcm && !crypto::aes256gcm_available()) continue;  // no AES-NI on this CPU
    auto k = node_hop_key(*e, x25519_secret(key_case["node_secret_key"]), x25519_public(key_case["node_public_key"]),
                          x25519_public(key_case["client_ephemeral_public_key"]));
    ASSERT_TRUE(k);
    auto pt = hop_decrypt(*e, *k, hex(c["blob"]));
    ASSERT_FALSE(pt);
    EXPECT_TRUE(pt.error().is(Errc::DecryptFailed));
  }
}

TEST(HopCrypto, RoundTripsWithFreshNoncesAndRejectsShortBlobs) {
  base::SeededRng rng(5);
  auto node = crypto::Keypair::generate(rng), eph = crypto::Keypair::generate(rng);
  for (EncType e : {EncType::XChaCha20, EncType::AesGcm}) {
    if (e == EncType::AesGcm && !crypto::aes256gcm_available()) continue;
    auto ck = client_hop_key(e, eph.x25519_secret(), eph.x25519_public(), node.x25519_public());
    auto nk = node_hop_key(e, node.x25519_secret(), node.x25519_public(), eph.x25519_public());
    ASSERT_TRUE(ck && nk);
    auto a = hop_encrypt(e, *ck, as_bytes("payload"), rng);
    auto b = hop_encrypt(e, *ck, as_bytes("payload"), rng);
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);  // fresh nonce each time
    auto pt = hop_decrypt(e, *nk, *a);
    ASSERT_TRUE(pt);
    EXPECT_EQ(as_chars(*pt), "payload");
    for (std::size_t n = 0; n < a->size(); ++n) EXPECT_FALSE(hop_decrypt(e, *nk, ByteView(*a).first(n)));
  }
}

TEST(HopCrypto, EncTypeNamesAndALowOrderKey) {
  EXPECT_EQ(*parse_enc_type("gcm"), EncType::AesGcm);
  EXPECT_EQ(*parse_enc_type("xchacha20-poly1305"), EncType::XChaCha20);
  auto cbc = parse_enc_type("aes-cbc");
  ASSERT_FALSE(cbc);
  EXPECT_TRUE(cbc.error().is(Errc::BadEncType));
  EXPECT_EQ(enc_type_name(EncType::XChaCha20), "xchacha20");
  base::SeededRng rng(6);
  auto node = crypto::Keypair::generate(rng);
  auto k = node_hop_key(EncType::XChaCha20, node.x25519_secret(), node.x25519_public(), crypto::X25519Public{});
  ASSERT_FALSE(k);
  EXPECT_TRUE(k.error().is(Errc::BadKey));
}

}  // namespace
}  // namespace sotto::onion
