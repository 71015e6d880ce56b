// identity.json: seed -> Ed25519 -> X25519 -> account ID; plus account ID parsing.

#include <gtest/gtest.h>

#include "crypto/account_id.hpp"
#include "crypto/keys.hpp"
#include "support/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::crypto {
namespace {

using test::hex;

TEST(Identity, EveryVectorDerivesTheSameKeysAndAccountId) {
  auto v = test::load_vectors("identity.json");
  ASSERT_GE(v["cases"].size(), 11u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    Keypair kp = test::keypair(c["seed"]);
    EXPECT_EQ(kp.ed25519_public().hex(), c["ed25519_public_key"]);
    EXPECT_EQ(base::to_hex(kp.ed25519_secret().span()), c["ed25519_secret_key"]);
    EXPECT_EQ(kp.x25519_public().hex(), c["x25519_public_key"]);
    EXPECT_EQ(base::to_hex(kp.x25519_secret().span()), c["x25519_secret_key"]);
    EXPECT_EQ(account_id_of(kp).hex(), c["session_id"]);
    // The public conversion alone agrees with the keypair's.
    auto x = to_x25519(kp.ed25519_public());
    ASSERT_TRUE(x);
    EXPECT_EQ(*x, kp.x25519_public());
    EXPECT_EQ(x25519_public_of(kp.x25519_secret()), kp.x25519_public());
  }
  for (const auto& c : v["group_id_cases"]) {
    Keypair kp = test::keypair(c["seed"]);
    EXPECT_EQ(kp.ed25519_public().hex(), c["ed25519_public_key"]);
    EXPECT_EQ("03" + kp.ed25519_public().hex(), c["group_id"]);
  }
}

TEST(AccountId, ParsesAndPrintsLowerCase) {
  std::string id = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
  auto a = AccountId::parse(id);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->hex(), id);
  std::string upper = id;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(ch));
  auto b = AccountId::parse(upper);
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->bytes()[0], 0x05);
  EXPECT_EQ(a->short_id().to_log(), "05d2ad01…");
}

TEST(AccountId, RejectsWrongLengthPrefixAndHexWithClearMessages) {
  auto short_id = AccountId::parse("05d2ad");
  ASSERT_FALSE(short_id);
  EXPECT_TRUE(short_id.error().is(Errc::WrongLength));
  EXPECT_NE(short_id.error().message().find("66"), std::string::npos);

  auto group = AccountId::parse("03c50cb3ae956947a8de19135b5be2685ff348afc63fc34a837aca12bc5c1f5625");
  ASSERT_FALSE(group);
  EXPECT_TRUE(group.error().is(Errc::WrongPrefix));
  EXPECT_NE(group.error().message().find("group"), std::string::npos);

  auto not_hex = AccountId::parse("05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a7z");
  ASSERT_FALSE(not_hex);
  EXPECT_TRUE(not_hex.error().is(Errc::BadHex));

  auto spaces = AccountId::parse(" 05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a7");
  EXPECT_FALSE(spaces);
}

TEST(Keys, SignAndVerify) {
  base::SeededRng rng(1);
  Keypair kp = Keypair::generate(rng);
  Bytes msg = to_bytes("message");
  Signature sig = sign(kp.ed25519_secret(), msg);
  EXPECT_TRUE(verify(sig, msg, kp.ed25519_public()));
  msg[0] ^= 1;
  EXPECT_FALSE(verify(sig, msg, kp.ed25519_public()));
  Keypair other = Keypair::generate(rng);
  msg[0] ^= 1;
  EXPECT_FALSE(verify(sig, msg, other.ed25519_public()));
}

TEST(Keys, X25519SharedSecretAgreesAndRejectsLowOrder) {
  base::SeededRng rng(2);
  Keypair a = Keypair::generate(rng), b = Keypair::generate(rng);
  auto ab = x25519_shared(a.x25519_secret(), b.x25519_public());
  auto ba = x25519_shared(b.x25519_secret(), a.x25519_public());
  ASSERT_TRUE(ab && ba);
  EXPECT_EQ(base::to_hex(ab->span()), base::to_hex(ba->span()));
  X25519Public zero{};  // the identity point: low order
  auto bad = x25519_shared(a.x25519_secret(), zero);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(Errc::BadKey));
}

TEST(Keys, FromHexChecksLengthAndCharacters) {
  EXPECT_TRUE(Ed25519Public::from_hex(std::string(64, 'a')));
  EXPECT_FALSE(Ed25519Public::from_hex(std::string(62, 'a')));
  EXPECT_FALSE(X25519Public::from_hex(std::string(63, 'a') + "x"));
}

}  // namespace
}  // namespace sotto::crypto
