// base::read_json: JSON from outside, read with limits on size, depth and values. Within
// the limits it gives exactly nlohmann's document; past them it stops with the limit's
// error, however deep or large the input (the stack-overflow class of issue 19).
#include "base/json.hpp"

#include <gtest/gtest.h>

#include "base/errc.hpp"

namespace sotto::base {
namespace {

using nlohmann::json;

std::string nested(std::size_t depth, std::string_view open = "[", std::string_view close = "]", std::string_view leaf = "1") {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += open;
  s += leaf;
  for (std::size_t i = 0; i < depth; ++i) s += close;
  return s;
}

TEST(ReadJson, GivesNlohmannsDocumentForOrdinaryInput) {
  for (std::string text : {R"({"method":"store","params":{"pubkey":"05ab","ttl":86400000,"data":"aGk=","f":-1.5e3,"n":null,"b":true}})",
                           R"([1,-2,3.5,"x\u00e9\ud83d\ude00",[],{},[{"a":[null]}]])", R"("just a string")", "42", "  {\"a\" : 1 }  ",
                           "\xEF\xBB\xBF{\"bom\":1}"}) {
    auto got = read_json(text, {});
    ASSERT_TRUE(got) << text << ": " << got.error().message();
    EXPECT_EQ(*got, json::parse(text)) << text;
  }
}

TEST(ReadJson, KeepsTheLastOfRepeatedKeysAsNlohmannDoes) {
  auto got = read_json(R"({"a":1,"b":2,"a":{"c":3}})", {});
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["a"], json::parse(R"({"c":3})"));
  EXPECT_EQ(got->size(), 2u);
}

TEST(ReadJson, RefusesWhatIsNotJson) {
  for (std::string text : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "nul", "\"\xff\"", "{'a':1}", "[1] [2]", "\"a\x01\""}) {
    auto got = read_json(text, {});
    ASSERT_FALSE(got) << text;
    EXPECT_TRUE(got.error().is(Errc::BadJson)) << text << ": " << got.error().token();
  }
  auto arr = read_json_object("[1]", {});
  ASSERT_FALSE(arr);
  EXPECT_TRUE(arr.error().is(Errc::BadJson));
}

TEST(ReadJson, TakesNestingUpToTheLimitAndNoDeeper) {
  JsonLimits l;
  l.max_depth = 8;
  EXPECT_TRUE(read_json(nested(8), l));
  EXPECT_TRUE(read_json(nested(4, R"({"a":[)", "]}"), l));  // 4 objects and 4 arrays: depth 8
  auto deeper = read_json(nested(9), l);
  ASSERT_FALSE(deeper);
  EXPECT_TRUE(deeper.error().is(Errc::TooDeep)) << deeper.error().message();
  auto mixed = read_json(nested(5, R"({"a":[)", "]}"), l);
  ASSERT_FALSE(mixed);
  EXPECT_TRUE(mixed.error().is(Errc::TooDeep));
  EXPECT_EQ(deeper.error().message(), "JSON nested deeper than 8 levels");  // names the limit, never the input
}

// A MiB of nesting, closed or not, in an array or an object member: refused at the limit,
// long before the end of the text (nlohmann would parse it, then overflow the stack
// copying or dumping it).
TEST(ReadJson, AMebibyteOfNestingIsRefusedWithoutRecursion) {
  const std::size_t n = 512 * 1024;
  for (const std::string& text : {nested(n), std::string(n * 2, '['), nested(n / 6, R"({"a":[)", "]}"),
                                  R"({"method":"expire","params":{"expiry":)" + nested(n) + "}}"}) {
    JsonLimits l;
    l.max_bytes = 2 << 20;
    auto got = read_json(text, l);
    ASSERT_FALSE(got);
    EXPECT_TRUE(got.error().is(Errc::TooDeep)) << got.error().message();
  }
}

TEST(ReadJson, BoundsTheTextAndTheNumberOfValues) {
  JsonLimits l;
  l.max_bytes = 10;
  auto big = read_json("[1,2,3,4,5,6]", l);
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().is(Errc::TooLarge));
  EXPECT_TRUE(read_json("[1,2,3,4]", l));

  JsonLimits v;
  v.max_values = 5;  // the array and four numbers
  EXPECT_TRUE(read_json("[1,2,3,4]", v));
  auto many = read_json("[1,2,3,4,5]", v);
  ASSERT_FALSE(many);
  EXPECT_TRUE(many.error().is(Errc::TooLarge));
  EXPECT_TRUE(read_json(R"({"a":1,"b":2,"c":3,"d":4})", v));  // keys do not count
  EXPECT_FALSE(read_json(R"({"a":{},"b":[],"c":3,"d":4,"e":5})", v));
}

}  // namespace
}  // namespace sotto::base
