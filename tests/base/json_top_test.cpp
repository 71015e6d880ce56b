// base::JsonTop reads the top level of a JSON object as strictly as nlohmann::json does:
// each case is checked against nlohmann here, and the fuzz target json_top compares the
// two on arbitrary input.
#include "base/json_top.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sotto::base {
namespace {

using nlohmann::json;

bool nlohmann_accepts(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  return !j.is_discarded() && j.is_object();
}

TEST(JsonTop, ReadsTheMembersOfAnOnionHeader) {
  std::string text = R"({"ephemeral_key": "0a1b", "enc_type":"xchacha20", "hop_no": 2, "json": true, "x": null, "h": {"a": [1, {"b": 2}]}, "f": -1.5e3})";
  auto j = JsonTop::parse(text);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->size(), 7u);
  EXPECT_EQ(j->find("ephemeral_key")->str(), "0a1b");
  EXPECT_EQ(j->find("enc_type")->str(), "xchacha20");
  EXPECT_EQ(j->find("hop_no")->unsigned_value, 2u);
  EXPECT_TRUE(j->find("json")->boolean);
  EXPECT_EQ(j->find("json")->kind, JsonValue::Kind::Bool);
  EXPECT_EQ(j->find("x")->kind, JsonValue::Kind::Null);
  EXPECT_EQ(j->find("h")->kind, JsonValue::Kind::Object);
  EXPECT_EQ(j->find("h")->raw, R"({"a": [1, {"b": 2}]})");
  EXPECT_EQ(j->find("f")->kind, JsonValue::Kind::Number);
  EXPECT_FALSE(j->find("f")->unsigned_value);
  EXPECT_EQ(j->find("missing"), nullptr);
}

TEST(JsonTop, DecodesEscapesInKeysAndValuesAsNlohmannDoes) {
  std::string text = R"({"\u0065nc_type": "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00", "k": "caf\u00E9"})";
  auto j = JsonTop::parse(text);
  ASSERT_TRUE(j);
  json n = json::parse(text);
  ASSERT_TRUE(j->find("enc_type"));
  EXPECT_EQ(j->find("enc_type")->str(), n["enc_type"].get<std::string>());
  EXPECT_EQ(j->find("k")->str(), "caf\xC3\xA9");
}

TEST(JsonTop, TheLastOfRepeatedKeysCounts) {
  std::string text = R"({"a": 1, "a": "two"})";
  auto j = JsonTop::parse(text);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->find("a")->str(), json::parse(text)["a"].get<std::string>());
}

TEST(JsonTop, NumbersAreUnsignedExactlyWhenNlohmannSaysSo) {
  for (std::string num : {"0", "7", "18446744073709551615", "18446744073709551616", "-0", "-1", "1.0", "1e2", "-9223372036854775808",
                          "-99999999999999999999", "1e-400", "123456789012345678901234567890"}) {
    std::string text = R"({"n": )" + num + "}";
    auto j = JsonTop::parse(text);
    ASSERT_TRUE(j) << num;
    json n = json::parse(text);
    EXPECT_EQ(j->find("n")->unsigned_value.has_value(), n["n"].is_number_unsigned()) << num;
    if (n["n"].is_number_unsigned()) {
      EXPECT_EQ(*j->find("n")->unsigned_value, n["n"].get<std::uint64_t>()) << num;
    }
  }
}

TEST(JsonTop, AcceptsAndRefusesWhatNlohmannDoes) {
  const std::vector<std::string> cases = {
      // accepted
      "{}", " \t\r\n{ } \n", "\xEF\xBB\xBF{}", R"({"a":[]})", R"({"a":[[[[{}]]]]})", R"({"a":"\u0000"})", "{\"a\":\"\xF0\x9F\x98\x80\"}",
      R"({"a":-0.0e+0})", R"({"a":1E5})",
      // refused
      "", "[]", "\"s\"", "1", "null", "{", "}", "{,}", R"({"a"})", R"({"a":})", R"({"a":1,})", R"({"a":1 "b":2})", R"({a:1})", R"({'a':1})",
      R"({"a":01})", R"({"a":1.})", R"({"a":.5})", R"({"a":1e})", R"({"a":+1})", R"({"a":-})", R"({"a":tru})", R"({"a":nul})", R"({"a":True})",
      R"({"a":1e400})", R"({"a":-1e400})", R"({"a":"\x"})", R"({"a":"\u12"})", R"({"a":"\ud800"})", R"({"a":"\udc00"})",
      R"({"a":"\ud800\u0041"})", "{\"a\":\"\x01\"}", "{\"a\":\"\xC0\x80\"}", "{\"a\":\"\xED\xA0\x80\"}", "{\"a\":\"\xF4\x90\x80\x80\"}",
      "{\"a\":\"\xE0\x80\x80\"}", "{\"a\":\"\xFF\"}", "{\"a\":\"\xC3\"}", R"({"a":1} x)", R"({"a":1}{})", R"({"a":[1,]})", R"({"a":[1 2]})",
      R"({"a":{"b"}})", R"({"a":{"b":1,}})", R"({"a":[}})", R"({"a":{]})", "\xEF\xBB{}", "/*c*/{}", R"({"a":"b)",
      std::string(300, '[')};
  for (const auto& text : cases) EXPECT_EQ(JsonTop::parse(text).has_value(), nlohmann_accepts(text)) << text;
}

TEST(JsonTop, RefusesBytesAfterTheObjectEvenBehindANul) {
  // nlohmann stops reading at a NUL byte outside a string, and so accepts anything after
  // one; JsonTop refuses it: the one place it is stricter.
  std::string text("{\"a\":1}\0junk", 12);
  EXPECT_TRUE(nlohmann_accepts(text));
  EXPECT_FALSE(JsonTop::parse(text));
  EXPECT_TRUE(JsonTop::parse(text.substr(0, 7)));
}

TEST(JsonTop, DeepNestingIsCheckedWithoutRecursion) {
  std::string deep = R"({"a":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  EXPECT_TRUE(JsonTop::parse(deep));
  std::string unclosed = R"({"a":)" + std::string(100'000, '[') + "}";
  EXPECT_FALSE(JsonTop::parse(unclosed));
}

}  // namespace
}  // namespace sotto::base
