// The network in one process (issue 4, "What must hold"): directory authorities and
// service nodes as the real sans-IO code (Authority, ConsensusHolder, ConsensusSwarm, the
// storage RPC over real in-memory MessageStores, and the node-to-node code the daemon runs:
// replication, membership pushes, anti-entropy and the signed peer requests, through
// node::PeerService), joined by an in-memory PeerLink, with a fake clock and seeded
// randomness. No sockets, no threads.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <deque>
#include <random>
#include <set>

#include "directory/authority.hpp"
#include "node/rpc/handler.hpp"
#include "node/swarm/anti_entropy.hpp"
#include "node/swarm/consensus_swarm.hpp"
#include "node/swarm/membership.hpp"
#include "node/swarm/peer_auth.hpp"
#include "node/swarm/peer_service.hpp"
#include "node/swarm/pusher.hpp"
#include "node/swarm/replication.hpp"
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

// Messages another node sent, stored at once (the daemon: on its storage thread).
node::StoreMessages store_into(node::storage::MessageStore& store) {
  return [&store](std::shared_ptr<std::vector<node::PeerMessage>>, std::vector<node::storage::StoreRequest> reqs,
                  std::function<void(Result<void>)> done) {
    auto r = store.store_batch(reqs);
    if (!r) return done(std::move(r).error());
    done({});
  };
}

struct SimNode {
  crypto::Keypair keys;
  std::string ip;
  base::FakeClock& clock;
  std::unique_ptr<node::storage::MessageStore> store = std::move(*node::storage::MessageStore::open(":memory:"));
  node::ConsensusSwarm swarm{keys.ed25519_public()};
  directory::ConsensusHolder holder;
  std::deque<Consensus> past;  // the consensuses before holder's, newest first (a push's sender may hold one)
  node::rpc::Context ctx{*store, clock, keys, swarm};
  std::unique_ptr<node::PeerService> peers;
  std::unique_ptr<node::Pusher> pusher;
  std::unique_ptr<node::AntiEntropy> anti_entropy;
  bool up = true;
  SimNode(crypto::Keypair k, std::string address, base::FakeClock& fake_clock, const directory::Network& net, node::PeerLink& link)
      : keys(std::move(k)), ip(std::move(address)), clock(fake_clock), holder(net) {
    node::PeerService::Hooks h;
    h.is_swarm_member = [this](const crypto::Ed25519Public& pk) {
      const auto members = swarm.own_members().members;
      return std::any_of(members.begin(), members.end(), [&](const node::NodeAddress& m) { return m.ed25519 == pk; });
    };
    h.held_account = [this](const crypto::Ed25519Public& pk, const AccountKey& a) {
      std::vector<const Consensus*> held{holder.current()};
      for (const auto& c : past) held.push_back(&c);
      for (const Consensus* c : held)
        if (c)
          if (auto id = node::ConsensusSwarm::swarm_of(a, c->swarm_ids()))
            for (const auto& n : c->nodes)
              if (n.ed25519 == pk && n.swarm_id == *id) return true;
      return false;
    };
    h.is_ours = [this](const AccountKey& a) { return swarm.is_ours(a); };
    h.epoch = [this] { return swarm.epoch().value_or(-1); };
    h.clock_epoch = [this] { return (clock.now_ms() / 1000 - kGenesis) / kEpoch; };
    h.newer_epoch = [](std::int64_t) {};
    h.replicated = [this](std::string body, std::function<void(node::PeerAnswer)> reply) {
      auto r = node::rpc::handle(ctx, body);
      reply({r.status, r.body, r.json});
    };
    h.store = store_into(*store);
    h.open_reader = [this]() -> Result<std::shared_ptr<node::storage::MessageStore>> {
      return std::shared_ptr<node::storage::MessageStore>(store.get(), [](node::storage::MessageStore*) {});
    };
    peers = std::make_unique<node::PeerService>(clock, std::move(h));
    pusher = std::make_unique<node::Pusher>(keys, clock, link);
    anti_entropy = std::make_unique<node::AntiEntropy>(keys, clock, link, store_into(*store));
  }
  // Every hash this node holds for `account`.
  std::set<std::string> holds(const AccountKey& account) const {
    std::set<std::string> got;
    if (auto have = store->messages_of(account, clock.now_ms()))
      for (const auto& msg : *have) got.insert(base::to_base64(msg.hash, base::Padding::No));
    return got;
  }
};

// The nodes reach each other's node::PeerService in memory: a node that is down does not
// answer (an error, as a timeout would be).
class Sim : public node::PeerLink {
 public:
  Result<node::PeerReply> call(const node::NodeAddress& to, const std::string& path, const std::string& body, const std::string& auth) override {
    SimNode* n = find(to.ed25519);
    if (!n || !n->up) return Error(node::PeerErrc::NoConnection, "down");
    std::optional<node::PeerReply> out;
    if (!n->peers->handle(path, body, auth, [&](node::PeerAnswer a) { out = node::PeerReply{a.status, std::move(a.body)}; }))
      return node::PeerReply{404, "Not found"};
    return *out;  // every answer here is given at once
  }
  void post(const node::NodeAddress& to, const std::string& path, std::string body, std::string auth,
            std::function<void(Result<node::PeerReply>)> done) override {
    done(call(to, path, body, auth));
  }

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
      nodes_.push_back(std::make_unique<SimNode>(keys_from(id), ip, clock_, net_, *this));
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
        auto r = authorities_[a]->register_node(directory::to_json(directory::sign_descriptor(d, n->keys.ed25519_secret())), d.ip, now_ms);
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
    std::map<SimNode*, std::optional<Consensus>> before;
    for (auto& n : nodes_) {
      if (!n->up) continue;
      if (n->holder.current()) before[n.get()] = *n->holder.current();
      auto got = n->holder.offer(*published, valid_after);
      EXPECT_TRUE(got) << got.error().message();
      if (before[n.get()]) n->past.push_front(*before[n.get()]);
      // As the daemon's ConsensusFollower: a node that did not hold the previous consensus
      // (it just joined) fetches it from an authority, checked against prev_digest.
      if ((*got)->prev_epoch >= 0 && (!before[n.get()] || before[n.get()]->epoch != (*got)->prev_epoch))
        if (auto prev = previous_of(**got, valid_after)) n->past.push_front(*prev);
      n->swarm.update(**got);
    }
    // Membership pushes, from every node that is up, as the daemon's swarm worker makes
    // them (through the receivers' PeerService, signed): first the retries of last
    // epoch's failures, then this change's.
    for (auto& n : nodes_) {
      if (!n->up) continue;
      const Consensus* was = before[n.get()] ? &*before[n.get()] : nullptr;
      (void)n->pusher->retry(*n->store, n->swarm, n->swarm.epoch(), [] { return false; });
      auto st = n->pusher->push_moved(was, *n->holder.current(), *n->store, [] { return false; });
      EXPECT_EQ(st.failed, 0u) << "a push to a node that is up failed";
    }
    return true;
  }

  SimNode* find(const crypto::Ed25519Public& k) {
    for (auto& n : nodes_)
      if (n->keys.ed25519_public() == k) return n.get();
    return nullptr;
  }

  // A client stores through any node of the account's swarm that is up; the entry node
  // stores and replicates the same request to every swarm peer (node::replicate, as the
  // daemon does), and the reply holds every member's entry. Returns the message hash; the
  // members that signed a receipt in `receipts`.
  std::string store(const AccountKey& account, const std::string& text, std::size_t* receipts = nullptr) {
    SimNode* entry = nullptr;
    for (auto& n : nodes_)
      if (n->up && n->swarm.is_ours(account)) entry = n.get();
    EXPECT_NE(entry, nullptr);
    json body{{"method", "store"},
              {"params", {{"pubkey", base::to_hex(account)}, {"timestamp", clock_.now_ms()}, {"ttl", 14LL * 86'400'000},
                          {"data", base::to_base64(as_bytes(text))}, {"namespace", 0}}}};
    auto p = node::rpc::prepare(entry->ctx, body.dump());
    EXPECT_TRUE(p.pending);
    auto reply = node::rpc::apply(entry->ctx, *p.pending);
    EXPECT_EQ(reply.status, 200) << reply.body;
    std::vector<node::NodeAddress> peers;
    for (const auto& m : entry->swarm.own_members().members)
      if (m.ed25519 != entry->keys.ed25519_public()) peers.push_back(m);
    node::replicate(*this, entry->keys, clock_, peers, body.dump(), [&](node::Entries entries) {
      for (auto& e : entries) reply.swarm->members.push_back(std::move(e));
    });
    json written = json::parse(node::rpc::render(std::move(reply)));
    if (receipts) {
      *receipts = 0;
      for (const auto& [k, entry_json] : written["swarm"].items()) *receipts += entry_json.contains("signature");
    }
    return written["hash"];
  }

  // A backup part (namespace 31, 170 days to live) on every member of the account's swarm
  // that is up, as a signed store replicated to them leaves it. Returns its hash.
  std::string put_backup(const AccountKey& account, const std::string& text) {
    Bytes data(text.begin(), text.end());
    auto hash = proto::message_hash_raw(account, proto::kBackupNamespace, data);
    const std::int64_t now = clock_.now_ms();
    for (auto& n : nodes_)
      if (n->up && n->swarm.is_ours(account)) {
        auto r = n->store->store({account, proto::kBackupNamespace, hash, now, now + 170LL * 86'400'000, data});
        EXPECT_TRUE(r) << r.error().message();
      }
    return base::to_base64(hash, base::Padding::No);
  }

  // Anti-entropy of `n` with every peer of its swarm that is up, as the daemon's swarm
  // worker runs it in the epoch after a node joined a swarm.
  node::SyncStats sync_all(SimNode& n) {
    node::SyncStats total;
    for (const auto& m : n.swarm.own_members().members) {
      SimNode* peer = find(m.ed25519);
      if (!peer || peer == &n || !peer->up) continue;
      auto s = n.anti_entropy->sync_with(m, *n.store, [&](const AccountKey& a) { return n.swarm.is_ours(a); }, [] { return false; });
      EXPECT_EQ(s.failure, "");
      total.sent += s.sent;
      total.fetched += s.fetched;
    }
    return total;
  }

  directory::Network& net() { return net_; }
  std::vector<std::unique_ptr<Authority>>& authorities() { return authorities_; }
  base::FakeClock& clock() { return clock_; }

 private:
  std::optional<Consensus> previous_of(const Consensus& now, std::int64_t now_s) {
    for (std::size_t a = 0; a < authorities_.size(); ++a) {
      if (!authority_up_[a]) continue;
      auto text = authorities_[a]->consensus_json(now.prev_epoch);
      if (!text) continue;
      auto prev = directory::accept_consensus(*text, net_, std::nullopt, now_s);
      if (prev && directory::digest_hex(*prev) == now.prev_digest) return *prev;
    }
    return std::nullopt;
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
    // Every tenth account has a backup too, which outlives every other namespace's TTL and
    // must move with its account all the same.
    if (i % 10 == 0) stored[acct].insert(sim.put_backup(acct, "backup part " + std::to_string(i)));
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

// Replication and anti-entropy as the daemon runs them (node::replicate, node::AntiEntropy,
// node::PeerService with signed requests): a member that is down misses what is stored
// meanwhile (the reply says it failed); back up, one anti-entropy round with its peers
// brings all of it back, and what it alone holds reaches the others the same way.
TEST(Simulation, AMemberThatWasDownCatchesUpByAntiEntropy) {
  Sim sim;
  sim.add_nodes(12);
  ASSERT_TRUE(sim.run_epoch(0));
  std::mt19937_64 rng(5);
  auto acct = account(rng);
  auto info = sim.nodes()[0]->swarm.swarm_for(acct);
  ASSERT_GE(info.members.size(), 5u);
  SimNode* late = sim.find(info.members.back().ed25519);
  late->up = false;
  std::set<std::string> hashes;
  for (int i = 0; i < 20; ++i) {
    std::size_t receipts = 0;
    hashes.insert(sim.store(acct, "while one was down " + std::to_string(i), &receipts));
    EXPECT_EQ(receipts, info.members.size() - 1);  // every member that is up signed; the down one is listed as failed
  }
  hashes.insert(sim.put_backup(acct, "a backup part, 170 days to live"));  // anti-entropy repairs backups too
  late->up = true;
  EXPECT_TRUE(late->holds(acct).empty());
  for (const auto& m : info.members)
    if (m.ed25519 != late->keys.ed25519_public()) {
      EXPECT_EQ(sim.find(m.ed25519)->holds(acct), hashes);
    }

  auto s = sim.sync_all(*late);
  EXPECT_EQ(s.fetched, hashes.size());
  EXPECT_EQ(late->holds(acct), hashes);

  // A message only `late` holds (stored on it alone) reaches a peer by that peer's round.
  sim.clock().advance(std::chrono::milliseconds(1000));  // another round: signed requests are never taken twice
  json body{{"method", "store"},
            {"params", {{"pubkey", base::to_hex(acct)}, {"timestamp", sim.clock().now_ms()}, {"ttl", 86'400'000},
                        {"data", base::to_base64(as_bytes(std::string("only here")))}, {"namespace", 0}}}};
  auto r = node::rpc::handle(late->ctx, body.dump());
  ASSERT_EQ(r.status, 200);
  std::string only = json::parse(r.body)["hash"];
  SimNode* other = sim.find(info.members.front().ed25519);
  EXPECT_FALSE(other->holds(acct).contains(only));
  auto s2 = sim.sync_all(*other);
  EXPECT_GE(s2.fetched, 1u);
  EXPECT_TRUE(other->holds(acct).contains(only));
}

// What a node answers other nodes refuses what is not signed by a node that may send it,
// and stores nothing then.
TEST(Simulation, PeerRequestsNeedTheSignatureOfANodeThatMaySendThem) {
  Sim sim;
  sim.add_nodes(12);
  ASSERT_TRUE(sim.run_epoch(0));
  std::mt19937_64 rng(9);
  auto acct = account(rng);
  auto info = sim.nodes()[0]->swarm.swarm_for(acct);
  SimNode* to = sim.find(info.members[0].ed25519);
  SimNode* from = sim.find(info.members[1].ed25519);
  SimNode* outsider = nullptr;
  for (auto& n : sim.nodes())
    if (!n->swarm.is_ours(acct)) outsider = n.get();
  ASSERT_NE(outsider, nullptr);
  Bytes data{1, 2, 3};
  node::storage::Message m{proto::message_hash_raw(acct, 0, data), 0, sim.clock().now_ms(), sim.clock().now_ms() + 60'000, data};
  std::string push = node::encode_push(acct, 0, {&m});
  auto answer = [&](SimNode& sender, const std::string& auth) {
    std::optional<node::PeerAnswer> out;
    to->peers->handle("/sotto/v1/push", push, auth, [&](node::PeerAnswer a) { out = std::move(a); });
    (void)sender;
    return out->status;
  };
  const std::int64_t now = sim.clock().now_ms();
  EXPECT_EQ(answer(*outsider, node::sign_peer_request(outsider->keys, "POST", "/sotto/v1/push", push, now)), 401);  // not a holder
  EXPECT_EQ(answer(*from, ""), 401);
  EXPECT_EQ(answer(*from, node::sign_peer_request(from->keys, "POST", "/sotto/v1/push", push + " ", now)), 401);  // another body
  EXPECT_EQ(answer(*from, node::sign_peer_request(from->keys, "POST", "/sotto/v1/push", push, now - 61'000)), 401);  // stale
  EXPECT_TRUE(to->holds(acct).empty());
  auto good = node::sign_peer_request(from->keys, "POST", "/sotto/v1/push", push, now);
  EXPECT_EQ(answer(*from, good), 200);
  EXPECT_EQ(to->holds(acct).size(), 1u);
  EXPECT_EQ(answer(*from, good), 401);  // replayed
}

}  // namespace
}  // namespace sotto
