// The account key file (docs/wire/key-file.md): the pinned vector, round trips, and
// every way a damaged or hostile file is refused.

#include "client/key_file.hpp"

#include <gtest/gtest.h>

#include "support/vectors.hpp"

namespace sotto::client {
namespace {

crypto::Seed16 seed_0f() {
  return crypto::Seed16(std::span<const std::uint8_t, 16>(test::hex("000102030405060708090a0b0c0d0e0f").data(), 16));
}

// The check was computed independently with libsodium.js:
// crypto_generichash(16, <the 27 bytes>, "sotto-keyfile-v1").
TEST(KeyFile, PlainFileMatchesThePinnedVector) {
  base::SeededRng rng(1);
  auto f = encode_key_file(seed_0f(), nullptr, crypto::PwhashParams::minimum(), rng);
  ASSERT_TRUE(f);
  EXPECT_EQ(base::to_hex(*f), "534f54544f4b455901001000" "0102030405060708090a0b0c0d0e0f" "36ea554450b9755ee04425f2bac613b4");
  EXPECT_EQ(f->size(), kPlainKeyFileSize);
  auto enc = key_file_encrypted(*f);
  ASSERT_TRUE(enc);
  EXPECT_FALSE(*enc);
  auto s = decode_key_file(*f, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(base::to_hex(s->span()), "000102030405060708090a0b0c0d0e0f");
}

TEST(KeyFile, EncryptedFileNeedsTheRightPassphrase) {
  base::SeededRng rng(2);
  base::SecretBytes pw(std::string_view("correct horse battery staple")), wrong(std::string_view("correct horse"));
  auto f = encode_key_file(seed_0f(), &pw, crypto::PwhashParams::minimum(), rng);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), kEncryptedKeyFileSize);
  EXPECT_TRUE(*key_file_encrypted(*f));
  // The seed is not in the file in the clear.
  EXPECT_EQ(base::to_hex(*f).find("000102030405060708090a0b0c0d0e0f"), std::string::npos);
  auto ok = decode_key_file(*f, &pw);
  ASSERT_TRUE(ok);
  EXPECT_EQ(base::to_hex(ok->span()), "000102030405060708090a0b0c0d0e0f");
  auto bad = decode_key_file(*f, &wrong);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(Errc::WrongPassphrase));
  auto none = decode_key_file(*f, nullptr);
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(Errc::PassphraseRequired));
}

TEST(KeyFile, EveryFlippedByteIsRefused) {
  base::SeededRng rng(3);
  base::SecretBytes pw(std::string_view("pw"));
  for (bool encrypted : {false, true}) {
    auto f = encode_key_file(seed_0f(), encrypted ? &pw : nullptr, crypto::PwhashParams::minimum(), rng);
    ASSERT_TRUE(f);
    for (std::size_t i = 0; i < f->size(); ++i) {
      Bytes bad = *f;
      bad[i] ^= 0x01;
      auto r = decode_key_file(bad, &pw);
      ASSERT_FALSE(r) << (encrypted ? "encrypted" : "plain") << " byte " << i;
      EXPECT_TRUE(r.error().is(Errc::BadKeyFile) || r.error().is(Errc::WrongPassphrase)) << r.error().token();
    }
  }
}

TEST(KeyFile, TruncatedOversizeAndHostileFilesAreRefused) {
  base::SeededRng rng(4);
  base::SecretBytes pw(std::string_view("pw"));
  auto f = encode_key_file(seed_0f(), &pw, crypto::PwhashParams::minimum(), rng);
  ASSERT_TRUE(f);
  for (std::size_t n = 0; n < f->size(); ++n) {
    auto r = decode_key_file(ByteView(*f).first(n), &pw);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(Errc::BadKeyFile)) << n;
  }
  Bytes longer = *f;
  longer.push_back(0);
  EXPECT_TRUE(decode_key_file(longer, &pw).error().is(Errc::BadKeyFile));
  // Parameters asking for 8 GiB are refused before Argon2id runs.
  Bytes greedy = *f;
  base::store_le<std::uint32_t>(greedy.data() + 15, 8u * 1024 * 1024);
  auto g = decode_key_file(greedy, &pw);
  ASSERT_FALSE(g);
  EXPECT_TRUE(g.error().is(Errc::BadKeyFile));
  EXPECT_NE(g.error().message().find("out of bounds"), std::string::npos);
  // Not a key file at all.
  EXPECT_TRUE(key_file_encrypted(to_bytes("hello world, this is not a key")).error().is(Errc::BadKeyFile));
}

}  // namespace
}  // namespace sotto::client
