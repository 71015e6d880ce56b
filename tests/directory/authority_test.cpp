// The authority engine's reachability schedule: tested at once on registration, once an
// epoch while it passes, sooner then less often while it fails (back-off); dropped from the
// vote only after kDropAfterFailures failures in a row, back after a pass.

#include "directory/authority.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

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
    return auth->register_node(to_json(sign_descriptor(d, node.ed25519_secret())), ip, now);
  }
  // A descriptor of its own for node number `i`, at `ip`, sent from `from`.
  Result<void> register_other(int i, const std::string& ip, std::int64_t now, const std::string& from) {
    char seed[65];
    std::snprintf(seed, sizeof seed, "%064x", i + 0x1000);
    auto k = test::keypair(seed);
    Descriptor d{net.network_id, k.ed25519_public(), k.x25519_public(), ip, 22021, "0.1.0", now};
    return auth->register_node(to_json(sign_descriptor(d, k.ed25519_secret())), from, now);
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

// Only a node registers itself: a descriptor sent from another address is refused, and
// nothing is held.
TEST(Registration, ADescriptorSentFromAnotherAddressIsRefused) {
  Fixture f;
  Descriptor d{f.net.network_id, f.node.ed25519_public(), f.node.x25519_public(), "10.0.0.1", 22021, "0.1.0", f.t};
  auto r = f.auth->register_node(to_json(sign_descriptor(d, f.node.ed25519_secret())), "10.9.9.9", f.t);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::WrongAddress));
  EXPECT_FALSE(f.due(f.t));
}

// 20,000 bogus registrations from 10 addresses: each address holds at most
// registrations_per_ip(), and an honest node from elsewhere registers, is among the first
// tested, and is in the next vote.
TEST(Registration, AFloodFromTenAddressesDoesNotKeepAnHonestNodeOut) {
  Fixture f;
  std::size_t held = 0, refused = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string ip = "192.0.2." + std::to_string(1 + i % 10);
    auto r = f.register_other(i, ip, f.t, ip);
    if (r) ++held;
    else if (r.error().is(Errc::TooFrequent)) ++refused;
  }
  EXPECT_EQ(held, 10 * f.auth->registrations_per_ip());
  EXPECT_EQ(held + refused, 20'000u);
  std::int64_t later = f.t + 1000;
  ASSERT_TRUE(f.register_at(later, "10.0.0.1"));
  // The bogus ones registered first and are tested first, but in rounds of 16 the honest
  // node's turn comes within a few rounds, not after a pass through thousands.
  bool found = false;
  for (int round = 0; round < 10 && !found; ++round) {
    for (const auto& n : f.auth->due_for_test(later, 16)) {
      bool honest = n.ed25519 == f.node.ed25519_public();
      f.auth->tested(n.ed25519, n.ip, n.port_https, honest, later);
      found = found || honest;
    }
  }
  EXPECT_TRUE(found);
  auto v = f.auth->vote(10, later);
  ASSERT_EQ(v.vote.nodes.size(), 1u);
  EXPECT_EQ(v.vote.nodes[0].descriptor.ed25519, f.node.ed25519_public());
}

// New registrations that have not passed a test have a cap of their own; when it is full,
// the one that failed the most tests is forgotten to make room, and if none failed yet the
// newcomer waits (429).
TEST(Registration, UntestedRegistrationsHaveACapAndTheWorstMakesRoom) {
  Fixture f;
  const std::size_t per_ip = f.auth->registrations_per_ip();
  const int n = static_cast<int>(Authority::kMaxUntested);
  for (int i = 0; i < n; ++i) {
    std::string ip = "198.51." + std::to_string(i / static_cast<int>(per_ip) / 250) + "." + std::to_string(1 + (i / static_cast<int>(per_ip)) % 250);
    ASSERT_TRUE(f.register_other(i, ip, f.t, ip)) << i;
  }
  auto full = f.register_at(f.t, "10.0.0.1");
  ASSERT_FALSE(full);
  EXPECT_TRUE(full.error().is(Errc::TooFrequent));
  // One of them fails its test: it makes room for the next newcomer.
  auto first = f.auth->due_for_test(f.t, 1);
  ASSERT_EQ(first.size(), 1u);
  f.auth->tested(first[0].ed25519, first[0].ip, first[0].port_https, false, f.t);
  ASSERT_TRUE(f.register_at(f.t + 1, "10.0.0.1"));
  auto after = f.auth->due_for_test(f.t + 1);
  EXPECT_EQ(after.size(), Authority::kMaxUntested);  // the failed one is gone, the newcomer in
  EXPECT_TRUE(std::none_of(after.begin(), after.end(), [&](const Descriptor& d) { return d.ed25519 == first[0].ed25519; }));
}

}  // namespace
}  // namespace sotto::directory
