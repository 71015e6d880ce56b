// OnionClient over an in-memory network of peeling nodes (no sockets): a request reaches
// its destination through 3 hops and the reply opens; a dead hop, a dead guard, a hop's
// sealed refusal and a timeout each cost the right strike and one retry on a path that
// avoids what failed; two failures end in Unreachable naming both.

#include "client/onion_client.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "client/errc.hpp"
#include "onion/peel.hpp"

namespace sotto::client {
namespace {

using nlohmann::json;

struct MemNode {
  explicit MemNode(crypto::Keypair k) : keys(std::move(k)) {}
  crypto::Keypair keys;
  directory::ConsensusNode entry;
  onion::ReplayGuard replays;
  bool alive = true;
};

// Routes POSTs by address to in-process nodes; a destination answers {"echo": request}.
class MemNetwork final : public Transport {
 public:
  explicit MemNetwork(int n) {
    base::SeededRng rng(42);
    for (int i = 0; i < n; ++i) {
      auto node = std::make_unique<MemNode>(crypto::Keypair::generate(rng));
      node->entry.ed25519 = node->keys.ed25519_public();
      node->entry.x25519 = node->keys.x25519_public();
      node->entry.ip = "10.0." + std::to_string(i) + ".1";
      node->entry.port_https = 443;
      nodes_.push_back(std::move(node));
    }
  }
  std::vector<directory::ConsensusNode> entries() const {
    std::vector<directory::ConsensusNode> v;
    for (const auto& n : nodes_) v.push_back(n->entry);
    return v;
  }
  MemNode& at(std::size_t i) { return *nodes_[i]; }
  MemNode* by_key(const crypto::Ed25519Public& k) {
    for (auto& n : nodes_)
      if (n->entry.ed25519 == k) return n.get();
    return nullptr;
  }
  std::set<crypto::Ed25519Public> garbled;    // replies relayed through these come back unreadable
  crypto::Ed25519Public liar{}, framed{};     // `liar` claims it cannot reach `framed`
  std::set<crypto::Ed25519Public> slow;       // these nodes time out when they relay (504)
  int posts = 0;
  std::string last_reply;  // what the last guard sent back (all a guard sees of a reply)

  Result<TransportReply> post(const std::string& host, std::uint16_t, std::string_view target, std::string_view body) override {
    ++posts;
    EXPECT_EQ(target, "/onion_req/v2");
    MemNode* n = nullptr;
    for (auto& x : nodes_)
      if (x->entry.ip == host) n = x.get();
    if (!n || !n->alive) return Error(base::Errc::Io, "cannot connect to " + host);
    auto r = handle(*n, as_bytes(body));
    last_reply = r.body;
    return r;
  }

 private:
  TransportReply handle(MemNode& n, ByteView body) {
    onion::NodeKeys nk{n.keys.x25519_secret(), n.keys.x25519_public(), n.keys.ed25519_public()};
    onion::Step s = onion::peel(nk, body, n.replays, 0, rng_);
    if (auto* a = std::get_if<onion::Answer>(&s)) return {a->http_status, a->body};
    if (auto* d = std::get_if<onion::Deliver>(&s))
      return {200, onion::seal_reply(d->enc, d->key, 200, json{{"echo", d->request}}.dump(), false, d->base64, rng_)};
    auto& f = std::get<onion::Forward>(s);
    auto refuse = [&](int status, std::string text) {
      auto a = onion::seal_refusal(f.enc, f.key, status, std::move(text), "", rng_);
      return TransportReply{a.http_status, a.body};
    };
    if (slow.count(n.entry.ed25519)) return refuse(504, "Request time out");
    MemNode* next = by_key(f.next);
    if (!next) return refuse(502, "Next node not found: " + f.next.hex());
    if (!next->alive) return refuse(502, "Next node not reachable: " + f.next.hex());
    if (liar == n.entry.ed25519) return refuse(502, "Next node not reachable: " + framed.hex());
    auto r = handle(*next, f.body);
    if (garbled.count(n.entry.ed25519) && r.status == 200) r.body = "AAAA" + r.body.substr(4);
    return r;
  }
  base::SeededRng rng_{9};
  std::vector<std::unique_ptr<MemNode>> nodes_;
};

struct OnionClientTest : ::testing::Test {
  MemNetwork net{12};
  base::SeededRng rng{1};
  OnionClient client{net, rng};
  const std::string payload = R"({"method":"info","params":{}})";
  void SetUp() override { client.set_nodes(net.entries()); }
};

TEST_F(OnionClientTest, ARequestReachesItsDestinationThroughThreeHops) {
  auto dest = net.at(11).entry;
  auto r = client.rpc(dest, payload);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["echo"], payload);
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(r->path.size(), 3u);
  EXPECT_EQ(std::count(r->path.begin(), r->path.end(), dest.ed25519.hex()), 0);
  EXPECT_EQ(net.posts, 1);
}

TEST_F(OnionClientTest, ADeadHopIsStruckAndTheRetryAvoidsIt) {
  auto dest = net.at(11).entry;
  ASSERT_TRUE(client.rpc(dest, payload));
  auto victim = client.pool().paths()[0].hops[1].ed25519;
  net.by_key(victim)->alive = false;
  int retried = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = client.rpc(dest, payload);
    ASSERT_TRUE(r) << i << ": " << r.error().message();
    for (const auto& h : r->path) EXPECT_NE(h, victim.hex());
    if (r->attempts == 2) {
      ++retried;
      EXPECT_NE(r->failures[0].find("Next node not reachable"), std::string::npos);
    }
  }
  EXPECT_GE(retried, 1);
  EXPECT_LE(retried, PathPool::kStrikes);
  EXPECT_TRUE(client.pool().dropped(victim));
}

TEST_F(OnionClientTest, ADeadGuardIsStruck) {
  auto dest = net.at(11).entry;
  ASSERT_TRUE(client.rpc(dest, payload));
  auto guard = client.pool().paths()[0].hops[0].ed25519;
  net.by_key(guard)->alive = false;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.rpc(dest, payload));
  EXPECT_TRUE(client.pool().dropped(guard));
}

TEST_F(OnionClientTest, TimeoutsAndUnreadableRepliesStrikeThePathAndThreeDropIt) {
  auto dest = net.at(11).entry;
  for (bool timeout : {true, false}) {
    ASSERT_TRUE(client.rpc(dest, payload));
    auto first = client.pool().paths()[0];
    const auto& other = client.pool().paths()[1];
    // A node on the first path only (on both, no path would get through).
    std::optional<crypto::Ed25519Public> bad;
    for (const auto& h : first.hops)
      if (!other.contains(h.ed25519)) bad = h.ed25519;
    ASSERT_TRUE(bad);
    (timeout ? net.slow : net.garbled).insert(*bad);
    int failed = 0;
    for (int i = 0; i < 20; ++i) {
      auto r = client.rpc(dest, payload);
      ASSERT_TRUE(r) << r.error().message();
      failed += r->attempts - 1;
    }
    EXPECT_GE(failed, 1);
    for (const auto& p : client.pool().paths()) EXPECT_NE(p.id, first.id) << "the bad path should be gone after 3 strikes";
    net.slow.clear();
    net.garbled.clear();
  }
}

TEST_F(OnionClientTest, TwoFailuresEndInUnreachableSayingWhatEachMet) {
  // Every node but the destination's would-be neighbours is dead: no path can succeed.
  auto dest = net.at(11).entry;
  for (std::size_t i = 0; i < 11; ++i) net.at(i).alive = false;
  auto r = client.rpc(dest, payload);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::Unreachable));
  EXPECT_NE(r.error().message().find("2 path(s)"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("cannot connect"), std::string::npos);
}

TEST_F(OnionClientTest, AHopCannotGetANodeOffItsPathStruck) {
  auto dest = net.at(11).entry;
  ASSERT_TRUE(client.rpc(dest, payload));
  net.liar = client.pool().paths()[0].hops[0].ed25519;
  // An honest node on no path (so never the liar's successor).
  for (std::size_t i = 0; i < 11; ++i)
    if (std::none_of(client.pool().paths().begin(), client.pool().paths().end(), [&](const Path& p) { return p.contains(net.at(i).entry.ed25519); }))
      net.framed = net.at(i).entry.ed25519;
  ASSERT_FALSE(net.framed == crypto::Ed25519Public{});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.rpc(dest, payload));
  EXPECT_FALSE(client.pool().dropped(net.framed));
}

TEST_F(OnionClientTest, ADeadDestinationFailsOnTwoPathsAndNoHopSeesItNamed) {
  auto dest = net.at(11).entry;
  ASSERT_TRUE(client.rpc(dest, payload));
  net.at(11).alive = false;
  int before = net.posts;
  auto r = client.rpc(dest, payload);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::Unreachable));
  EXPECT_NE(r.error().message().find("Next node not reachable: " + dest.ed25519.hex()), std::string::npos) << r.error().message();
  EXPECT_EQ(net.posts, before + 2);
  EXPECT_EQ(net.last_reply.find(dest.ed25519.hex()), std::string::npos);  // the guard relayed an opaque reply
  EXPECT_FALSE(client.pool().dropped(dest.ed25519));  // a last hop's word never drops the destination
}

TEST_F(OnionClientTest, ALastHopBlamingTheDestinationCostsItsPathNotTheDestination) {
  auto dest = net.at(11).entry;
  ASSERT_TRUE(client.rpc(dest, payload));
  net.liar = client.pool().paths()[0].hops[2].ed25519;
  net.framed = dest.ed25519;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.rpc(dest, payload)) << i;
  EXPECT_FALSE(client.pool().dropped(dest.ed25519));
}

TEST_F(OnionClientTest, TooFewNodesIsNoPath) {
  OnionClient small(net, rng);
  auto entries = net.entries();
  entries.resize(3);
  small.set_nodes(entries);
  auto r = small.rpc(entries[0], payload);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::NoPath));
}

}  // namespace
}  // namespace sotto::client
