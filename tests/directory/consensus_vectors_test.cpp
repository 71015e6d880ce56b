// Votes and consensus method 1 against tests/directory/consensus_vectors.json, made by an
// independent implementation of docs/wire/directory.md (tools/vectors/consensus.mjs,
// libsodium.js, BigInt): the same votes must give the same document byte for byte, the
// same digest and the same signatures.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "directory/consensus.hpp"
#include "support/keys.hpp"

namespace sotto::directory {
namespace {

using nlohmann::json;

const json& consensus_vectors() {
  static const json v = [] {
    std::ifstream in(std::string(SOTTO_CONSENSUS_VECTORS));
    std::stringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
  }();
  return v;
}

std::uint64_t u64(const json& s) { return std::stoull(s.get<std::string>()); }

Network network(const json& o) {
  auto n = parse_network(o.dump());
  if (!n) throw std::runtime_error(n.error().message());
  return *n;
}

const json& scenario(const std::string& name) {
  for (const auto& c : consensus_vectors()["consensus"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no scenario " + name);
}

// The consensus a scenario computes (and every scenario it chains on), from its votes.
Result<Consensus> compute(const json& c) {
  Network net = network(c["network"]);
  std::optional<Consensus> prev;
  if (!c["chain_on"].is_null()) {
    auto p = compute(scenario(c["chain_on"]));
    if (!p) throw std::runtime_error("the chained scenario has no consensus");
    prev = *p;
  }
  std::vector<SignedVote> votes;
  for (const auto& v : c["votes"]) {
    auto parsed = parse_vote(v.dump(), net, c["epoch"]);
    if (!parsed) throw std::runtime_error(c["name"].get<std::string>() + ": vote refused: " + parsed.error().message());
    votes.push_back(*parsed);
  }
  return compute_consensus(net, c["epoch"], votes, prev ? &*prev : nullptr);
}

TEST(ConsensusVectors, TheRngDrawsTheSameNumbers) {
  for (const auto& r : consensus_vectors()["rng"]) {
    auto seed = *base::from_hex_fixed<32>(r["seed"].get<std::string>());
    SwarmRng a(seed);
    for (const auto& x : r["next"]) EXPECT_EQ(a.next(), u64(x));
    SwarmRng b(seed);
    for (const auto& u : r["uniform"]) {
      EXPECT_EQ(b.uniform(u64(u["n"])), u64(u["result"])) << u["n"];
      EXPECT_EQ(b.counter(), u64(u["counter_after"]));
    }
  }
}

TEST(ConsensusVectors, NewSwarmIdsAreTheSame) {
  ASSERT_GE(consensus_vectors()["gap_ids"].size(), 8u);
  for (const auto& g : consensus_vectors()["gap_ids"]) {
    std::vector<std::uint64_t> ids;
    for (const auto& i : g["ids"]) ids.push_back(u64(i));
    std::sort(ids.begin(), ids.end());
    auto id = new_swarm_id(ids);
    ASSERT_TRUE(id) << g["name"];
    EXPECT_EQ(*id, u64(g["expected"])) << g["name"];
  }
}

TEST(ConsensusVectors, EveryScenarioGivesTheSameDocumentDigestAndSignatures) {
  ASSERT_GE(consensus_vectors()["consensus"].size(), 9u);
  for (const auto& c : consensus_vectors()["consensus"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto got = compute(c);
    const json& want = c["expected"];
    if (want["consensus"].is_null()) {
      ASSERT_FALSE(got);
      EXPECT_TRUE(got.error().is(Errc::NoConsensus)) << got.error().message();
      continue;
    }
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(canonical_json(*got), want["canonical"].get<std::string>());
    EXPECT_EQ(digest_hex(*got), want["digest"].get<std::string>());
    std::size_t i = 0;
    for (const auto& seed : c["authority_seeds"]) {
      auto k = test::keypair(seed.get<std::string>());
      if (i < want["signatures"].size() && want["signatures"][i]["authority"] == k.ed25519_public().hex()) {
        EXPECT_EQ(json::parse(to_json(sign_consensus(*got, k.ed25519_secret(), k.ed25519_public()))), want["signatures"][i]);
        ++i;
      }
    }
    EXPECT_EQ(i, want["signatures"].size());
  }
}

std::string reason(const Result<Consensus>& r) {
  if (r) return "ok";
  if (r.error().is(Errc::Stale) && r.error().detail().find("future") != std::string::npos) return "early";
  return r.error().code().message();
}

TEST(ConsensusVectors, AcceptanceGivesTheSameVerdicts) {
  Network net = network(scenario("small_genesis")["network"]);
  ASSERT_GE(consensus_vectors()["validity"].size(), 15u);
  for (const auto& v : consensus_vectors()["validity"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    std::string text = json{{"consensus", v["consensus"]}, {"signatures", v["signatures"]}}.dump();
    std::optional<std::int64_t> held;
    if (!v["held_epoch"].is_null()) held = v["held_epoch"].get<std::int64_t>();
    EXPECT_EQ(reason(accept_consensus(text, net, held, v["now_s"])), v["expected"].get<std::string>());
  }
}

TEST(ConsensusVectors, BadVotesAreRefusedForTheSameReason) {
  Network net = network(scenario("small_genesis")["network"]);
  const std::map<std::string, Errc> codes{{"wrong_epoch", Errc::OutOfWindow},   {"wrong_network", Errc::WrongNetwork},
                                          {"not_authority", Errc::NotAuthority}, {"unsorted", Errc::Malformed},
                                          {"duplicate_node", Errc::Malformed},   {"bad_descriptor_signature", Errc::BadSignature},
                                          {"bad_signature", Errc::BadSignature}};
  ASSERT_GE(consensus_vectors()["bad_votes"].size(), 10u);
  for (const auto& b : consensus_vectors()["bad_votes"]) {
    SCOPED_TRACE(b["name"].get<std::string>());
    auto r = parse_vote(b["vote"].dump(), net, b["expected_epoch"]);
    if (b["expected"] == "ok") {
      EXPECT_TRUE(r) << r.error().message();
      continue;
    }
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(codes.at(b["expected"]))) << r.error().message();
  }
}

}  // namespace
}  // namespace sotto::directory
