// libsotto's public API (include/sotto/) in one process, as a program uses it: the checks
// a program makes before it asks for a passphrase or sends a request, accounts and their
// recovery phrase, and a program's own Transport whose failures keep their codes. (The
// conversation through the API on a devnet is tests/devnet/api_test.cpp.)

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sotto/account.hpp"
#include "sotto/dev.hpp"
#include "sotto/messenger.hpp"
#include "support/process.hpp"

namespace sotto {
namespace {

TEST(PublicApi, AMessageIsCheckedBeforeItCostsAnything) {
  EXPECT_EQ(check_message("").failure().code, "empty_message");
  EXPECT_TRUE(check_message(std::string(kMaxMessageText, 'a')));
  EXPECT_EQ(check_message(std::string(kMaxMessageText + 1, 'a')).failure().code, "too_long");
  EXPECT_TRUE(check_message("hi", kMaxDisappearSeconds));
  EXPECT_EQ(check_message("hi", kMaxDisappearSeconds + 1).failure().code, "bad_disappear");
}

TEST(PublicApi, ARecoveryPhraseBringsBackTheSameAccountAndAWrongOneSaysWhy) {
  test::TempDir tmp;
  auto made = create_account(tmp.sub("a"), nullptr);
  ASSERT_TRUE(made) << made.failure().message;
  EXPECT_EQ(made->account_id.size(), 66u);
  auto phrase = recovery_phrase(tmp.sub("a"), nullptr);
  ASSERT_TRUE(phrase) << phrase.failure().message;
  EXPECT_EQ(phrase->str(), made->recovery_phrase.str());
  EXPECT_TRUE(check_recovery_phrase(*phrase));

  EXPECT_EQ(check_recovery_phrase(Secret()).failure().code, "wrong_word_count");
  std::string words = phrase->str();
  EXPECT_EQ(check_recovery_phrase(Secret(words.substr(0, words.rfind(' ')).c_str(), words.rfind(' '))).failure().code, "wrong_word_count");
  std::string unknown = "zzzzzz" + words.substr(words.find(' '));
  EXPECT_EQ(check_recovery_phrase(Secret(unknown.data(), unknown.size())).failure().code, "unknown_word");

  auto again = restore_account(tmp.sub("b"), *phrase, nullptr);
  ASSERT_TRUE(again) << again.failure().message;
  EXPECT_EQ(again->account_id, made->account_id);
  auto twice = restore_account(tmp.sub("a"), *phrase, nullptr);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.failure().code, "account_exists");
  EXPECT_EQ(check_no_account(tmp.sub("a")).failure().code, "account_exists");
  EXPECT_TRUE(check_no_account(tmp.sub("c")));
}

TEST(PublicApi, DevInputIsCheckedBeforeThePassphrase) {
  EXPECT_TRUE(dev::check_route({}));
  EXPECT_TRUE(dev::check_route({"https://127.0.0.1:22021", false}));
  EXPECT_TRUE(dev::check_route({"127.0.0.1:22021", false}));  // the scheme may be left out
  EXPECT_EQ(dev::check_route({"https://127.0.0.1:0", false}).failure().code, "io");
  EXPECT_EQ(dev::check_route({"not a url", false}).failure().code, "io");
  EXPECT_TRUE(dev::check_message_data("aGk="));
  EXPECT_EQ(dev::check_message_data("not base64!").failure().code, "bad_base64");
  std::string big((76'800 / 3 + 1) * 4, 'A');  // 76,803 bytes once decoded
  EXPECT_EQ(dev::check_message_data(big).failure().code, "too_large");
}

// A program's transport: each POST fails with `code`, or answers `status`.
class FakeTransport : public Transport {
 public:
  std::string code;
  int status = 200;
  std::string body = "{}";
  int posts = 0;
  Outcome<HttpReply> post(const std::string&, std::uint16_t, const std::string&, const std::string&) override {
    ++posts;
    if (!code.empty()) return Failure{code, "the program's network said no"};
    return HttpReply{status, body};
  }
};

TEST(PublicApi, AProgramsTransportFailuresKeepTheirCodes) {
  test::TempDir tmp;
  dev::Route node{"https://127.0.0.1:22021", false};
  FakeTransport t;
  for (const char* code : {"timeout", "connect_failed", "closed", "stopped"}) {
    t.code = code;
    auto r = dev::rpc(tmp.path(), node, "info", "{}", &t);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.failure().code, code);
  }
  t.code = "proxy_down";  // the program's own code: kept in the sentence
  auto own = dev::rpc(tmp.path(), node, "info", "{}", &t);
  ASSERT_FALSE(own);
  EXPECT_EQ(own.failure().code, "unreachable");
  EXPECT_NE(own.failure().message.find("proxy_down"), std::string::npos);

  // Straight to a node, only a 200 of JSON is an answer.
  t.code.clear();
  t.status = 503;
  t.body = "busy";
  auto busy = dev::rpc(tmp.path(), node, "info", "{}", &t);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.failure().code, "io");
  EXPECT_NE(busy.failure().message.find("503"), std::string::npos);
  t.status = 200;
  t.body = "not json";
  EXPECT_EQ(dev::rpc(tmp.path(), node, "info", "{}", &t).failure().code, "io");
  t.body = R"({"version":[2,8,0]})";
  auto ok = dev::rpc(tmp.path(), node, "info", "{}", &t);
  ASSERT_TRUE(ok) << ok.failure().message;
  EXPECT_EQ(ok->status, 200);
  EXPECT_TRUE(ok->body_is_json);
  EXPECT_TRUE(ok->path.empty());

  // Params that are not an object never reach the transport.
  int before = t.posts;
  EXPECT_EQ(dev::rpc(tmp.path(), node, "info", "[1]", &t).failure().code, "bad_params");
  EXPECT_EQ(t.posts, before);
}

}  // namespace
}  // namespace sotto
