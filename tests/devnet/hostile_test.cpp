// Issue 19's crash class against a whole devnet (3 authorities, 12 nodes): a MiB of
// nested arrays and objects in every field of every endpoint of every daemon, and in
// every field of every storage RPC method through a 3-hop onion path. Each answers 4xx;
// afterwards every daemon still serves. The node-to-node endpoints are signed with a
// swarm peer's own key (read from the devnet's data dir), so the bombs reach past the
// peer check; the authorities' are open to anyone.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/rng.hpp"
#include "devnet/devnet_fixture.hpp"
#include "directory/consensus.hpp"
#include "directory/descriptor.hpp"
#include "node/identity.hpp"
#include "node/swarm/peer_auth.hpp"
#include "onion/request.hpp"
#include "support/hostile.hpp"

namespace sotto {
namespace {

using namespace devnet;
using nlohmann::json;

struct HostileDevnet : ::testing::Test {
  Devnet net;
  directory::Network network;
  directory::Consensus consensus;

  void SetUp() override {
    std::ifstream nf(net.dir + "/network.json");
    std::string text((std::istreambuf_iterator<char>(nf)), {});
    auto parsed = directory::parse_network(text);
    ASSERT_TRUE(parsed);
    network = *parsed;
    auto r = get(addr_of(net.state["nodes"][0]["url"]), "/directory/v1/consensus");
    ASSERT_TRUE(r && r->status == 200);
    auto accepted = directory::accept_consensus(r->body, network, std::nullopt, now_ms() / 1000);
    ASSERT_TRUE(accepted) << accepted.error().message();
    consensus = *accepted;
  }
  static Result<net::HttpResponse> get(const Addr& at, const std::string& path) {
    net::HttpClient c(at.host, at.port, true, std::chrono::seconds(30));
    return c.get(path);
  }
  static Result<net::HttpResponse> post(const Addr& at, const std::string& path, const std::string& body,
                                        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    net::HttpClient c(at.host, at.port, true, std::chrono::seconds(30));
    return c.request("POST", path, body, headers);
  }
  // A node's own keys, from its data dir.
  crypto::Keypair keys_of(const std::string& ed_hex) const {
    for (const auto& n : net.state["nodes"])
      if (n["ed25519"] == ed_hex) {
        base::SystemRng rng;
        bool created = false;
        auto k = node::load_or_create_identity(net.dir + "/" + n["name"].get<std::string>(), rng, created);
        if (k && !created) return std::move(*k);
      }
    throw std::runtime_error("no keys for node " + ed_hex);
  }
  const directory::ConsensusNode& node(const std::string& ed_hex) const {
    for (const auto& n : consensus.nodes)
      if (n.ed25519.hex() == ed_hex) return n;
    throw std::runtime_error("no node " + ed_hex);
  }
};

bool is_4xx(const Result<net::HttpResponse>& r) { return r && r->status >= 400 && r->status < 500; }

TEST_F(HostileDevnet, NestingInEveryFieldOfEveryEndpointIsRefusedAndEveryDaemonGoesOn) {
  const std::string bomb = test::nesting_bomb(1 << 20), small_bomb = test::nesting_bomb(150 << 10);
  test::TestAccount a(11);
  // The account's swarm: a member to attack, and another whose key signs as its peer.
  auto [st, swarm] = rpc(addr_of(net.state["nodes"][0]["url"]), {{"method", "get_swarm"}, {"params", {{"pubkey", a.id}}}});
  ASSERT_EQ(st, 200);
  ASSERT_GE(swarm["snodes"].size(), 2u);
  const auto& target = node(swarm["snodes"][0]["pubkey_ed25519"]);
  const auto peer_keys = keys_of(swarm["snodes"][1]["pubkey_ed25519"]);
  const Addr at{target.ip, target.port_https};

  // The node's storage RPC, straight and through a 3-hop path of other nodes.
  std::vector<onion::HopNode> path;
  for (const auto& n : consensus.nodes)
    if (!(n.ed25519 == target.ed25519) && path.size() < 3) path.push_back({n.ed25519, n.x25519});
  ASSERT_EQ(path.size(), 3u);
  const auto& guard = node(path[0].ed25519.hex());
  base::SystemRng rng;
  int attacks = 0;
  for (const auto& [method, params] : test::every_storage_rpc_method(a, now_ms())) {
    for (const auto& field : test::bomb_fields(method, params)) {
      EXPECT_TRUE(is_4xx(post(at, "/storage_rpc/v1", test::with_bomb(method, params, field, bomb)))) << method << "." << field;
      auto built = onion::build_request(path, {target.ed25519, target.x25519}, test::with_bomb(method, params, field, small_bomb),
                                        onion::EncType::XChaCha20, rng);
      ASSERT_TRUE(built);
      auto r = post({guard.ip, guard.port_https}, "/onion_req/v2", std::string(as_chars(built->guard_body)));
      ASSERT_TRUE(r && r->status == 200) << method << "." << field << " by onion";
      auto opened = onion::open_reply(*built, r->body);
      ASSERT_TRUE(opened) << method << "." << field;
      EXPECT_EQ(opened->layer, 3u);
      EXPECT_EQ(opened->status, 400) << method << "." << field << ": " << opened->body.substr(0, 200);
      attacks += 2;
    }
  }

  // The node-to-node endpoints, signed by a swarm peer (a replicate is a storage RPC body;
  // a push, a hashes and a fetch name the account).
  auto signed_post = [&](const std::string& path_, const std::string& body) {
    return post(at, path_, body, {{node::kPeerHeader, node::sign_peer_request(peer_keys, "POST", path_, body, now_ms())}});
  };
  for (const auto& [method, params] : test::every_storage_rpc_method(a, now_ms()))
    for (const auto& field : test::bomb_fields(method, params)) {
      EXPECT_TRUE(is_4xx(signed_post("/sotto/v1/replicate", test::with_bomb(method, params, field, bomb)))) << method << "." << field;
      ++attacks;
    }
  const json message{{"hash", std::string(43, 'A')}, {"namespace", 0}, {"timestamp", now_ms()}, {"expiry", now_ms() + 60'000}, {"data", "aGk="}};
  const std::vector<std::pair<std::string, json>> peer_bodies{
      {"/sotto/v1/push", {{"account", a.id}, {"epoch", consensus.epoch}, {"messages", {message}}}},
      {"/sotto/v1/hashes", {{"account", a.id}, {"namespace", 0}}},
      {"/sotto/v1/fetch", {{"account", a.id}, {"hashes", {std::string(43, 'A')}}}},
      {"/sotto/v1/summary", json::object()}};
  for (const auto& [path_, body] : peer_bodies)
    for (const auto& place : test::every_place(body)) {
      auto r = signed_post(path_, test::with_bomb_at(body, place, bomb));
      EXPECT_TRUE(is_4xx(r) || (path_ == "/sotto/v1/summary" && r && r->status == 200)) << path_ << place.to_string();
      ++attacks;
    }

  // Every authority: registration, votes (from network.json's public fields alone, as in
  // the attack that was found), consensus signatures.
  directory::Descriptor d{network.network_id, a.keys.ed25519_public(), a.keys.x25519_public(), "127.0.9.1", 22021, "0.1.0", now_ms()};
  const json descriptor = json::parse(directory::to_json(directory::sign_descriptor(d, a.keys.ed25519_secret())));
  for (const auto& auth : net.state["authorities"]) {
    Addr aat = addr_of(auth["url"]);
    json vote{{"vote", {{"type", "vote"}, {"network_id", network.network_id}, {"epoch", consensus.epoch + 1},
                        {"authority", auth["ed25519"]}, {"methods", {1}}, {"prev_digest", ""}, {"nodes", json::array()}}},
              {"signature", std::string(128, '0')}};
    json sig{{"epoch", consensus.epoch + 1}, {"digest", std::string(64, '0')}, {"authority", auth["ed25519"]}, {"signature", std::string(128, '0')}};
    for (const auto& [path_, body] : {std::pair{std::string("/directory/v1/register"), descriptor}, std::pair{std::string("/directory/v1/vote"), vote},
                                      std::pair{std::string("/directory/v1/signature"), sig}})
      for (const auto& place : test::every_place(body)) {
        EXPECT_TRUE(is_4xx(post(aat, path_, test::with_bomb_at(body, place, bomb)))) << auth["url"] << path_ << place.to_string();
        ++attacks;
      }
  }
  EXPECT_GT(attacks, 400);

  // Every daemon is alive and serving.
  for (const auto& auth : net.state["authorities"]) {
    EXPECT_EQ(::kill(auth["pid"].get<int>(), 0), 0) << auth["url"];
    auto r = get(addr_of(auth["url"]), "/directory/v1/consensus");
    EXPECT_TRUE(r && r->status == 200) << auth["url"];
  }
  for (const auto& n : net.state["nodes"]) {
    EXPECT_EQ(::kill(n["pid"].get<int>(), 0), 0) << n["url"];
    auto [status, body] = rpc(addr_of(n["url"]), {{"method", "info"}, {"params", json::object()}});
    EXPECT_EQ(status, 200) << n["url"];
  }
  auto stored = rpc(at, {{"method", "store"},
                         {"params", {{"pubkey", a.id}, {"timestamp", now_ms()}, {"ttl", 3'600'000}, {"namespace", -10}, {"data", "aGk="}}}});
  EXPECT_EQ(stored.first, 200) << stored.second;
}

}  // namespace
}  // namespace sotto
