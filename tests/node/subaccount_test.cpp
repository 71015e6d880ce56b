// Subaccount authentication, revocation and per-message expiries, data-driven from
// tests/node/subaccount_vectors.json (made by tools/vectors/subaccount.mjs with
// libsodium.js from a reading of Session's storage server; docs/wire/storage-rpc.md).
// Each case is a request exactly as a client sends it and the status Session answers.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "node/rpc/handler.hpp"
#include "support/keys.hpp"

namespace sotto::node::rpc {
namespace {

using nlohmann::json;

json vectors() {
  std::ifstream in(SOTTO_SUBACCOUNT_VECTORS);
  if (!in) throw std::runtime_error("cannot read " SOTTO_SUBACCOUNT_VECTORS);
  return json::parse(in);
}

// Where sotto answers differently from Session's storage server, on purpose: Session
// checks revoked_subaccounts of a 05 account against its X25519 key and always refuses;
// sotto uses pubkey_ed25519 as every other method does.
const std::set<std::string> kListsFor05{"05_revoked_subaccounts", "05_scn_revoked_list"};

struct VectorNode {
  base::FakeClock clock;
  crypto::Keypair keys;
  std::unique_ptr<storage::MessageStore> store = std::move(*storage::MessageStore::open(":memory:"));
  SingleNodeSwarm swarm;
  Context ctx;
  VectorNode(std::int64_t now, const std::string& seed)
      : clock(now),
        keys(test::keypair(seed)),
        swarm(NodeAddress{keys.ed25519_public(), keys.x25519_public(), "127.0.0.1", 22021}),
        ctx{*store, clock, keys, swarm} {}
  std::pair<int, std::string> call(const json& c) {
    Reply r = handle(ctx, json{{"method", c["method"]}, {"params", c["params"]}}.dump());
    return {r.status, r.body};
  }
  json member(const std::string& body) { return json::parse(body)["swarm"][keys.ed25519_public().hex()]; }
};

// Runs one case and checks its status (and, where given, the hash or the member's fields).
void run_case(VectorNode& n, const json& c) {
  SCOPED_TRACE(c["id"].get<std::string>());
  auto [status, body] = n.call(c);
  const json& expect = c["expect"];
  std::string id = c["id"];
  if (kListsFor05.contains(id)) {
    ASSERT_EQ(status, 200) << body;
    EXPECT_TRUE(json::parse(body)["revoked_subaccounts"].is_array());
    return;
  }
  if (expect == "ok") {
    ASSERT_EQ(status, 200) << body;
    if (c.contains("expected_hash")) {
      EXPECT_EQ(json::parse(body)["hash"], c["expected_hash"]);
    }
    return;
  }
  ASSERT_EQ(status, expect["status"].get<int>()) << body;
  if (expect.contains("revoked_subaccounts")) {
    EXPECT_EQ(json::parse(body)["revoked_subaccounts"], expect["revoked_subaccounts"]);
  }
  if (expect.contains("per_member")) {
    EXPECT_EQ(n.member(body)["count"], expect["per_member"]["count"]);
  }
}

class Subaccounts : public ::testing::TestWithParam<std::string> {};

TEST_P(Subaccounts, EveryCaseGetsSessionsAnswer) {
  json v = vectors();
  const json& block = v[GetParam()];
  VectorNode n(v["now_ms"], block["response_models"]["node"]["seed"]);
  ASSERT_GE(block["cases"].size(), 30u);
  for (const auto& c : block["cases"]) run_case(n, c);
}

TEST_P(Subaccounts, RevocationScenarioRunsInOrder) {
  json v = vectors();
  const json& block = v[GetParam()];
  VectorNode n(v["now_ms"], block["response_models"]["node"]["seed"]);
  ASSERT_GE(block["scenario"].size(), 10u);
  for (const auto& c : block["scenario"]) run_case(n, c);
}

// The node's signed replies are byte for byte those of the model (Ed25519 signatures
// are deterministic, so the same key over the same string gives the same signature).
TEST_P(Subaccounts, SignedRepliesMatchTheModel) {
  json v = vectors();
  const json& block = v[GetParam()];
  const std::string prefix = GetParam() == "group_03" ? "03" : "05";
  const json& models = block["response_models"];
  auto find = [&](const std::string& id) {
    for (const auto& c : block["cases"])
      if (c["id"] == id) return c;
    throw std::runtime_error("no case " + id);
  };
  {  // both messages stored, the expiries set in one array request by the account key
    VectorNode n(v["now_ms"], models["node"]["seed"]);
    ASSERT_EQ(n.call(find(prefix + "_setup_store_A")).first, 200);
    ASSERT_EQ(n.call(find(prefix + "_setup_store_B")).first, 200);
    auto [status, body] = n.call(find(prefix + "_expire_array_account_key"));
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(n.member(body), models[prefix + "_expire_array_account_key"]["member"]);
  }
  {  // a Write-only token extends one of the two and reports the other unchanged
    VectorNode n(v["now_ms"], models["node"]["seed"]);
    ASSERT_EQ(n.call(find(prefix + "_setup_store_A")).first, 200);
    ASSERT_EQ(n.call(find(prefix + "_setup_store_B")).first, 200);
    const json& model = models[prefix + "_expire_array_sub_write_extend"]["member"];
    auto pk = base::from_hex_fixed<33>(find(prefix + "_setup_store_A")["params"]["pubkey"].get<std::string>());
    ASSERT_TRUE(pk);
    auto set_expiry = [&](const std::string& h, std::int64_t e) {
      auto raw = base::from_base64(h);
      storage::MessageHash mh{};
      std::copy(raw->begin(), raw->end(), mh.begin());
      std::vector<storage::MessageHash> one{mh};
      ASSERT_TRUE(n.store->expire(*pk, one, e, storage::ExpireMode::Any));
    };
    // The model's state: the unchanged hash already expires later than asked, the
    // updated one sooner (a minute from now).
    for (const auto& [h, e] : model["unchanged"].items()) set_expiry(h, e.get<std::int64_t>());
    for (const auto& h : model["updated"]) set_expiry(h.get<std::string>(), v["now_ms"].get<std::int64_t>() + 60'000);
    auto [status, body] = n.call(find(prefix + "_expire_array_sub_write_extend"));
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(n.member(body), model);
  }
  {
    VectorNode n(v["now_ms"], models["node"]["seed"]);
    auto [status, body] = n.call(find(prefix + "_revoke_list"));
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(n.member(body), models[prefix + "_revoke_list"]["member"]);
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, Subaccounts, ::testing::Values("group_03", "user_05"));

}  // namespace
}  // namespace sotto::node::rpc
