#include "base/bytes.hpp"

#include <gtest/gtest.h>

namespace sotto::base {
namespace {

TEST(Hex, RoundTripsAndPrintsLowerCase) {
  Bytes b{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(to_hex(b), "0001abff");
  auto back = from_hex("0001ABff");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, b);
  EXPECT_EQ(to_hex({}), "");
}

TEST(Hex, RejectsOddLengthAndBadCharacters) {
  auto odd = from_hex("abc");
  ASSERT_FALSE(odd);
  EXPECT_TRUE(odd.error().is(Errc::BadHex));
  auto bad = from_hex("0g");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(Errc::BadHex));
  EXPECT_NE(bad.error().message().find("position 2"), std::string::npos);
}

TEST(Hex, FixedLengthChecksTheSize) {
  EXPECT_TRUE((from_hex_fixed<2>("abcd")));
  auto r = from_hex_fixed<2>("abcdef");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::WrongLength));
}

// RFC 4648 §10 test vectors.
TEST(Base64, MatchesRfc4648) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  const char* unpadded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(to_base64(as_bytes(plain[i])), padded[i]);
    EXPECT_EQ(to_base64(as_bytes(plain[i]), Padding::No), unpadded[i]);
    auto a = from_base64(padded[i]);
    auto b = from_base64(unpadded[i]);
    ASSERT_TRUE(a) << padded[i];
    ASSERT_TRUE(b) << unpadded[i];
    EXPECT_EQ(as_chars(*a), plain[i]);
    EXPECT_EQ(as_chars(*b), plain[i]);
    std::string appended = "x:";
    append_base64(appended, as_bytes(plain[i]));
    EXPECT_EQ(appended, std::string("x:") + padded[i]);
  }
}

TEST(Base64, RejectsMalformedInput) {
  for (const char* bad : {"Z", "Zg=", "Zg===", "Z===", "Zh==", "Zm9v!", "Zm 9v", "=Zg=", "Zm8==", "Zg=A"}) {
    auto r = from_base64(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_TRUE(r.error().is(Errc::BadBase64)) << bad;
    }
  }
}

TEST(Endian, LoadsAndStoresBothOrders) {
  std::uint8_t buf[8];
  store_le<std::uint32_t>(buf, 0x01020304u);
  EXPECT_EQ(to_hex(ByteView(buf, 4)), "04030201");
  EXPECT_EQ(load_le<std::uint32_t>(buf), 0x01020304u);
  store_be<std::uint64_t>(buf, 0x0102030405060708ull);
  EXPECT_EQ(to_hex(ByteView(buf, 8)), "0102030405060708");
  EXPECT_EQ(load_be<std::uint64_t>(buf), 0x0102030405060708ull);
  Bytes out;
  append_le<std::uint16_t>(out, 0xbeef);
  append_be<std::uint16_t>(out, 0xbeef);
  EXPECT_EQ(to_hex(out), "efbebeef");
}

TEST(Reader, RefusesToReadPastTheEnd) {
  Bytes data{1, 2, 3, 4, 5};
  Reader r(data);
  auto v = r.le<std::uint32_t>();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 0x04030201u);
  auto over = r.take(2);
  ASSERT_FALSE(over);
  EXPECT_TRUE(over.error().is(Errc::Truncated));
  EXPECT_EQ(r.remaining(), 1u);  // a failed read consumes nothing
  EXPECT_EQ(r.rest().size(), 1u);
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace sotto::base
