#include "base/result.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "base/errc.hpp"

namespace sotto {
namespace {

Result<int> half(int x) {
  if (x % 2) return Error(base::Errc::WrongLength, "odd");
  return x / 2;
}

TEST(Result, HoldsAValueOrAnError) {
  auto ok = half(4);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(base::Errc::WrongLength));
  EXPECT_FALSE(bad.error().is(base::Errc::BadHex));
  EXPECT_EQ(bad.error().message(), "odd");
  EXPECT_EQ(bad.error().token(), "wrong_length");
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, MessageFallsBackToTheToken) {
  Error e(base::Errc::BadBase64);
  EXPECT_EQ(e.message(), "bad_base64");
  EXPECT_EQ(e.code().category().name(), std::string("sotto.base"));
}

TEST(Result, CarriesMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(5));
  ASSERT_TRUE(r);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(Result, VoidResult) {
  Result<void> ok;
  EXPECT_TRUE(ok);
  Result<void> bad = base::Errc::Io;
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(base::Errc::Io));
}

}  // namespace
}  // namespace sotto
