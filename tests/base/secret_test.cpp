#include "base/secret.hpp"

#include <gtest/gtest.h>

#include <type_traits>

#include "base/log_safe.hpp"

namespace sotto::base {
namespace {

static_assert(!std::is_copy_constructible_v<Secret<32>>);
static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(LogSafe<ShortId>);
static_assert(LogSafe<Redacted<SecretBytes>>);
static_assert(LogSafe<int>);
static_assert(!LogSafe<std::string>);  // a raw string may hold anything: not log-safe

TEST(Secret, MovingWipesTheSource) {
  Secret<4> a;
  for (std::size_t i = 0; i < 4; ++i) a.data()[i] = static_cast<std::uint8_t>(i + 1);
  Secret<4> b = std::move(a);
  EXPECT_EQ(b.data()[3], 4);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(a.data()[i], 0);  // NOLINT(bugprone-use-after-move)
  Secret<4> c = b.clone();
  EXPECT_EQ(c.data()[0], 1);
}

TEST(Secret, WipeClearsMemory) {
  std::uint8_t buf[16];
  for (auto& x : buf) x = 0xaa;
  secure_wipe(buf, sizeof buf);
  for (auto x : buf) EXPECT_EQ(x, 0);
}

TEST(SecretBytes, HoldsAndMoves) {
  SecretBytes s(std::string_view("hunter2"));
  EXPECT_EQ(s.view(), "hunter2");
  SecretBytes t = std::move(s);
  EXPECT_EQ(t.view(), "hunter2");
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(t.clone().view(), "hunter2");
}

TEST(LogSafe, RedactsAndShortens) {
  SecretBytes s(std::string_view("secret"));
  EXPECT_EQ(to_log(Redacted<SecretBytes>(s)), "[redacted 6 bytes]");
  std::string id = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
  std::string shown = to_log(ShortId(id));
  EXPECT_EQ(shown, "05d2ad01…");
  EXPECT_EQ(shown.find("3a72"), std::string::npos);
  EXPECT_EQ(to_log(42), "42");
  EXPECT_EQ(to_log(true), "true");
}

}  // namespace
}  // namespace sotto::base
