#include "client/profile.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "crypto/account_id.hpp"
#include "support/process.hpp"

namespace sotto::client {
namespace {

TEST(Profile, CreatesAnAccountWithPrivatePermissionsAndNeverOverwrites) {
  test::TempDir tmp;
  Profile p(tmp.sub("profiles/alice"));
  EXPECT_FALSE(p.has_account());
  auto none = p.load_keys(nullptr);
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(Errc::NoAccount));

  base::SeededRng rng(1);
  crypto::Seed16 seed;
  rng.fill(seed.span());
  ASSERT_TRUE(p.create_account(seed, nullptr, crypto::PwhashParams::minimum(), rng));
  EXPECT_TRUE(p.has_account());
  struct stat st{};
  ASSERT_EQ(::stat(p.key_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(p.dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto keys = p.load_keys(nullptr);
  ASSERT_TRUE(keys);
  auto expect = crypto::Keypair::from_seed(crypto::session_seed(seed));
  EXPECT_EQ(crypto::account_id_of(*keys), crypto::account_id_of(expect));

  crypto::Seed16 other;
  rng.fill(other.span());
  auto again = p.create_account(other, nullptr, crypto::PwhashParams::minimum(), rng);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().is(Errc::AccountExists));
  auto still = p.load_keys(nullptr);
  ASSERT_TRUE(still);
  EXPECT_EQ(crypto::account_id_of(*still), crypto::account_id_of(expect));  // unchanged
  // No temporary files are left behind.
  std::size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(p.dir())) (void)e, ++files;
  EXPECT_EQ(files, 1u);
}

TEST(Profile, EncryptedAccountNeedsItsPassphrase) {
  test::TempDir tmp;
  Profile p(tmp.sub("bob"));
  base::SeededRng rng(2);
  crypto::Seed16 seed;
  rng.fill(seed.span());
  base::SecretBytes pw(std::string_view("s3cret")), wrong(std::string_view("secret"));
  ASSERT_TRUE(p.create_account(seed, &pw, crypto::PwhashParams::minimum(), rng));
  EXPECT_TRUE(*p.account_encrypted());
  EXPECT_TRUE(p.load_keys(nullptr).error().is(Errc::PassphraseRequired));
  EXPECT_TRUE(p.load_keys(&wrong).error().is(Errc::WrongPassphrase));
  EXPECT_TRUE(p.load_keys(&pw));
}

TEST(Profile, DefaultDirectoryFollowsXdg) {
  ::setenv("XDG_DATA_HOME", "/tmp/xdg-test", 1);
  EXPECT_EQ(default_profile_dir(), std::filesystem::path("/tmp/xdg-test/sotto/default"));
  ::unsetenv("XDG_DATA_HOME");
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(default_profile_dir(), std::filesystem::path("/home/someone/.local/share/sotto/default"));
}

}  // namespace
}  // namespace sotto::client
