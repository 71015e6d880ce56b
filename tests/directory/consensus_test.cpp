// Votes, consensus method 1, its swarms and the checks before a consensus is believed
// (docs/wire/directory.md), in process with fixed keys. The byte-exact cross-check against
// an independent implementation is consensus_vectors_test.cpp.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "directory/consensus.hpp"
#include "support/directory_world.hpp"
#include "support/hostile.hpp"
#include "support/keys.hpp"

namespace sotto::directory {
namespace {

using nlohmann::json;

using test::kGenesis;
using test::seed_hex;
using test::World;

std::map<std::uint64_t, int> sizes(const Consensus& c) {
  std::map<std::uint64_t, int> out;
  for (const auto& n : c.nodes) ++out[n.swarm_id];
  return out;
}

TEST(SwarmRng, IsDeterministicAndUniformStaysInRange) {
  ByteArray<32> seed{};
  SwarmRng a(seed), b(seed);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
  SwarmRng r(seed);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 200; ++i) {
    auto x = r.uniform(7);
    EXPECT_LT(x, 7u);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 7u);
  // 2^63 + 1 rejects almost half of all draws: more draws than calls.
  SwarmRng big(seed);
  for (int i = 0; i < 50; ++i) EXPECT_LE(big.uniform((std::uint64_t{1} << 63) + 1), std::uint64_t{1} << 63);
  EXPECT_GT(big.counter(), 55u);
  SwarmRng one(seed);
  EXPECT_EQ(one.uniform(1), 0u);
  EXPECT_EQ(one.counter(), 1u);  // every call draws at least once
}

TEST(NewSwarmId, TakesTheMiddleOfTheLargestGapOnTheRing) {
  const std::uint64_t half = std::uint64_t{1} << 63;
  EXPECT_EQ(new_swarm_id({}), half);
  std::vector<std::uint64_t> one{5};
  EXPECT_EQ(new_swarm_id(one), 5 + half);
  std::vector<std::uint64_t> two{0, half};  // two equal gaps: the lowest start wins
  EXPECT_EQ(new_swarm_id(two), half / 2);
  std::vector<std::uint64_t> wrap{10, UINT64_MAX - 9};  // the largest gap is the inner one
  EXPECT_EQ(new_swarm_id(wrap), 10 + (UINT64_MAX - 19) / 2);
  std::vector<std::uint64_t> edge{1, 2, 3};
  EXPECT_EQ(new_swarm_id(edge), 3 + (UINT64_MAX - 1) / 2);  // the wrap gap 2^64 - 2
}

TEST(Swarms, SixtyNodesThenThirtyMoreThenTwentyFewer) {
  World w;
  auto c60 = w.agree(0, w.nodes(1, 60), nullptr);
  ASSERT_EQ(c60.nodes.size(), 60u);
  for (auto [id, n] : sizes(c60)) {
    EXPECT_NE(id, kUnassigned);
    EXPECT_GE(n, 5);
    EXPECT_LE(n, 10);
  }
  EXPECT_EQ(sizes(c60).size(), 8u);  // 60 nodes make 8 swarms of 7-8
  auto c90 = w.agree(1, w.nodes(1, 90), &c60);
  std::size_t moved = 0;
  const Assignment was = c60.assignment();
  for (const auto& n : c90.nodes) {
    if (n.swarm_id == kUnassigned) ADD_FAILURE() << "a node is unassigned";
    auto before = was.find(n.ed25519.bytes);
    if (before != was.end() && before->second != n.swarm_id) ++moved;
  }
  for (auto [id, n] : sizes(c90)) {
    EXPECT_GE(n, 5);
    EXPECT_LE(n, 10);
  }
  EXPECT_GT(sizes(c90).size(), sizes(c60).size());  // swarms split
  EXPECT_LT(moved, 20u);                             // most nodes stay where they were

  // Twenty fewer, taken so that swarms fall under min and dissolve.
  std::vector<SignedDescriptor> kept;
  std::map<std::uint64_t, int> removed_from;
  std::set<int> removed;
  auto by_swarm = c90.assignment();
  for (int n = 1; n <= 90 && removed.size() < 20; ++n) {
    auto id = by_swarm.at(World::node_keys(n).ed25519_public().bytes);
    if (removed_from[id] < 4) ++removed_from[id], removed.insert(n);
  }
  for (int n = 1; n <= 90; ++n)
    if (!removed.contains(n)) kept.push_back(w.descriptor(n));
  auto c70 = w.agree(2, kept, &c90);
  ASSERT_EQ(c70.nodes.size(), 70u);
  for (auto [id, n] : sizes(c70)) {
    EXPECT_NE(id, kUnassigned);
    EXPECT_GE(n, 5);
    EXPECT_LE(n, 10);
  }
  EXPECT_LT(sizes(c70).size(), sizes(c90).size());
  // Every authority computes the same document.
  EXPECT_EQ(canonical_json(c70), canonical_json(w.agree(2, kept, &c90)));
}

TEST(Swarms, ANetworkSmallerThanIdealStillGetsOneSwarm) {
  World w;
  auto c = w.agree(0, w.nodes(1, 3), nullptr);
  auto s = sizes(c);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.begin()->first, std::uint64_t{1} << 63);
  EXPECT_EQ(s.begin()->second, 3);
}

TEST(Swarms, NodesOfOneSlash24SpreadOverSwarms) {
  World w({2, 3, 4});
  // Nodes 8..31: six /24s of four nodes each -> eight swarms of three.
  auto c = w.agree(0, w.nodes(8, 31), nullptr);
  // Placement avoids a second node of a /24 when it can; the split fills from the pool in
  // key order, so only count swarms holding three of one /24 (never needed here).
  std::map<std::uint64_t, std::map<std::string, int>> nets;
  for (const auto& n : c.nodes) ++nets[n.swarm_id][n.ip.substr(0, n.ip.rfind('.'))];
  for (const auto& [id, m] : nets)
    for (const auto& [net24, count] : m) EXPECT_LE(count, 3) << net24;
}

TEST(Consensus, NodesNeedAMajorityAndTheMostListedDescriptorWins) {
  World w({2, 3, 4});
  auto base = w.nodes(1, 6);
  auto with = [&](std::vector<SignedDescriptor> v, SignedDescriptor d) {
    v.push_back(d);
    return v;
  };
  auto newer = w.descriptor(7, 443, kGenesis * 1000 + 5000);
  std::vector<SignedVote> votes{w.vote(0, 0, with(with(base, w.descriptor(7)), w.descriptor(8))),
                                w.vote(1, 0, with(base, w.descriptor(7))), w.vote(2, 0, with(base, newer))};
  auto c = compute_consensus(w.net, 0, votes, nullptr);
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->nodes.size(), 7u);  // node 8 is in one vote only
  const auto& n7 = *std::find_if(c->nodes.begin(), c->nodes.end(), [&](const auto& n) { return n.ed25519 == World::node_keys(7).ed25519_public(); });
  EXPECT_EQ(n7.port_https, 22021);  // listed twice beats newer but once
  EXPECT_EQ(c->votes.size(), 3u);
  // With one of each, the newest wins.
  std::vector<SignedVote> split{w.vote(0, 0, with(base, w.descriptor(7))), w.vote(1, 0, with(base, newer))};
  auto c2 = compute_consensus(w.net, 0, split, nullptr);
  ASSERT_TRUE(c2);
  EXPECT_EQ(std::find_if(c2->nodes.begin(), c2->nodes.end(), [&](const auto& n) { return n.ed25519 == World::node_keys(7).ed25519_public(); })->port_https,
            443);
}

TEST(Consensus, TooFewVotesNoCommonMethodOrNoNodesMeansNoConsensus) {
  World w({2, 3, 4});
  std::vector<SignedVote> one{w.vote(0, 0, w.nodes(1, 5))};
  auto c = compute_consensus(w.net, 0, one, nullptr);
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().is(Errc::NoConsensus));
  // Two votes by the same authority count once.
  std::vector<SignedVote> twice{w.vote(0, 0, w.nodes(1, 5)), w.vote(0, 0, w.nodes(1, 5))};
  EXPECT_FALSE(compute_consensus(w.net, 0, twice, nullptr));
  std::vector<SignedVote> empty{w.vote(0, 0, {}), w.vote(1, 0, {}), w.vote(2, 0, {})};
  auto e = compute_consensus(w.net, 0, empty, nullptr);
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().is(Errc::NoConsensus));
  // A vote for another epoch does not count.
  std::vector<SignedVote> mixed{w.vote(0, 0, w.nodes(1, 5)), w.vote(1, 1, w.nodes(1, 5))};
  EXPECT_FALSE(compute_consensus(w.net, 0, mixed, nullptr));
  // Methods: 2 of 3 is not more than 2/3.
  auto m = [&](int a, std::vector<int> methods) {
    Vote v = w.vote(a, 0, w.nodes(1, 5)).vote;
    v.methods = methods;
    return sign_vote(v, w.authorities[static_cast<std::size_t>(a)].ed25519_secret());
  };
  std::vector<SignedVote> methods{m(0, {1, 2}), m(1, {1, 2}), m(2, {1})};
  auto c3 = compute_consensus(w.net, 0, methods, nullptr);
  ASSERT_TRUE(c3);
  EXPECT_EQ(c3->method, 1);
  std::vector<SignedVote> none{m(0, {2}), m(1, {3}), m(2, {1})};
  EXPECT_FALSE(compute_consensus(w.net, 0, none, nullptr));
}

TEST(Vote, RoundTripsAndIsRefusedWholeWhenAnythingIsWrong) {
  World w({2, 3, 4});
  auto v = w.vote(0, 4, w.nodes(1, 5));
  auto text = to_json(v);
  auto back = parse_vote(text, w.net, 4);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(digest_hex(back->vote), digest_hex(v.vote));
  EXPECT_EQ(to_json(*back), text);
  auto refused = [&](const std::string& t, std::int64_t epoch, Errc e) {
    auto r = parse_vote(t, w.net, epoch);
    return !r && r.error().is(e);
  };
  EXPECT_TRUE(refused(text, 5, Errc::OutOfWindow));
  Network other = w.net;
  other.network_id = "other";
  EXPECT_FALSE(parse_vote(text, other, 4));
  auto outsider = test::keypair(seed_hex(0x77));
  Vote ov = v.vote;
  ov.authority = outsider.ed25519_public();
  EXPECT_TRUE(refused(to_json(sign_vote(ov, outsider.ed25519_secret())), 4, Errc::NotAuthority));
  auto edit = [&](const std::function<void(json&)>& f, bool resign) {
    json j = json::parse(text);
    f(j["vote"]);
    if (!resign) return j.dump();
    auto parsed_nodes = j["vote"]["nodes"];
    // Re-sign over the edited canonical form by hand: sign the bytes the parser rebuilds.
    std::string bytes = "sotto-vote-v1";
    bytes += '\0';
    bytes += j["vote"].dump();
    j["signature"] = base::to_hex(crypto::sign(w.authorities[0].ed25519_secret(), as_bytes(bytes)));
    return j.dump();
  };
  EXPECT_TRUE(refused(edit([](json& o) { std::swap(o["nodes"][0], o["nodes"][1]); }, true), 4, Errc::Malformed));
  EXPECT_TRUE(refused(edit([](json& o) { o["nodes"][1] = o["nodes"][0]; }, true), 4, Errc::Malformed));
  EXPECT_TRUE(refused(edit([](json& o) { o["nodes"][0]["descriptor"]["port_https"] = 1; }, true), 4, Errc::BadSignature));
  EXPECT_TRUE(refused(edit([](json& o) { o["prev_digest"] = std::string(64, 'a'); }, false), 4, Errc::BadSignature));
  EXPECT_TRUE(refused(edit([](json& o) { o["extra"] = 1; }, true), 4, Errc::Malformed));
  EXPECT_TRUE(refused("{", 4, Errc::Malformed));
  EXPECT_TRUE(refused(std::string(kMaxVoteJson + 1, ' '), 4, Errc::Malformed));
}

TEST(AcceptConsensus, NeedsAMajorityOfAuthoritySignaturesAndANewerCurrentEpoch) {
  World w({2, 3, 4});
  auto c = w.agree(0, w.nodes(1, 6), nullptr);
  const std::int64_t now = kGenesis + 30;
  auto ok = accept_consensus(w.signed_json(c, {0, 1, 2}), w.net, std::nullopt, now);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(canonical_json(*ok), canonical_json(c));
  EXPECT_TRUE(accept_consensus(w.signed_json(c, {1, 2}), w.net, std::nullopt, now));
  auto reason = [&](const std::string& text, std::optional<std::int64_t> held, std::int64_t at) {
    auto r = accept_consensus(text, w.net, held, at);
    return r ? std::string("ok") : r.error().code().message();
  };
  EXPECT_EQ(reason(w.signed_json(c, {2}), std::nullopt, now), "under_signed");
  EXPECT_EQ(reason(w.signed_json(c, {2, 2}), std::nullopt, now), "under_signed");  // one authority counts once
  // A non-authority's signature counts for nothing.
  auto outsider = test::keypair(seed_hex(0x77));
  std::vector<ConsensusSignature> sigs{sign_consensus(c, w.authorities[0].ed25519_secret(), w.authorities[0].ed25519_public()),
                                       sign_consensus(c, outsider.ed25519_secret(), outsider.ed25519_public())};
  EXPECT_EQ(reason(to_json(c, sigs), std::nullopt, now), "under_signed");
  // A changed document under the original signatures.
  json j = json::parse(w.signed_json(c, {0, 1, 2}));
  j["consensus"]["nodes"][0]["port_https"] = 1;
  EXPECT_EQ(reason(j.dump(), std::nullopt, now), "forged");
  EXPECT_EQ(reason(w.signed_json(c, {0, 1}), 0, now), "replayed");
  EXPECT_EQ(reason(w.signed_json(c, {0, 1}), 3, now), "replayed");
  EXPECT_EQ(reason(w.signed_json(c, {0, 1}), std::nullopt, c.valid_until + w.net.tolerance_seconds + 1), "stale");
  EXPECT_EQ(reason(w.signed_json(c, {0, 1}), std::nullopt, c.valid_until + w.net.tolerance_seconds), "ok");
  Network other = w.net;
  other.network_id = "other";
  EXPECT_FALSE(accept_consensus(w.signed_json(c, {0, 1, 2}), other, std::nullopt, now));
  EXPECT_EQ(reason("[]", std::nullopt, now), "malformed");
  // The next epoch chains on this one and is accepted over it.
  auto next = w.agree(1, w.nodes(1, 7), &c);
  EXPECT_EQ(next.prev_digest, digest_hex(c));
  EXPECT_EQ(next.prev_epoch, 0);
  EXPECT_EQ(reason(w.signed_json(next, {0, 2}), 0, now + 60), "ok");
}

}  // namespace
}  // namespace sotto::directory

namespace sotto::directory {
namespace {

// Issue 19: one POST of a vote built from network.json's public fields, with nested
// arrays in `nodes`, killed an authority (the vote was dumped before any check). Every
// place in a vote, a consensus document, a descriptor, a consensus signature and a
// network.json now takes a MiB of nesting and is refused as Malformed, and a vote whose
// descriptors are malformed is refused before any signature is checked.
TEST(DirectoryDocuments, NestingInEveryPlaceIsMalformed) {
  World w({2, 3, 4});
  const std::string bomb = test::nesting_bomb(1 << 20);
  auto is_malformed = [](const auto& r) { return !r && r.error().is(Errc::Malformed); };
  auto vote = json::parse(to_json(w.vote(0, 4, w.nodes(1, 3))));
  int places = 0;
  for (const auto& at : test::every_place(vote)) {
    EXPECT_TRUE(is_malformed(parse_vote(test::with_bomb_at(vote, at, bomb), w.net, 4))) << at.to_string();
    ++places;
  }
  auto c = w.agree(0, w.nodes(1, 3), nullptr);
  auto doc = json::parse(w.signed_json(c, {0, 1, 2}));
  for (const auto& at : test::every_place(doc)) {
    EXPECT_TRUE(is_malformed(accept_consensus(test::with_bomb_at(doc, at, bomb), w.net, std::nullopt, kGenesis + 30))) << at.to_string();
    ++places;
  }
  auto sig = doc["signatures"][0];
  for (const auto& at : test::every_place(sig)) EXPECT_TRUE(is_malformed(parse_signature(test::with_bomb_at(sig, at, std::string(900, '[')))));
  auto desc = vote["vote"]["nodes"][0];
  for (const auto& at : test::every_place(desc))
    EXPECT_TRUE(is_malformed(parse_descriptor(test::with_bomb_at(desc, at, std::string(900, '[')), w.net.network_id, std::nullopt)));
  auto network = json::parse(w.network_json());
  for (const auto& at : test::every_place(network)) {
    EXPECT_TRUE(is_malformed(parse_network(test::with_bomb_at(network, at, bomb)))) << at.to_string();
    ++places;
  }
  EXPECT_GT(places, 100);

  // A vote signed by a real authority whose second node is malformed: Malformed, not
  // BadSignature (the descriptors are read before the vote's signature is checked).
  auto v = w.vote(0, 4, w.nodes(1, 3));
  json j = json::parse(to_json(v));
  j["vote"]["nodes"][1]["descriptor"]["port_https"] = json::array({json::array()});
  auto r = parse_vote(j.dump(), w.net, 4);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::Malformed)) << r.error().message();
  EXPECT_NE(r.error().message().find("node 1"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace sotto::directory
