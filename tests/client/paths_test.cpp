// PathPool: paths from the consensus's nodes, distinct /24s where there are enough, the
// destination never on its own path, strikes dropping nodes and paths.

#include "client/paths.hpp"

#include <gtest/gtest.h>

#include "client/errc.hpp"

namespace sotto::client {
namespace {

directory::ConsensusNode node(int i, const std::string& ip) {
  directory::ConsensusNode n;
  n.ed25519.bytes.fill(static_cast<std::uint8_t>(i));
  n.x25519.bytes.fill(static_cast<std::uint8_t>(i));
  n.ip = ip;
  n.port_https = static_cast<std::uint16_t>(20000 + i);
  return n;
}

// n nodes, each in its own /24 (127.0.(10+i).1), or all in one when `one_subnet`.
std::vector<directory::ConsensusNode> nodes(int n, bool one_subnet = false) {
  std::vector<directory::ConsensusNode> v;
  for (int i = 1; i <= n; ++i) v.push_back(node(i, one_subnet ? "127.0.0.1" : "127.0." + std::to_string(10 + i) + ".1"));
  return v;
}

TEST(Paths, SubnetOf) {
  EXPECT_EQ(subnet_of("10.231.2.2"), "10.231.2");
  EXPECT_EQ(subnet_of("::1"), "::1");
}

TEST(Paths, TwoPathsAroundDistinctGuardsInDistinctSubnetsAvoidingTheDestination) {
  base::SeededRng rng(1);
  PathPool pool(rng);
  pool.set_nodes(nodes(12));
  for (int round = 0; round < 200; ++round) {
    auto dest = node(1 + round % 12, "").ed25519;
    auto p = pool.path_for(dest);
    ASSERT_TRUE(p);
    ASSERT_EQ(p->hops.size(), 3u);
    EXPECT_FALSE(p->contains(dest));
    std::set<std::string> subnets;
    for (const auto& h : p->hops) subnets.insert(subnet_of(h.ip));
    EXPECT_EQ(subnets.size(), 3u);
  }
  ASSERT_GE(pool.paths().size(), 2u);
  EXPECT_NE(pool.paths()[0].hops[0].ed25519, pool.paths()[1].hops[0].ed25519);
  // Destinations on every path got extra paths around the same 2 guards, never a third.
  EXPECT_EQ(pool.guards().size(), 2u);
  EXPECT_LE(pool.paths().size(), 4u);
}

TEST(Paths, ASuccessClearsStrikes) {
  base::SeededRng rng(8);
  PathPool pool(rng);
  pool.set_nodes(nodes(8));
  auto p = pool.path_for(node(8, "").ed25519);
  ASSERT_TRUE(p);
  pool.strike_node(p->hops[1].ed25519);
  pool.strike_node(p->hops[1].ed25519);
  pool.strike_path(p->id);
  pool.strike_path(p->id);
  pool.succeeded(p->id);
  pool.strike_node(p->hops[1].ed25519);
  pool.strike_path(p->id);
  EXPECT_FALSE(pool.dropped(p->hops[1].ed25519));
  EXPECT_TRUE(std::any_of(pool.paths().begin(), pool.paths().end(), [&](const Path& x) { return x.id == p->id; }));
}

TEST(Paths, OneSubnetStillGivesDistinctNodes) {
  base::SeededRng rng(2);
  PathPool pool(rng);
  pool.set_nodes(nodes(5, true));
  auto p = pool.path_for(node(1, "").ed25519);
  ASSERT_TRUE(p);
  std::set<crypto::Ed25519Public> distinct;
  for (const auto& h : p->hops) distinct.insert(h.ed25519);
  EXPECT_EQ(distinct.size(), 3u);
}

TEST(Paths, TooFewNodesSaysSo) {
  base::SeededRng rng(3);
  PathPool pool(rng);
  pool.set_nodes(nodes(3));
  auto p = pool.path_for(node(1, "").ed25519);  // 2 nodes besides the destination
  ASSERT_FALSE(p);
  EXPECT_TRUE(p.error().is(Errc::NoPath));
  EXPECT_NE(p.error().message().find("3 usable node(s)"), std::string::npos);
  EXPECT_TRUE(pool.path_for(node(9, "").ed25519));  // a destination outside the 3: fine
}

TEST(Paths, ThreeStrikesDropANodeAndEveryPathThroughIt) {
  base::SeededRng rng(4);
  PathPool pool(rng);
  pool.set_nodes(nodes(6));
  auto dest = node(6, "").ed25519;
  auto p = pool.path_for(dest);
  ASSERT_TRUE(p);
  auto bad = p->hops[1].ed25519;
  pool.strike_node(bad);
  pool.strike_node(bad);
  EXPECT_FALSE(pool.dropped(bad));
  EXPECT_TRUE(std::any_of(pool.paths().begin(), pool.paths().end(), [&](const Path& x) { return x.contains(bad); }));
  pool.strike_node(bad);
  EXPECT_TRUE(pool.dropped(bad));
  for (const auto& x : pool.paths()) EXPECT_FALSE(x.contains(bad));
  for (int i = 0; i < 50; ++i) {
    auto q = pool.path_for(dest);
    ASSERT_TRUE(q);
    EXPECT_FALSE(q->contains(bad));
  }
  EXPECT_EQ(pool.usable_nodes(), 5u);
}

TEST(Paths, ThreeStrikesDropAPathAndItIsRebuiltAroundANewGuard) {
  base::SeededRng rng(5);
  PathPool pool(rng);
  pool.set_nodes(nodes(12));
  auto dest = node(12, "").ed25519;
  auto p = pool.path_for(dest);
  ASSERT_TRUE(p);
  for (int i = 0; i < 3; ++i) pool.strike_path(p->id);
  for (const auto& x : pool.paths()) EXPECT_NE(x.id, p->id);
  auto q = pool.path_for(dest);
  ASSERT_TRUE(q);
  EXPECT_EQ(pool.paths().size(), 2u);
  EXPECT_NE(pool.paths()[0].hops[0].ed25519, pool.paths()[1].hops[0].ed25519);
}

TEST(Paths, ARetryAvoidsThePathThatFailed) {
  base::SeededRng rng(6);
  PathPool pool(rng);
  pool.set_nodes(nodes(12));
  auto dest = node(12, "").ed25519;
  for (int i = 0; i < 50; ++i) {
    auto p = pool.path_for(dest);
    ASSERT_TRUE(p);
    auto q = pool.path_for(dest, {p->id, {}});
    ASSERT_TRUE(q);
    EXPECT_NE(q->id, p->id);
    auto bad = p->hops[2].ed25519;
    auto r = pool.path_for(dest, {std::nullopt, {bad}});
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->contains(bad));
  }
}

TEST(Paths, ANewConsensusDropsPathsThroughNodesThatLeftOrMoved) {
  base::SeededRng rng(7);
  PathPool pool(rng);
  auto all = nodes(8);
  pool.set_nodes(all);
  auto p = pool.path_for(node(8, "").ed25519);
  ASSERT_TRUE(p);
  auto moved = all;
  for (auto& n : moved)
    if (n.ed25519 == p->hops[2].ed25519) n.port_https += 1;
  pool.set_nodes(moved);
  for (const auto& x : pool.paths()) EXPECT_FALSE(x.id == p->id);
}

// Remembered guards come first, in order, whatever the randomness; one that is not listed
// or has been struck out is passed over (and a random node takes its place), one that is
// the destination still stands in the pool, and a guard is confirmed by a success.
TEST(Paths, PreferredGuardsAreTakenFirstAndInTheirOrder) {
  auto k = [](int i) { return node(i, "").ed25519; };
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    base::SeededRng rng(seed);
    PathPool pool(rng);
    pool.set_nodes(nodes(12));
    pool.prefer_guards({k(20), k(7), k(3), k(9)});  // 20 is not listed
    auto p = pool.path_for(k(1));
    ASSERT_TRUE(p);
    EXPECT_EQ(pool.guards(), (std::set<crypto::Ed25519Public>{k(7), k(3)})) << "seed " << seed;
    EXPECT_EQ(pool.paths()[0].hops[0].ed25519, k(7));
    EXPECT_TRUE(pool.confirmed_guards().empty());
    pool.succeeded(p->id);
    EXPECT_EQ(pool.confirmed_guards(), std::vector<crypto::Ed25519Public>{p->hops[0].ed25519});
  }
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    base::SeededRng rng(seed);
    PathPool pool(rng);
    pool.set_nodes(nodes(12));
    pool.prefer_guards({k(7), k(3)});
    auto p = pool.path_for(k(7));  // the first preferred guard is the destination
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->contains(k(7)));
    EXPECT_EQ(p->hops[0].ed25519, k(3));
    EXPECT_EQ(pool.guards(), (std::set<crypto::Ed25519Public>{k(7), k(3)})) << "seed " << seed;
    // Guard 7 struck out: its path is rebuilt around the next preferred guard that will
    // do (none: 3 is held), so around a random node.
    for (int i = 0; i < PathPool::kStrikes; ++i) pool.strike_node(k(7));
    auto q = pool.path_for(k(1));
    ASSERT_TRUE(q);
    auto g = pool.guards();
    EXPECT_EQ(g.size(), 2u);
    EXPECT_TRUE(g.count(k(3)));
    EXPECT_FALSE(g.count(k(7)));
  }
}

// What a client remembers is what its paths use now with a success; a retired guard (its
// time is up) loses its paths and its preference.
TEST(Paths, ConfirmedGuardsAreTheHeldOnesAndARetiredGuardLosesItsPaths) {
  auto k = [](int i) { return node(i, "").ed25519; };
  base::SeededRng rng(11);
  PathPool pool(rng);
  pool.set_nodes(nodes(12));
  pool.prefer_guards({k(7), k(3)});
  auto p = pool.path_for(k(1));
  ASSERT_TRUE(p);
  for (const auto& x : pool.paths()) pool.succeeded(x.id);
  EXPECT_EQ(pool.confirmed_guards(), (std::vector<crypto::Ed25519Public>{k(7), k(3)}));
  for (int i = 0; i < PathPool::kStrikes; ++i) pool.strike_node(k(3));  // struck out: not held, not reported
  EXPECT_EQ(pool.confirmed_guards(), std::vector<crypto::Ed25519Public>{k(7)});
  pool.retire_guard(k(7));
  EXPECT_TRUE(pool.paths().empty());
  EXPECT_TRUE(pool.confirmed_guards().empty());
  // Retired, 7 is a node like any other: over 20 seeds a guard now and then, not always.
  int seven = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    base::SeededRng r(seed);
    PathPool fresh(r);
    fresh.set_nodes(nodes(12));
    fresh.prefer_guards({k(7), k(3)});
    fresh.retire_guard(k(7));
    ASSERT_TRUE(fresh.path_for(k(1)));
    EXPECT_TRUE(fresh.guards().count(k(3)));
    seven += static_cast<int>(fresh.guards().count(k(7)));
  }
  EXPECT_LT(seven, 10);
}

}  // namespace
}  // namespace sotto::client
