// plan_pushes: what a node sends when a consensus changes its swarm's members.

#include "node/swarm/membership.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sotto::node {
namespace {

crypto::Ed25519Public key(std::uint8_t b) {
  crypto::Ed25519Public k;
  k.bytes.fill(b);
  return k;
}

directory::ConsensusNode member(std::uint8_t b, std::uint64_t swarm) {
  directory::ConsensusNode n;
  n.ed25519 = key(b);
  n.ip = "10.0." + std::to_string(b) + ".1";
  n.port_https = 443;
  n.swarm_id = swarm;
  return n;
}

std::vector<storage::AccountKey> accounts(int n) {
  std::vector<storage::AccountKey> out;
  for (int i = 0; i < n; ++i) {
    storage::AccountKey a{};
    a[0] = 0x05;
    for (std::size_t j = 1; j < a.size(); ++j) a[j] = static_cast<std::uint8_t>((i * 131 + static_cast<int>(j) * 17) ^ (i >> 3));
    out.push_back(a);
  }
  return out;
}

constexpr std::uint64_t kSwarm = 1ULL << 63;

TEST(Membership, AJoinerGetsEachAccountOnceFromTheStayersShares) {
  directory::Consensus before, after;
  for (std::uint8_t b : std::initializer_list<std::uint8_t>{1, 2, 3, 4}) before.nodes.push_back(member(b, kSwarm));
  before.epoch = 7;
  after = before;
  after.epoch = 8;
  after.nodes.push_back(member(9, kSwarm));  // joins
  auto all = accounts(200);
  std::map<storage::AccountKey, int> sent;
  for (std::uint8_t b : std::initializer_list<std::uint8_t>{1, 2, 3, 4}) {
    auto plan = plan_pushes(&before, after, key(b), all);
    for (const auto& p : plan) {
      ASSERT_EQ(p.to.size(), 1u);
      EXPECT_EQ(p.to[0].ed25519, key(9));
      ++sent[p.account];
    }
    EXPECT_GT(plan.size(), 20u) << "stayer " << int(b) << " sends a share";
    EXPECT_LT(plan.size(), 100u) << "stayer " << int(b) << " sends only its share";
  }
  EXPECT_EQ(sent.size(), all.size());  // every account, once
  for (const auto& [a, n] : sent) EXPECT_EQ(n, 1);
  // The joiner itself sends nothing (it was in no swarm before).
  EXPECT_TRUE(plan_pushes(&before, after, key(9), all).empty());
  // Nothing changed: nothing to send.
  EXPECT_TRUE(plan_pushes(&after, after, key(1), all).empty());
  // Across a gap (a stayer that missed epoch 8 and now sees 9): it sends everything.
  after.epoch = 9;
  EXPECT_EQ(plan_pushes(&before, after, key(1), all).size(), all.size());
}

TEST(Membership, AnAccountMovingToAnotherSwarmGoesFromEveryOldHolderToEveryNewMember) {
  directory::Consensus before, after;
  for (std::uint8_t b : std::initializer_list<std::uint8_t>{1, 2, 3}) before.nodes.push_back(member(b, kSwarm));
  after = before;
  for (std::uint8_t b : std::initializer_list<std::uint8_t>{4, 5, 6}) after.nodes.push_back(member(b, 1));  // a new swarm, id 1
  auto all = accounts(100);
  std::set<storage::AccountKey> moved_by_1;
  for (const auto& p : plan_pushes(&before, after, key(1), all)) {
    EXPECT_EQ(p.to.size(), 3u);
    for (const auto& m : p.to) EXPECT_GE(m.ed25519, key(4));
    moved_by_1.insert(p.account);
  }
  EXPECT_FALSE(moved_by_1.empty());
  std::set<storage::AccountKey> moved_by_2;
  for (const auto& p : plan_pushes(&before, after, key(2), all)) moved_by_2.insert(p.account);
  EXPECT_EQ(moved_by_1, moved_by_2);  // every holder sends: the new swarm has no other source
}

TEST(Membership, ShareOfIsTheKeyAfterItsPrefixModN) {
  storage::AccountKey a{};
  a[0] = 0x05;
  a[8] = 7;  // the low byte of bytes 1..8
  EXPECT_EQ(share_of(a, 5), 2u);
  a[0] = 0x03;  // the prefix does not count
  EXPECT_EQ(share_of(a, 5), 2u);
  EXPECT_EQ(share_of(a, 1), 0u);
}

}  // namespace
}  // namespace sotto::node
