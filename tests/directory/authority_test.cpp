// The authority engine's reachability schedule: tested at once on registration, once an
// epoch while it passes, sooner then less often while it fails (back-off); dropped from the
// vote only after kDropAfterFailures failures in a row, back after a pass.

#include "directory/authority.hpp"

#include <gtest/gtest.h>

#include "support/directory_world.hpp"

namespace sotto::directory {
namespace {

constexpr std::int64_t kAuthorityGenesis = 1'700'000'000, kEpochS = 80, kEpochMs = kEpochS * 1000;

struct Fixture {
  Network net;
  crypto::Keypair node = test::keypair(test::seed_hex(0x07));
  std::unique_ptr<Authority> auth;
  std::int64_t t = (kAuthorityGenesis + 10 * kEpochS) * 1000;  // some time in epoch 10
  Fixture() {
    net.network_id = "sotto-test";
    net.genesis = kAuthorityGenesis;
    net.epoch_seconds = kEpochS;
    net.swarm = {1, 1, 3};
    auto k = test::keypair(test::seed_hex(0x01));
    net.authorities.push_back({k.ed25519_public(), "https://127.0.0.1:1"});
    auth = std::make_unique<Authority>(net, test::keypair(test::seed_hex(0x01)));
  }
  Result<void> register_at(std::int64_t now, const std::string& ip = "10.0.0.1") {
    Descriptor d{net.network_id, node.ed25519_public(), node.x25519_public(), ip, 22021, "0.1.0", now};
    return auth->register_node(to_json(sign_descriptor(d, node.ed25519_secret())), now);
  }
  bool due(std::int64_t now) const { return !auth->due_for_test(now).empty(); }
  bool in_vote(std::int64_t now) { return !auth->vote(10, now).vote.nodes.empty(); }
};

TEST(Reachability, ANewNodeIsDueAtOnceThenOnceAnEpochWhileItPasses) {
  Fixture f;
  ASSERT_TRUE(f.register_at(f.t));
  EXPECT_TRUE(f.due(f.t));
  EXPECT_FALSE(f.in_vote(f.t));  // not tested yet
  f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, true, f.t);
  EXPECT_TRUE(f.in_vote(f.t));
  EXPECT_FALSE(f.due(f.t + kEpochMs - 1));
  EXPECT_TRUE(f.due(f.t + kEpochMs));
}

TEST(Reachability, FailuresBackOffAndOnlyThreeInARowDrop) {
  Fixture f;
  ASSERT_TRUE(f.register_at(f.t));
  f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, true, f.t);
  std::int64_t now = f.t + kEpochMs;
  // One failure (a timeout on a busy machine): still voted for, retested after epoch/8.
  f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, false, now);
  EXPECT_TRUE(f.in_vote(now));
  EXPECT_FALSE(f.due(now + kEpochMs / 8 - 1));
  EXPECT_TRUE(f.due(now + kEpochMs / 8));
  // A pass clears it.
  f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, true, now + kEpochMs / 8);
  EXPECT_TRUE(f.in_vote(now + kEpochMs / 8));
  EXPECT_FALSE(f.due(now + kEpochMs / 8 + kEpochMs - 1));
  // Failures in a row: waits of epoch/8, /4, /2, 1, 2, 4, 4 epochs; dropped at the third.
  now += kEpochMs;
  const std::int64_t waits[] = {kEpochMs / 8, kEpochMs / 4, kEpochMs / 2, kEpochMs, 2 * kEpochMs, 4 * kEpochMs, 4 * kEpochMs};
  for (int i = 0; i < 7; ++i) {
    f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, false, now);
    EXPECT_EQ(f.in_vote(now), i + 1 < Authority::kDropAfterFailures) << "after " << i + 1 << " failures";
    EXPECT_FALSE(f.due(now + waits[i] - 1)) << i;
    EXPECT_TRUE(f.due(now + waits[i])) << i;
    now += waits[i];
    ASSERT_TRUE(f.register_at(now));  // it keeps registering
  }
  // Back up: one pass and it is voted for again.
  f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, true, now);
  EXPECT_TRUE(f.in_vote(now));
}

TEST(Reachability, AMovedNodeIsTestedAtOnceAtItsNewAddressAndOldResultsDoNotCount) {
  Fixture f;
  ASSERT_TRUE(f.register_at(f.t));
  f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, true, f.t);
  std::int64_t now = f.t + 20'000;
  ASSERT_TRUE(f.register_at(now, "10.0.0.2"));
  EXPECT_TRUE(f.due(now));
  EXPECT_FALSE(f.in_vote(now));
  f.auth->tested(f.node.ed25519_public(), "10.0.0.1", 22021, true, now);  // a test of the old address
  EXPECT_FALSE(f.in_vote(now));
  f.auth->tested(f.node.ed25519_public(), "10.0.0.2", 22021, true, now);
  EXPECT_TRUE(f.in_vote(now));
}

}  // namespace
}  // namespace sotto::directory
