// The remembered onion guards (client/guards.hpp): their text in the profile, expiry, and
// what is kept when there are too many.

#include "client/guards.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sotto::client {
namespace {

crypto::Ed25519Public key(int i) {
  crypto::Ed25519Public k;
  k.bytes.fill(static_cast<std::uint8_t>(i));
  return k;
}

constexpr std::int64_t kDay = 86'400'000;

TEST(Guards, TheRecordReadsBackAsWritten) {
  std::vector<RememberedGuard> g{{key(1), 1000, 1000 + 40 * kDay}, {key(2), 2000, 2000 + 31 * kDay}};
  auto text = guards_text(g);
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "01";
  EXPECT_EQ(guards_text({g[0]}), R"([{"ed25519":")" + hex + R"(","since":1000,"until":3456001000}])");
  auto back = parse_guards(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, g);
  EXPECT_TRUE(parse_guards("[]")->empty());
}

TEST(Guards, AnUnreadableRecordIsAnErrorThatSaysWhatIsWrong) {
  std::string k1(64, '1'), k2(64, '2');
  auto entry = [](const std::string& k, const std::string& since, const std::string& until) {
    return R"({"ed25519":")" + k + R"(","since":)" + since + R"(,"until":)" + until + "}";
  };
  struct Case {
    std::string text, says;
  };
  std::vector<Case> cases{
      {"", "not a JSON array"},
      {"{}", "not a JSON array"},
      {"[1]", "entry 1 is not"},
      {"[" + entry(k1, "1", "2") + "," + R"({"ed25519":")" + k2 + R"(","since":1})" + "]", "entry 2 is not"},
      {"[" + entry(k1, "1", "2").insert(1, R"("x":0,)") + "]", "entry 1 is not"},
      {"[" + entry(k1, "\"1\"", "2") + "]", "entry 1 is not"},
      {"[" + entry(k1, "1.5", "2") + "]", "entry 1 is not"},
      {"[" + entry(std::string(63, '1'), "1", "2") + "]", "entry 1:"},
      {"[" + entry(std::string(64, 'g'), "1", "2") + "]", "entry 1:"},
      {"[" + entry(k1, "5", "5") + "]", "ends before it begins"},
      {"[" + entry(k1, "1", "2") + "," + entry(k1, "1", "2") + "]", "repeats a guard"},
  };
  std::string nine = "[";
  for (int i = 1; i <= 9; ++i) nine += (i > 1 ? "," : "") + entry(std::string(63, '0') + std::to_string(i), "1", "2");
  cases.push_back({nine + "]", "more than 8"});
  for (const auto& c : cases) {
    auto r = parse_guards(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().message().find("remembered onion guards"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << c.text << " -> " << r.error().message();
  }
}

TEST(Guards, ExpiredGuardsAreForgottenAndSoAreGuardsFromAClockThatWasAhead) {
  std::vector<RememberedGuard> g{{key(1), 0, 100}, {key(2), 0, 101}};
  EXPECT_EQ(unexpired(g, 100), (std::vector<RememberedGuard>{{key(2), 0, 101}}));
  EXPECT_TRUE(unexpired(g, 101).empty());
  // Saved while the clock was a year ahead: it would outlive any lifetime from now.
  std::int64_t now = 1'000 * kDay;
  std::vector<RememberedGuard> ahead{{key(3), now + 365 * kDay, now + 400 * kDay}, {key(4), now - kDay, now + kGuardLifetimeMaxMs}};
  EXPECT_EQ(unexpired(ahead, now), (std::vector<RememberedGuard>{ahead[1]}));
}

TEST(Guards, NewGuardsGetALifetimeOf30To60DaysAndKnownOnesAreKeptAsTheyAre) {
  base::SeededRng rng(3);
  std::vector<RememberedGuard> g{{key(1), 5, 5 + 45 * kDay}};
  std::set<std::int64_t> lifetimes;
  for (int round = 0; round < 200; ++round) {
    auto r = remember(g, {key(1), key(2)}, {}, 1'000'000, rng);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0], g[0]);
    EXPECT_EQ(r[1].ed25519, key(2));
    EXPECT_EQ(r[1].since_ms, 1'000'000);
    std::int64_t life = r[1].until_ms - r[1].since_ms;
    EXPECT_GE(life, kGuardLifetimeMinMs);
    EXPECT_LT(life, kGuardLifetimeMaxMs);
    lifetimes.insert(life);
  }
  EXPECT_GT(lifetimes.size(), 150u);  // drawn, not fixed
  EXPECT_EQ(remember(g, {key(1)}, {}, 9, rng), g);
}

TEST(Guards, PastEightTheUnlistedGoFirstThenTheLeastPreferredNeverOneInUse) {
  base::SeededRng rng(4);
  std::vector<RememberedGuard> g;
  for (int i = 1; i <= 8; ++i) g.push_back({key(i), i * 10, i * 10 + 40 * kDay});
  std::set<crypto::Ed25519Public> listed;
  for (int i = 1; i <= 20; ++i)
    if (i != 5) listed.insert(key(i));
  auto keys_of = [](const std::vector<RememberedGuard>& r) {
    std::vector<int> out;
    for (const auto& e : r) out.push_back(e.ed25519.bytes[0]);
    return out;
  };
  // 5 is not listed: it goes.
  EXPECT_EQ(keys_of(remember(g, {key(9)}, listed, 100, rng)), (std::vector<int>{1, 2, 3, 4, 6, 7, 8, 9}));
  listed.insert(key(5));
  // All listed: the least preferred (8) goes; the first preferred stay, so a guard that
  // failed once is not pushed out by the one that replaced it.
  EXPECT_EQ(keys_of(remember(g, {key(9)}, listed, 100, rng)), (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 9}));
  // 8 is in use: 7 goes instead.
  EXPECT_EQ(keys_of(remember(g, {key(8), key(9)}, listed, 100, rng)), (std::vector<int>{1, 2, 3, 4, 5, 6, 8, 9}));
  // More in use than the cap: still 8, so the record always reads back.
  std::vector<crypto::Ed25519Public> many;
  for (int i = 9; i <= 20; ++i) many.push_back(key(i));
  auto r = remember(g, many, listed, 100, rng);
  EXPECT_EQ(r.size(), kMaxRememberedGuards);
  EXPECT_TRUE(parse_guards(guards_text(r)));
}

}  // namespace
}  // namespace sotto::client
