#include "client/profile.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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

// The guarantee itself is linkat(2) refusing an existing name; a dangling symlink gets
// past the friendly early check (it does not "exist") and must still be refused there.
TEST(Profile, TheAtomicLinkRefusesAnExistingName) {
  test::TempDir tmp;
  Profile p(tmp.sub("c"));
  ASSERT_EQ(::mkdir(p.dir().c_str(), 0700), 0);
  std::filesystem::create_symlink(tmp.sub("elsewhere"), p.key_path());
  ASSERT_FALSE(p.has_account());
  base::SeededRng rng(3);
  crypto::Seed16 seed;
  rng.fill(seed.span());
  auto r = p.create_account(seed, nullptr, crypto::PwhashParams::minimum(), rng);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::AccountExists)) << r.error().message();
  EXPECT_TRUE(std::filesystem::is_symlink(p.key_path()));
  EXPECT_FALSE(std::filesystem::exists(tmp.sub("elsewhere")));  // nothing written through the link
}

TEST(Profile, RefusesADirectoryOthersCanWriteOrThatIsNotOurs) {
  test::TempDir tmp;
  base::SeededRng rng(4);
  crypto::Seed16 seed;
  rng.fill(seed.span());
  Profile shared(tmp.sub("shared"));
  ASSERT_EQ(::mkdir(shared.dir().c_str(), 0700), 0);
  ASSERT_EQ(::chmod(shared.dir().c_str(), 0770), 0);
  auto r = shared.create_account(seed, nullptr, crypto::PwhashParams::minimum(), rng);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::Io));
  EXPECT_NE(r.error().message().find("writable by other users"), std::string::npos);
  EXPECT_FALSE(shared.has_account());
  if (::geteuid() == 0) {  // only root can give a directory away
    Profile foreign(tmp.sub("foreign"));
    ASSERT_EQ(::mkdir(foreign.dir().c_str(), 0700), 0);
    ASSERT_EQ(::chown(foreign.dir().c_str(), 65534, 65534), 0);
    auto f = foreign.create_account(seed, nullptr, crypto::PwhashParams::minimum(), rng);
    ASSERT_FALSE(f);
    EXPECT_NE(f.error().message().find("belongs to another user"), std::string::npos);
  }
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
  EXPECT_EQ(*default_profile_dir(), std::filesystem::path("/tmp/xdg-test/sotto/default"));
  ::setenv("XDG_DATA_HOME", "relative/ignored", 1);  // the XDG spec: ignore a relative one
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(*default_profile_dir(), std::filesystem::path("/home/someone/.local/share/sotto/default"));
  ::unsetenv("XDG_DATA_HOME");
  ::unsetenv("HOME");
  auto none = default_profile_dir();
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("--profile"), std::string::npos);
}

}  // namespace
}  // namespace sotto::client
