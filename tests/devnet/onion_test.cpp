// Onion requests on a devnet (3 authorities, 12 nodes, each on its own 127.0.x.1, every
// node recording what it sees of onion requests with the test-only record_onion):
// - privacy: after a store through a path, the guard knows the client's address and the
//   next hop only, the middle hops only their neighbours, and the destination the request
//   but not the client's address;
// - bad input sent to a real node gets its status and stores nothing;
// - a killed hop costs strikes and a retry on another path, never a lost request;
// - a client keeps its guards from one run of `sotto` to the next.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "client/guards.hpp"
#include "client/local_store.hpp"
#include "client/onion_client.hpp"
#include "devnet/devnet_fixture.hpp"
#include "directory/consensus.hpp"
#include "api/https_transport.hpp"
#include "onion/layer.hpp"
#include "onion/peel.hpp"
#include "onion/request.hpp"

namespace sotto {
namespace {

using namespace devnet;
using nlohmann::json;

std::string random_account() {
  std::mt19937_64 rng(std::random_device{}());
  ByteArray<32> raw;
  for (auto& b : raw) b = static_cast<std::uint8_t>(rng());
  return "05" + base::to_hex(raw);
}

json store_params(const std::string& account, const std::string& text) {
  return {{"pubkey", account}, {"timestamp", now_ms()}, {"ttl", 3'600'000}, {"namespace", -10}, {"data", base::to_base64(as_bytes(text))}};
}

// Every onion record of every node, by node Ed25519 hex.
std::map<std::string, std::vector<json>> records(const Devnet& net) {
  std::map<std::string, std::vector<json>> out;
  for (const auto& n : net.state["nodes"]) {
    std::ifstream in(net.dir + "/" + n["name"].get<std::string>() + "/onion.jsonl");
    std::string line;
    auto& v = out[n["ed25519"].get<std::string>()];
    while (std::getline(in, line))
      if (!line.empty()) v.push_back(json::parse(line));
  }
  return out;
}

struct OnionDevnet : ::testing::Test {
  Devnet net{"record_onion = \"onion.jsonl\"\n"};
  directory::Consensus consensus;

  void SetUp() override {
    std::ifstream nf(net.dir + "/network.json");
    std::string text((std::istreambuf_iterator<char>(nf)), {});
    auto network = directory::parse_network(text);
    ASSERT_TRUE(network);
    net::HttpClient c(addr_of(net.state["nodes"][0]["url"]).host, addr_of(net.state["nodes"][0]["url"]).port, true);
    auto r = c.get("/directory/v1/consensus");
    ASSERT_TRUE(r && r->status == 200);
    auto accepted = directory::accept_consensus(r->body, *network, std::nullopt, now_ms() / 1000);
    ASSERT_TRUE(accepted) << accepted.error().message();
    consensus = *accepted;
    ASSERT_EQ(consensus.nodes.size(), 12u);
  }
  const directory::ConsensusNode& node(const std::string& ed_hex) const {
    for (const auto& n : consensus.nodes)
      if (n.ed25519.hex() == ed_hex) return n;
    throw std::runtime_error("no node " + ed_hex);
  }
  // A member of `account`'s swarm (via get_swarm at any node).
  directory::ConsensusNode member_for(const std::string& account) const {
    auto [st, swarm] = rpc(addr_of(net.state["nodes"][0]["url"]), {{"method", "get_swarm"}, {"params", {{"pubkey", account}}}});
    if (st != 200) throw std::runtime_error("get_swarm failed");
    return node(swarm["snodes"][0]["pubkey_ed25519"]);
  }
  // POSTs `body` to `at`'s /onion_req/v2.
  static Result<net::HttpResponse> post(const directory::ConsensusNode& at, ByteView body) {
    net::HttpClient c(at.ip, at.port_https, true, std::chrono::seconds(40));
    return c.post("/onion_req/v2", as_chars(body));
  }
};

TEST_F(OnionDevnet, EachNodeOnThePathLearnsOnlyWhatItMust) {
  // The real CLI: a profile with the network and its consensus, then a store through a path.
  auto cli = [](const std::vector<std::string>& args) { return test::run_process(SOTTO_CLI_BIN, args); };
  const std::string alice = net.dir + "/alice";
  ASSERT_EQ(cli({"--profile", alice, "init", "--json"}).exit_code, 0);
  ASSERT_EQ(cli({"--profile", alice, "network", "use", net.dir + "/network.json"}).exit_code, 0);
  ASSERT_EQ(cli({"--profile", alice, "network", "update"}).exit_code, 0);
  std::string account = random_account();
  auto r = cli({"--profile", alice, "--json", "dev", "rpc", "store", store_params(account, "a secret").dump()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["status"], 200);
  ASSERT_EQ(out["path"].size(), 3u);
  std::vector<std::string> path = out["path"];
  std::string dest = out["destination"];
  std::set<std::string> subnets;
  for (const auto& h : path) subnets.insert(node(h).ip.substr(0, node(h).ip.rfind('.')));
  EXPECT_EQ(subnets.size(), 3u) << "the path's nodes share a /24";
  EXPECT_EQ(std::count(path.begin(), path.end(), dest), 0);

  // The store is there, with the text (namespace -10: no signature needed).
  auto stored = held(Addr{node(dest).ip, node(dest).port_https}, account);
  EXPECT_EQ(stored.size(), 1u);

  auto rec = records(net);
  std::size_t total = 0;
  for (const auto& [k, v] : rec) total += v.size();
  EXPECT_EQ(total, 4u) << "one record per node on the path and the destination";
  const std::string client_ip = "127.0.0.1";
  auto only = [&](const std::string& who) -> json {
    EXPECT_EQ(rec[who].size(), 1u) << who;
    return rec[who].empty() ? json::object() : rec[who][0];
  };
  json guard = only(path[0]), middle = only(path[1]), last = only(path[2]), d = only(dest);
  // The guard: the client's address, the next hop; nothing of the request.
  EXPECT_EQ(guard["from"], client_ip);
  EXPECT_EQ(guard["saw"], "relay");
  EXPECT_EQ(guard["next"], path[1]);
  // The middle hops: their neighbours only.
  EXPECT_EQ(middle["from"], node(path[0]).ip);
  EXPECT_EQ(middle["next"], path[2]);
  EXPECT_EQ(last["from"], node(path[1]).ip);
  EXPECT_EQ(last["next"], dest);
  // The destination: the request, from the last hop's address, not the client's.
  EXPECT_EQ(d["saw"], "request");
  EXPECT_EQ(d["from"], node(path[2]).ip);
  EXPECT_NE(d["from"], client_ip);
  EXPECT_NE(d["request"].get<std::string>().find(account), std::string::npos);
  // Nobody but the destination saw the account or the text.
  for (const auto& [who, v] : rec)
    for (const auto& x : v) {
      if (who == dest) continue;
      EXPECT_EQ(x.dump().find(account), std::string::npos) << who;
      EXPECT_EQ(x.dump().find(base::to_base64(as_bytes("a secret"))), std::string::npos) << who;
    }
  // No node's log mentions the account (nodes log nothing per onion request).
  for (const auto& n : net.state["nodes"]) {
    std::ifstream in(net.dir + "/" + n["name"].get<std::string>() + "/log");
    std::string log((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(log.find(account.substr(2)), std::string::npos) << n["name"];
  }
}

TEST_F(OnionDevnet, BadInputGetsItsStatusAndStoresNothing) {
  base::SystemRng rng;
  std::string account = random_account();
  auto dest = member_for(account);
  std::vector<const directory::ConsensusNode*> others;
  for (const auto& n : consensus.nodes)
    if (!(n.ed25519 == dest.ed25519)) others.push_back(&n);
  auto hop = [](const directory::ConsensusNode& n) { return onion::HopNode{n.ed25519, n.x25519}; };
  std::vector<onion::HopNode> path{hop(*others[0]), hop(*others[1]), hop(*others[2])};
  std::string payload = json{{"method", "store"}, {"params", store_params(account, "bad")}}.dump();
  auto good = onion::build_request(path, hop(dest), payload, onion::EncType::XChaCha20, rng);
  ASSERT_TRUE(good);
  const auto& guard = *others[0];

  // Truncated, a wrong length prefix, a layer for another node's key.
  Bytes truncated(good->guard_body.begin(), good->guard_body.begin() + 100);
  auto r = post(guard, truncated);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  Bytes wrong_len = good->guard_body;
  wrong_len[2] = 0x10;
  r = post(guard, wrong_len);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  r = post(*others[1], good->guard_body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, "Invalid ciphertext");

  // Invalid JSON inside the destination's layer: answered sealed, 400, nothing stored.
  auto bad_json = onion::build_request(path, hop(dest), payload, onion::EncType::XChaCha20, rng, "{not json");
  r = post(guard, bad_json->guard_body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto opened = onion::open_reply(*bad_json, r->body);
  ASSERT_TRUE(opened) << r->body;
  EXPECT_EQ(opened->status, 400);
  EXPECT_EQ(opened->layer, 3u);
  // Invalid JSON as the request itself: the storage RPC's own 400, sealed.
  auto bad_rpc = onion::build_request(path, hop(dest), "{\"method\": \"store\", \"params\": ", onion::EncType::XChaCha20, rng);
  r = post(guard, bad_rpc->guard_body);
  ASSERT_TRUE(r);
  opened = onion::open_reply(*bad_rpc, r->body);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status, 400);

  // A loop back to a node on the path, and more hops than the limit.
  std::vector<onion::HopNode> looped{hop(*others[0]), hop(*others[1]), hop(*others[1])};
  auto loop = onion::build_request(looped, hop(dest), payload, onion::EncType::XChaCha20, rng);
  r = post(guard, loop->guard_body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);  // sealed by hop 2 with its layer key: the guard relays an opaque reply
  opened = onion::open_reply(*loop, r->body);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->layer, 1u);
  EXPECT_EQ(opened->status, 400);
  EXPECT_EQ(opened->body, "Loop: the next hop is this node");
  std::vector<onion::HopNode> long_path;
  for (int i = 0; i < 17; ++i) long_path.push_back(hop(*others[static_cast<std::size_t>(i % 3)]));
  auto too_long = onion::build_request(long_path, hop(dest), payload, onion::EncType::XChaCha20, rng);
  r = post(guard, too_long->guard_body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, "Too many hops");

  // A next node outside the consensus.
  crypto::Keypair stranger = crypto::Keypair::generate(rng);
  std::vector<onion::HopNode> astray{hop(*others[0]), {stranger.ed25519_public(), stranger.x25519_public()}, hop(*others[2])};
  auto lost = onion::build_request(astray, hop(dest), payload, onion::EncType::XChaCha20, rng);
  r = post(guard, lost->guard_body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);  // sealed by the guard: only the client reads whom it could not find
  EXPECT_EQ(r->body.find(stranger.ed25519_public().hex()), std::string::npos);
  opened = onion::open_reply(*lost, r->body);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->layer, 0u);
  EXPECT_EQ(opened->status, 502);
  EXPECT_EQ(opened->body, "Next node not found: " + stranger.ed25519_public().hex());

  // Bigger than any onion request needs.
  r = post(guard, Bytes(onion::kMaxRequestBytes + 1, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);

  // A replay of a layer the guard already peeled.
  r = post(guard, loop->guard_body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, "Replayed layer");

  // None of it stored anything.
  EXPECT_TRUE(held(Addr{dest.ip, dest.port_https}, account).empty());

  // The good one still goes through and stores.
  r = post(guard, good->guard_body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  opened = onion::open_reply(*good, r->body);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status, 200) << opened->body;
  EXPECT_EQ(held(Addr{dest.ip, dest.port_https}, account).size(), 1u);
}

TEST_F(OnionDevnet, AKilledHopIsStruckAndRequestsGoRoundIt) {
  base::SystemRng rng;
  api::HttpsTransport transport(std::chrono::seconds(10));
  client::OnionClient onion(transport, rng);
  onion.set_nodes(consensus.nodes);
  std::string account = random_account();
  auto dest = member_for(account);
  // Warm up: both paths built; pick a non-guard hop of one to kill.
  auto first = onion.rpc(dest, json{{"method", "info"}, {"params", json::object()}}.dump());
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_EQ(onion.pool().paths().size(), 2u);
  std::set<crypto::Ed25519Public> guards;
  for (const auto& p : onion.pool().paths()) guards.insert(p.hops[0].ed25519);
  std::optional<directory::ConsensusNode> pick;
  for (const auto& p : onion.pool().paths())
    for (std::size_t i = 1; i < p.hops.size(); ++i)
      if (!guards.count(p.hops[i].ed25519)) pick = p.hops[i];
  ASSERT_TRUE(pick);
  const auto victim = *pick;
  ASSERT_FALSE(victim.ed25519 == dest.ed25519);
  for (const auto& n : net.state["nodes"])
    if (n["ed25519"] == victim.ed25519.hex()) ::kill(n["pid"].get<int>(), SIGKILL);

  int retried = 0, sent = 0;
  std::set<std::string> stored;
  // At least 20 stores, and on until the dead node has had its 3 strikes (the paths are
  // picked at random: it may take a few more).
  for (int i = 0; i < 60 && (i < 20 || !onion.pool().dropped(victim.ed25519)); ++i, ++sent) {
    auto r = onion.rpc(dest, json{{"method", "store"}, {"params", store_params(account, "m" + std::to_string(i))}}.dump());
    ASSERT_TRUE(r) << i << ": " << r.error().message();
    EXPECT_EQ(r->status, 200) << r->body;
    stored.insert(json::parse(r->body)["hash"].get<std::string>());
    if (r->attempts == 2) {
      ++retried;
      ASSERT_FALSE(r->failures.empty());
      // Until the authorities drop the dead node from the consensus (a few seconds after the
      // kill) the hop before it cannot reach it; after that it does not know it.
      const std::string& why = r->failures[0];
      EXPECT_TRUE(why.find("Next node not reachable: " + victim.ed25519.hex()) != std::string::npos ||
                  why.find("Next node not found: " + victim.ed25519.hex()) != std::string::npos)
          << why;
    }
    for (const auto& h : r->path) EXPECT_NE(h, victim.ed25519.hex()) << "a path through the dead node succeeded?";
  }
  EXPECT_GE(retried, 1);
  EXPECT_LE(retried, client::PathPool::kStrikes);  // after 3 strikes no path uses it
  EXPECT_TRUE(onion.pool().dropped(victim.ed25519));
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(sent));
  EXPECT_EQ(held(Addr{dest.ip, dest.port_https}, account).size(), static_cast<std::size_t>(sent));  // each exactly once
}

// Each `sotto send` is a new process with new paths; the guards come from the profile's
// record, so the nodes that see this client's address stay the same 2 from run to run
// (without the record each run would take 2 of the 11 others at random).
TEST_F(OnionDevnet, AClientKeepsItsGuardsFromOneRunToTheNext) {
  auto cli = [&](const std::string& who, std::vector<std::string> args) {
    args.insert(args.begin(), {"--profile", net.dir + "/" + who});
    return test::run_process(SOTTO_CLI_BIN, args);
  };
  json bob = json::parse(cli("bob", {"init", "--json"}).out);
  ASSERT_EQ(cli("alice", {"init", "--json"}).exit_code, 0);
  ASSERT_EQ(cli("alice", {"network", "use", net.dir + "/network.json"}).exit_code, 0);
  ASSERT_EQ(cli("alice", {"contacts", "add", bob["session_id"], "bob"}).exit_code, 0);
  std::set<std::string> used;
  for (int i = 0; i < 6; ++i) {
    auto sent = cli("alice", {"--json", "send", "bob", "message " + std::to_string(i)});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    json r = json::parse(sent.out);
    ASSERT_EQ(r["path"].size(), 3u) << sent.out;
    used.insert(r["path"][0].get<std::string>());
  }
  EXPECT_LE(used.size(), 2u) << "guards of 6 runs: " << json(used).dump();
  auto store = client::LocalStore::open(net.dir + "/alice");
  ASSERT_TRUE(store) << store.error().message();
  auto text = (*store)->setting(client::kGuardsSetting);
  ASSERT_TRUE(text && *text) << "no guards remembered";
  auto record = client::parse_guards(**text);
  ASSERT_TRUE(record) << record.error().message();
  std::set<std::string> remembered;
  for (const auto& g : *record) {
    remembered.insert(g.ed25519.hex());
    EXPECT_GE(g.until_ms - g.since_ms, client::kGuardLifetimeMinMs);
  }
  // Every guard used is remembered; the record holds the 2 (a send's automatic backup may
  // have gone through the other one).
  EXPECT_LE(remembered.size(), 2u);
  for (const auto& g : used) EXPECT_TRUE(remembered.contains(g)) << g;
}

}  // namespace
}  // namespace sotto
