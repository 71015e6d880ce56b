// The network in one process (issue 4, "What must hold"): directory authorities and
// service nodes as the real sans-IO code (Authority, ConsensusHolder, ConsensusSwarm, the
// storage RPC, plan_pushes over real in-memory MessageStores), joined by an in-memory
// transport, with a fake clock and seeded randomness. No sockets, no threads.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "directory/authority.hpp"
#include "node/rpc/handler.hpp"
#include "node/swarm/consensus_swarm.hpp"
#include "node/swarm/membership.hpp"
#include "proto/message_hash.hpp"

namespace sotto {
namespace {

using directory::Authority;
using directory::Consensus;
using nlohmann::json;
using node::storage::AccountKey;
using node::storage::MessageHash;

// In a function returning bool: fails the test and returns false on an error.
#define SIM_CHECK(r)                       \
  do {                                          \
    if (!(r)) {                                 \
      ADD_FAILURE() << (r).error().message();   \
      return false;                             \
    }                                           \
  } while (0)

constexpr std::int64_t kGenesis = 1'795'700'000;
constexpr std::int64_t kEpoch = 60;

crypto::Keypair keys_from(std::uint64_t seed) {
  ByteArray<32> s{};
  base::store_be(s.data(), seed);
  s[31] = 0x5a;
  return crypto::Keypair::from_seed(crypto::Seed(s));
}

struct SimNode {
  crypto::Keypair keys;
  std::string ip;
  base::FakeClock& clock;
  std::unique_ptr<node::storage::MessageStore> store = std::move(*node::storage::MessageStore::open(":memory:"));
  node::ConsensusSwarm swarm{keys.ed25519_public()};
  directory::ConsensusHolder holder;
  node::rpc::Context ctx{*store, clock, keys, swarm};
  bool up = true;
  SimNode(crypto::Keypair k, std::string address, base::FakeClock& c, const directory::Network& net)
      : keys(std::move(k)), ip(std::move(address)), clock(c), holder(net) {}
};

class Sim {
 public:
  explicit Sim(int authorities = 3) {
    net_.network_id = "sotto-sim";
    net_.genesis = kGenesis;
    net_.epoch_seconds = kEpoch;
    net_.swarm = {5, 7, 10};
    for (int i = 0; i < authorities; ++i) {
      auto k = keys_from(1000 + static_cast<std::uint64_t>(i));
      net_.authorities.push_back({k.ed25519_public(), "https://127.0.0.1:" + std::to_string(23001 + i)});
    }
    for (int i = 0; i < authorities; ++i) {
      authorities_.push_back(std::make_unique<Authority>(net_, keys_from(1000 + static_cast<std::uint64_t>(i))));
      authority_up_.push_back(true);
    }
  }

  void add_nodes(int n) {
    for (int i = 0; i < n; ++i) {
      auto id = static_cast<std::uint64_t>(nodes_.size() + 1);
      // 16 nodes per /24, so the /24 rule has work to do.
      std::string ip = "10.1." + std::to_string(id / 16) + "." + std::to_string(id % 256);
      nodes_.push_back(std::make_unique<SimNode>(keys_from(id), ip, clock_, net_));
    }
  }
  std::vector<std::unique_ptr<SimNode>>& nodes() { return nodes_; }
  void set_authority_up(std::size_t i, bool up) { authority_up_[i] = up; }

  // One epoch, in the order the schedule gives: nodes (re-)register and are tested, the
  // authorities exchange votes, then signatures, then every node fetches the consensus
  // from a peer (or an authority) and pushes what membership changes ask.
  // Returns whether a new consensus came out.
  bool run_epoch(std::int64_t e) {
    std::int64_t valid_after = kGenesis + e * kEpoch;
    clock_.set_ms((valid_after - 15) * 1000);
    std::int64_t now_ms = clock_.now_ms();
    for (std::size_t a = 0; a < authorities_.size(); ++a) {
      if (!authority_up_[a]) continue;
      for (auto& n : nodes_) {
        if (!n->up) {  // its tests fail: the first, and the retries within the epoch
          for (int f = 0; f < Authority::kDropAfterFailures; ++f)
            authorities_[a]->tested(n->keys.ed25519_public(), n->ip, 22021, false, now_ms);
          continue;
        }
        directory::Descriptor d{net_.network_id, n->keys.ed25519_public(), n->keys.x25519_public(), n->ip, 22021, "0.1.0", now_ms};
        auto r = authorities_[a]->register_node(directory::to_json(directory::sign_descriptor(d, n->keys.ed25519_secret())), now_ms);
        EXPECT_TRUE(r) << r.error().message();
        authorities_[a]->tested(n->keys.ed25519_public(), n->ip, 22021, true, now_ms);
      }
    }
    std::vector<std::string> votes;
    for (std::size_t a = 0; a < authorities_.size(); ++a)
      if (authority_up_[a]) votes.push_back(directory::to_json(authorities_[a]->vote(e, now_ms)));
    for (std::size_t a = 0; a < authorities_.size(); ++a)
      if (authority_up_[a])
        for (const auto& v : votes) (void)authorities_[a]->receive_vote(v, e);  // its own is refused
    // An authority that missed an epoch first adopts the newer consensus of another, as the
    // daemon does before it signs, so that every document chains on the same one.
    for (std::size_t a = 0; a < authorities_.size(); ++a)
      for (std::size_t b = 0; b < authorities_.size(); ++b)
        if (authority_up_[a] && authority_up_[b] && a != b && authorities_[b]->current_json())
          (void)authorities_[a]->adopt(*authorities_[b]->current_json(), now_ms / 1000);
    std::vector<std::string> sigs;
    for (std::size_t a = 0; a < authorities_.size(); ++a)
      if (authority_up_[a])
        if (auto s = authorities_[a]->sign(e)) sigs.push_back(directory::to_json(*s));
    for (std::size_t a = 0; a < authorities_.size(); ++a)
      if (authority_up_[a])
        for (const auto& s : sigs) (void)authorities_[a]->receive_signature(s);
    // Nodes fetch from an authority that is up (a node could also fetch from a peer: the
    // document carries its own proof).
    std::optional<std::string> published;
    for (std::size_t a = 0; a < authorities_.size(); ++a)
      if (authority_up_[a] && authorities_[a]->current() && authorities_[a]->current()->epoch == e) published = authorities_[a]->current_json();
    clock_.set_ms(valid_after * 1000);
    if (!published) return false;
    std::vector<std::pair<SimNode*, const Consensus*>> changed;
    std::map<SimNode*, std::optional<Consensus>> before;
    for (auto& n : nodes_) {
      if (!n->up) continue;
      if (n->holder.current()) before[n.get()] = *n->holder.current();
      auto got = n->holder.offer(*published, valid_after);
      EXPECT_TRUE(got) << got.error().message();
      n->swarm.update(**got);
    }
    // Membership pushes, from every node that is up.
    for (auto& n : nodes_) {
      if (!n->up) continue;
      auto accounts = n->store->accounts();
      SIM_CHECK(accounts);
      const Consensus* was = before[n.get()] ? &*before[n.get()] : nullptr;
      for (const auto& push : node::plan_pushes(was, *n->holder.current(), n->keys.ed25519_public(), *accounts)) {
        auto msgs = n->store->messages_of(push.account, clock_.now_ms());
        SIM_CHECK(msgs);
        for (const auto& to : push.to) deliver(to.ed25519, push.account, *msgs);
      }
    }
    return true;
  }

  SimNode* find(const crypto::Ed25519Public& k) {
    for (auto& n : nodes_)
      if (n->keys.ed25519_public() == k) return n.get();
    return nullptr;
  }

  // A client stores through any node of the account's swarm; the entry node stores and
  // forwards the same request to every swarm peer (what the daemon does over HTTPS).
  // Returns the message hash.
  std::string store(const AccountKey& account, const std::string& text) {
    SimNode* entry = nullptr;
    for (auto& n : nodes_)
      if (n->up && n->swarm.is_ours(account)) entry = n.get();
    EXPECT_NE(entry, nullptr);
    json body{{"method", "store"},
              {"params", {{"pubkey", base::to_hex(account)}, {"timestamp", clock_.now_ms()}, {"ttl", 14LL * 86'400'000},
                          {"data", base::to_base64(as_bytes(text))}, {"namespace", 0}}}};
    auto reply = node::rpc::handle(entry->ctx, body.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    for (const auto& peer : entry->swarm.own_members().members) {
      SimNode* p = find(peer.ed25519);
      if (p && p != entry && p->up) {
        EXPECT_EQ(node::rpc::handle(p->ctx, body.dump()).status, 200);
      }
    }
    return json::parse(reply.body)["hash"];
  }

  directory::Network& net() { return net_; }
  std::vector<std::unique_ptr<Authority>>& authorities() { return authorities_; }
  base::FakeClock& clock() { return clock_; }

 private:
  void deliver(const crypto::Ed25519Public& to, const AccountKey& account, const std::vector<node::storage::Message>& msgs) {
    SimNode* n = find(to);
    if (!n || !n->up) return;  // a push to a node that is down is lost: anti-entropy's job
    std::vector<node::storage::StoreRequest> reqs;
    for (const auto& m : msgs) reqs.push_back({account, m.ns, m.hash, m.timestamp_ms, m.expiry_ms, m.data});
    EXPECT_TRUE(n->store->store_batch(reqs));
  }

  directory::Network net_;
  base::FakeClock clock_;
  std::vector<std::unique_ptr<Authority>> authorities_;
  std::vector<bool> authority_up_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
};

AccountKey account(std::mt19937_64& rng) {
  AccountKey k{};
  k[0] = 0x05;
  for (std::size_t i = 1; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(rng());
  return k;
}

// Every message is on every member (that is up) of its account's swarm now.
void expect_everywhere(Sim& sim, const std::map<AccountKey, std::set<std::string>>& stored) {
  std::size_t checked = 0;
  for (const auto& [acct, hashes] : stored) {
    SimNode* any = nullptr;
    for (auto& n : sim.nodes())
      if (n->up) any = n.get();
    auto info = any->swarm.swarm_for(acct);
    ASSERT_FALSE(info.members.empty());
    for (const auto& m : info.members) {
      SimNode* n = sim.find(m.ed25519);
      ASSERT_NE(n, nullptr);
      if (!n->up) continue;
      auto have = n->store->messages_of(acct, sim.clock().now_ms());
      ASSERT_TRUE(have);
      std::set<std::string> got;
      for (const auto& msg : *have) got.insert(base::to_base64(msg.hash, base::Padding::No));
      for (const auto& h : hashes) EXPECT_TRUE(got.contains(h)) << "a message is missing on a member of its swarm";
      ++checked;
    }
  }
  EXPECT_GT(checked, stored.size() * 4);
}

TEST(Simulation, ThreeAuthoritiesSixtyNodesConvergeAndEveryAccountHasOneSwarm) {
  Sim sim;
  sim.add_nodes(60);
  ASSERT_TRUE(sim.run_epoch(0));
  ASSERT_TRUE(sim.run_epoch(1));
  // All authorities hold the same document, and every node holds it too.
  std::set<std::string> digests;
  for (auto& a : sim.authorities()) digests.insert(directory::digest_hex(*a->current()));
  for (auto& n : sim.nodes()) digests.insert(directory::digest_hex(*n->holder.current()));
  EXPECT_EQ(digests.size(), 1u);
  EXPECT_EQ(sim.authorities()[0]->current()->nodes.size(), 60u);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    auto acct = account(rng);
    std::set<std::uint64_t> ids;
    int serving = 0;
    for (auto& n : sim.nodes()) {
      ids.insert(n->swarm.swarm_for(acct).id);
      serving += n->swarm.is_ours(acct);
    }
    EXPECT_EQ(ids.size(), 1u);  // every node maps the account to the same swarm
    EXPECT_GE(serving, 5);      // whose members (5-10) all say it is theirs
    EXPECT_LE(serving, 10);
  }
}

TEST(Simulation, MessagesReachTheirSwarmAndSurviveSplitsAndDissolutions) {
  Sim sim;
  sim.add_nodes(60);
  ASSERT_TRUE(sim.run_epoch(0));
  std::mt19937_64 rng(11);
  std::map<AccountKey, std::set<std::string>> stored;
  for (int i = 0; i < 300; ++i) {
    auto acct = account(rng);
    stored[acct].insert(sim.store(acct, "message " + std::to_string(i)));
  }
  expect_everywhere(sim, stored);
  // Two more nodes: no split, they join existing swarms and receive those swarms' messages.
  sim.add_nodes(2);
  ASSERT_TRUE(sim.run_epoch(1));
  EXPECT_EQ(sim.authorities()[0]->current()->swarm_ids().size(), 8u);
  expect_everywhere(sim, stored);
  // Twenty-eight more: swarms split; accounts move to the new swarms.
  sim.add_nodes(28);
  ASSERT_TRUE(sim.run_epoch(2));
  EXPECT_GT(sim.authorities()[0]->current()->swarm_ids().size(), 8u);
  expect_everywhere(sim, stored);
  // Twenty go down for good, at most four from each swarm (so one old member stays up):
  // swarms fall under min and dissolve; their accounts move to other swarms.
  std::map<std::uint64_t, int> taken;
  int down = 0;
  for (auto& n : sim.nodes()) {
    auto id = *n->swarm.own_swarm();
    if (down < 20 && taken[id] < 4) ++taken[id], n->up = false, ++down;
  }
  ASSERT_EQ(down, 20);
  auto swarms_before = sim.authorities()[0]->current()->swarm_ids().size();
  ASSERT_TRUE(sim.run_epoch(3));
  EXPECT_EQ(sim.authorities()[0]->current()->nodes.size(), 70u);
  EXPECT_LT(sim.authorities()[0]->current()->swarm_ids().size(), swarms_before);
  expect_everywhere(sim, stored);
  // And new stores keep working.
  auto acct = account(rng);
  stored[acct].insert(sim.store(acct, "after the change"));
  expect_everywhere(sim, stored);
}

TEST(Simulation, OneAuthorityDownStillMakesAConsensusTwoDownDoNotAndNodesKeepTheLast) {
  Sim sim;
  sim.add_nodes(20);
  ASSERT_TRUE(sim.run_epoch(0));
  sim.set_authority_up(2, false);
  ASSERT_TRUE(sim.run_epoch(1));
  for (auto& n : sim.nodes()) EXPECT_EQ(n->holder.current()->epoch, 1);
  sim.set_authority_up(1, false);
  EXPECT_FALSE(sim.run_epoch(2));
  for (auto& n : sim.nodes()) EXPECT_EQ(n->holder.current()->epoch, 1);  // the last valid one
  // The node still serves from it.
  std::mt19937_64 rng(3);
  auto acct = account(rng);
  sim.store(acct, "kept serving");
  // A single authority's own signature is not enough for anyone.
  auto& lone = *sim.authorities()[0];
  EXPECT_EQ(lone.current()->epoch, 1);
  // Back up: the next epoch converges again, chained on epoch 1.
  sim.set_authority_up(1, true);
  sim.set_authority_up(2, true);
  ASSERT_TRUE(sim.run_epoch(3));
  for (auto& n : sim.nodes()) {
    EXPECT_EQ(n->holder.current()->epoch, 3);
    EXPECT_EQ(n->holder.current()->prev_epoch, 1);
  }
  // All three authorities are in step again (the one that was down adopted epoch 1 and
  // signed the same document): each holds epoch 3 with all three signatures.
  for (auto& a : sim.authorities()) {
    ASSERT_NE(a->current(), nullptr);
    EXPECT_EQ(a->current()->epoch, 3);
    EXPECT_EQ(nlohmann::json::parse(*a->current_json())["signatures"].size(), 3u);
  }
}

TEST(Simulation, AForgedOrReplayedConsensusChangesNothing) {
  Sim sim;
  sim.add_nodes(10);
  ASSERT_TRUE(sim.run_epoch(0));
  ASSERT_TRUE(sim.run_epoch(1));
  auto& n = *sim.nodes()[0];
  std::string held = n.holder.current_json();
  // Replay of the same document.
  auto again = n.holder.offer(held, sim.clock().now_ms() / 1000);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().is(directory::Errc::Replayed));
  // A document changed after signing.
  json j = json::parse(held);
  j["consensus"]["nodes"][0]["ip"] = "203.0.113.66";
  auto forged = n.holder.offer(j.dump(), sim.clock().now_ms() / 1000);
  ASSERT_FALSE(forged);
  EXPECT_TRUE(forged.error().is(directory::Errc::Forged));
  // Signed by one authority only.
  auto one = sim.authorities()[0]->current();
  std::vector<directory::ConsensusSignature> sigs{directory::sign_consensus(*one, keys_from(1000).ed25519_secret(), keys_from(1000).ed25519_public())};
  j = json::parse(directory::to_json(*one, sigs));
  j["consensus"]["epoch"] = 5;
  EXPECT_FALSE(n.holder.offer(j.dump(), sim.clock().now_ms() / 1000));
  EXPECT_EQ(n.holder.current_json(), held);
}

}  // namespace
}  // namespace sotto
