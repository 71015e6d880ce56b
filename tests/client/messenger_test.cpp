// client::Messenger against nodes that lie (a fake transport, straight to the nodes, a
// signed consensus of 12 nodes in 2 swarms): receipts count once per real member of the
// recipient's swarm; a retrieved item whose hash is not its data's is neither shown nor
// remembered; a message is shown once however many members serve it; failures in transit
// leave the message failed and retryable.

#include "client/messenger.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "client/errc.hpp"
#include "proto/dm.hpp"
#include "proto/message_hash.hpp"
#include "support/directory_world.hpp"
#include "support/hostile.hpp"
#include "support/process.hpp"

namespace sotto::client {
namespace {

using nlohmann::json;

// Answers each storage RPC with `answer(payload)`; counts the calls.
struct FakeNodes : Transport {
  std::function<Result<TransportReply>(const json&)> answer;
  int calls = 0;
  std::string host;  // of the node asked last
  Result<TransportReply> post(const std::string& at, std::uint16_t, std::string_view, std::string_view body) override {
    ++calls;
    host = at;
    return answer(json::parse(body));
  }
};

struct Fixture {
  test::World w;
  test::TempDir tmp;
  base::FakeClock clock{(test::kGenesis + 30) * 1000};
  base::SeededRng rng{5};
  FakeNodes nodes;
  std::unique_ptr<Messenger> open(const std::string& name, crypto::Keypair keys) {
    Profile p(tmp.sub(name));
    std::filesystem::create_directories(p.dir());
    if (!NetworkView::use(p, w.network_json())) throw std::runtime_error("use");
    auto v = NetworkView::open(p, clock.now_ms() / 1000);
    auto c0 = w.agree(0, w.nodes(1, 12), nullptr);
    if (!v || !v->offer(w.signed_json(c0, {0, 1, 2}), clock.now_ms() / 1000)) throw std::runtime_error("consensus");
    MessengerOptions o;
    o.onion = false;
    o.sleep = [](std::int64_t) {};  // back-off without waiting
    auto m = Messenger::open(p, std::move(keys), nodes, rng, clock, o);
    if (!m) throw std::runtime_error(m.error().message());
    return std::move(*m);
  }
  // The members of `account`'s swarm with their keys (World's nodes 1-12).
  std::vector<std::pair<directory::ConsensusNode, crypto::Keypair>> swarm_of(Messenger& m, const crypto::AccountId& account) {
    (void)m;
    Profile p(tmp.sub("alice"));
    auto v = NetworkView::open(p, clock.now_ms() / 1000);
    std::vector<std::pair<directory::ConsensusNode, crypto::Keypair>> out;
    for (const auto& n : v->swarm_of(account.bytes()))
      for (int i = 1; i <= 12; ++i)
        if (test::World::node_keys(i).ed25519_public() == n.ed25519) out.emplace_back(n, test::World::node_keys(i));
    return out;
  }
};

std::string receipt_sig(const crypto::Keypair& k, const std::string& hash) {
  return base::to_base64(crypto::sign(k.ed25519_secret(), as_bytes(hash)));
}

TEST(Messenger, ReceiptsCountOncePerRealMemberOfTheRecipientsSwarm) {
  Fixture f;
  auto alice = f.open("alice", test::World::node_keys(101));
  auto bob_keys = test::World::node_keys(102);
  auto bob = crypto::account_id_of(bob_keys);
  auto members = f.swarm_of(*alice, bob);
  ASSERT_GE(members.size(), 2u);
  auto outsider = test::World::node_keys(200);
  f.nodes.answer = [&](const json& req) -> Result<TransportReply> {
    std::string hash = proto::message_hash(bob.bytes(), 0, *base::from_base64(req["params"]["data"].get<std::string>()));
    const auto& [m0, k0] = members[0];
    std::string hex = m0.ed25519.hex(), upper = hex;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    json swarm{{hex, {{"hash", hash}, {"signature", receipt_sig(k0, hash)}}},
               {upper, {{"hash", hash}, {"signature", receipt_sig(k0, hash)}}},  // the same member again
               {outsider.ed25519_public().hex(), {{"hash", hash}, {"signature", receipt_sig(outsider, hash)}}},  // not a member
               {members[1].first.ed25519.hex(), {{"hash", hash}, {"signature", receipt_sig(outsider, hash)}}}};  // forged
    return TransportReply{200, json{{"swarm", swarm}, {"hash", hash}}.dump()};
  };
  auto r = alice->send(bob, "hi");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->confirmations, 1);
  EXPECT_EQ(r->swarm_size, static_cast<int>(members.size()));
  EXPECT_EQ((**alice->store().message(r->id)).state, DeliveryState::Sent);
}

TEST(Messenger, NoReceiptOrNoNodeLeavesTheMessageFailedAndRetryable) {
  Fixture f;
  auto alice = f.open("alice", test::World::node_keys(101));
  auto bob = crypto::account_id_of(test::World::node_keys(102));
  f.nodes.answer = [&](const json&) -> Result<TransportReply> { return Error(Errc::Unreachable, "connection refused"); };
  auto r = alice->send(bob, "hi");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::Unreachable)) << r.error().message();
  EXPECT_NE(r.error().message().find("sotto retry 1"), std::string::npos) << r.error().message();
  EXPECT_EQ(f.nodes.calls, 5);
  auto kept = **alice->store().message(1);
  EXPECT_EQ(kept.state, DeliveryState::Failed);
  ASSERT_FALSE(kept.data.empty());
  // A retry sends the very same bytes (the same hash: no duplicate at the nodes).
  std::string data_seen;
  f.nodes.answer = [&](const json& req) -> Result<TransportReply> {
    data_seen = req["params"]["data"];
    return TransportReply{200, R"({"swarm":{}})"};
  };
  auto again = alice->retry(1);
  ASSERT_FALSE(again);  // 200 but no receipt at all: not delivered
  EXPECT_EQ(data_seen, kept.data);
  EXPECT_EQ((**alice->store().message(1)).state, DeliveryState::Failed);
  // A refusal (400) is final: one call, not five.
  f.nodes.calls = 0;
  f.nodes.answer = [&](const json&) -> Result<TransportReply> { return TransportReply{400, "bad"}; };
  auto refused = alice->send(bob, "again");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(Errc::Refused));
  EXPECT_EQ(f.nodes.calls, 1);
}

TEST(Messenger, RetrievedItemsAreShownOnceAndOnlyWhenTheirHashIsTheirData) {
  Fixture f;
  auto alice_keys = test::World::node_keys(101);
  auto bob = f.open("bob", test::World::node_keys(102));
  auto bob_id = crypto::account_id_of(test::World::node_keys(102));
  proto::Content c;
  c.body = "real";
  c.timestamp_ms = static_cast<std::uint64_t>(f.clock.now_ms());
  Bytes data = *proto::encode_dm(alice_keys, bob_id, c, c.timestamp_ms, f.rng);
  std::string real_hash = proto::message_hash(bob_id.bytes(), 0, data);
  std::string fake_hash = base::to_base64(Bytes(32, 7), base::Padding::No);
  std::string data_b64 = base::to_base64(data);
  json page = json::array({
      {{"hash", fake_hash}, {"data", data_b64}, {"expiration", f.clock.now_ms() + 1000}},  // a replay under a made-up hash
      {{"hash", real_hash}, {"data", data_b64}, {"expiration", f.clock.now_ms() + 1000}},
      {{"hash", "not a hash"}, {"data", data_b64}},
  });
  f.nodes.answer = [&](const json& req) -> Result<TransportReply> {
    EXPECT_EQ(req["method"], "retrieve");
    EXPECT_EQ(req["params"]["wait"], 0);
    return TransportReply{200, json{{"messages", page}, {"more", false}}.dump()};
  };
  auto got = bob->receive(0);
  ASSERT_TRUE(got) << got.error().message();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "real");
  EXPECT_EQ((*got)[0].hash, real_hash);
  EXPECT_EQ((*got)[0].peer, crypto::account_id_of(alice_keys).hex());
  EXPECT_FALSE(*bob->store().seen(fake_hash));
  // The same message again (another member, or the same one): nothing new.
  auto again = bob->receive(0);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  // A node that claims the real hash with other data cannot hide it either: not seen.
  Fixture g;
  auto carol = g.open("carol", test::World::node_keys(102));
  json poisoned = json::array({{{"hash", real_hash}, {"data", base::to_base64(Bytes(100, 1))}}});
  g.nodes.answer = [&](const json&) -> Result<TransportReply> { return TransportReply{200, json{{"messages", poisoned}}.dump()}; };
  ASSERT_TRUE(carol->receive(0));
  EXPECT_FALSE(*carol->store().seen(real_hash));
}

// An in-memory swarm for one account's own namespaces: store (with every member's signed
// receipt), retrieve (all after last_hash), delete.
struct MemorySwarm {
  std::vector<std::pair<directory::ConsensusNode, crypto::Keypair>> members;
  crypto::AccountId account;
  std::map<std::int64_t, std::vector<std::pair<std::string, Bytes>>> by_ns;  // in store order
  int stores = 0;
  Result<TransportReply> answer(const json& req) {
    const auto& p = req["params"];
    std::int64_t ns = p.value("namespace", std::int64_t{0});
    if (req["method"] == "store") {
      ++stores;
      Bytes data = *base::from_base64(p["data"].get<std::string>());
      std::string hash = proto::message_hash(account.bytes(), static_cast<proto::Namespace>(ns), data);
      auto& list = by_ns[ns];
      if (std::none_of(list.begin(), list.end(), [&](const auto& e) { return e.first == hash; })) list.emplace_back(hash, data);
      json swarm = json::object();
      for (const auto& [n, k] : members) swarm[n.ed25519.hex()] = {{"hash", hash}, {"signature", receipt_sig(k, hash)}};
      return TransportReply{200, json{{"swarm", swarm}, {"hash", hash}}.dump()};
    }
    if (req["method"] == "retrieve") {
      json msgs = json::array();
      bool after = p.value("last_hash", "").empty();
      for (const auto& [h, d] : by_ns[ns]) {
        if (after) msgs.push_back({{"hash", h}, {"data", base::to_base64(d)}, {"expiration", 1}});
        if (h == p.value("last_hash", "")) after = true;
      }
      return TransportReply{200, json{{"messages", msgs}, {"more", false}}.dump()};
    }
    if (req["method"] == "delete") {
      for (auto& [n, list] : by_ns)
        std::erase_if(list, [&](const auto& e) { return std::find(p["messages"].begin(), p["messages"].end(), e.first) != p["messages"].end(); });
      return TransportReply{200, R"({"swarm":{}})"};
    }
    return TransportReply{400, "unknown"};
  }
};

void fill(LocalStore& store, int per_conversation) {
  std::vector<Contact> contacts;
  std::vector<StoredMessage> msgs;
  for (int c = 0; c < 3; ++c) {
    std::string peer = "05" + std::string(63, 'a') + std::to_string(c);
    contacts.push_back({peer, "friend" + std::to_string(c), c == 2});
    for (int i = 0; i < per_conversation; ++i) {
      StoredMessage m;
      m.peer = peer;
      m.direction = i % 2 ? Direction::Outgoing : Direction::Incoming;
      m.body = "conversation " + std::to_string(c) + " message " + std::to_string(i);
      m.timestamp_ms = m.local_ms = 1'000'000 + i;
      m.hash = "h-" + std::to_string(c) + "-" + std::to_string(i);
      m.state = m.direction == Direction::Outgoing ? DeliveryState::Sent : DeliveryState::Received;
      msgs.push_back(m);
    }
  }
  ASSERT_TRUE(store.import(contacts, {}, msgs));
}

TEST(Messenger, BackupUploadsOnlyWhatChangedAndRestoresOnANewDevice) {
  Fixture f;
  auto keys = test::World::node_keys(103);
  auto account = crypto::account_id_of(keys);
  auto alice = f.open("alice", test::World::node_keys(103));
  MemorySwarm swarm{f.swarm_of(*alice, account), account, {}, 0};
  f.nodes.answer = [&](const json& req) { return swarm.answer(req); };
  fill(alice->store(), 700);  // 3 conversations of 700: 3 blocks each, and meta

  auto first = alice->backup_now();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->chunks, 10u);
  EXPECT_EQ(first->new_chunks, 10u);
  EXPECT_EQ(first->messages, 2100);
  // 10 new messages in one conversation: the meta chunk and that conversation's last block.
  std::vector<StoredMessage> more;
  for (int i = 0; i < 10; ++i) {
    StoredMessage m;
    m.peer = "05" + std::string(63, 'a') + "1";
    m.body = "new " + std::to_string(i);
    m.timestamp_ms = m.local_ms = 2'000'000 + i;
    m.hash = "new-" + std::to_string(i);
    m.state = DeliveryState::Received;
    more.push_back(m);
  }
  auto b1 = alice->last_backup();
  ASSERT_TRUE(b1 && *b1);
  ASSERT_TRUE(alice->store().import({}, {}, more));
  auto second = alice->backup_now();
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(second->new_chunks, 2u);
  EXPECT_LT(second->new_bytes * 3, second->bytes);
  EXPECT_EQ(second->deleted, 0u);  // backup 1 is kept for a fallback

  // A new device: the same keys (from the phrase), an empty profile.
  auto phone = f.open("phone", test::World::node_keys(103));
  auto restored = phone->restore_backup();
  ASSERT_TRUE(restored) << restored.error().message();
  EXPECT_EQ(restored->seq, 2);
  EXPECT_EQ(restored->added, 2110u);
  EXPECT_TRUE(restored->skipped.empty());
  auto mine = alice->store().all_messages(), theirs = phone->store().all_messages();
  ASSERT_EQ(theirs->size(), mine->size());
  for (std::size_t i = 0; i < mine->size(); ++i) {
    EXPECT_EQ((*theirs)[i].hash, (*mine)[i].hash);
    EXPECT_EQ((*theirs)[i].body, (*mine)[i].body);
    EXPECT_EQ((*theirs)[i].direction, (*mine)[i].direction);
    EXPECT_EQ((*theirs)[i].timestamp_ms, (*mine)[i].timestamp_ms);
    EXPECT_EQ((*theirs)[i].state, (*mine)[i].state);
  }
  auto contacts = phone->store().contacts();
  ASSERT_EQ(contacts->size(), 3u);
  EXPECT_TRUE((*contacts)[2].blocked);
  EXPECT_EQ(phone->store().conversations()->size(), 3u);

  // A node flips a byte of the chunk that changed in backup 2: restore names the chunk
  // and falls back to backup 1.
  auto b2 = alice->last_backup();
  ASSERT_TRUE(b2 && *b2);
  std::set<std::string> old_ids;
  for (const auto& c : (*b1)->chunks) old_ids.insert(c.id_hex);
  const backup::ManifestChunk* changed = nullptr;
  for (const auto& c : (*b2)->chunks)
    if (!old_ids.count(c.id_hex) && c.kind == "messages") changed = &c;
  ASSERT_NE(changed, nullptr);
  for (auto& [h, d] : swarm.by_ns[31])
    if (h == changed->parts[0]) d[60] ^= 1;
  auto laptop = f.open("laptop", test::World::node_keys(103));
  auto fallback = laptop->restore_backup();
  ASSERT_TRUE(fallback) << fallback.error().message();
  EXPECT_EQ(fallback->seq, 1);
  EXPECT_EQ(fallback->added, 2100u);
  ASSERT_EQ(fallback->skipped.size(), 1u);
  // (The flipped part no longer hashes to its storage hash, so it counts as missing.)
  EXPECT_NE(fallback->skipped[0].find("backup 2: chunk " + changed->id_hex.substr(0, 16)), std::string::npos) << fallback->skipped[0];

  // The laptop restored backup 1 but saw backup 2: its next backup goes above both.
  auto from_laptop = laptop->backup_now();
  ASSERT_TRUE(from_laptop) << from_laptop.error().message();
  EXPECT_EQ(from_laptop->seq, 3);
  // A profile that never backed up asks the swarm first.
  auto fresh = f.open("fresh", test::World::node_keys(103));
  auto from_fresh = fresh->backup_now();
  ASSERT_TRUE(from_fresh) << from_fresh.error().message();
  EXPECT_EQ(from_fresh->seq, 4);

  auto third = alice->backup_now();  // backup 1 drops out: what only it used is deleted
  ASSERT_TRUE(third) << third.error().message();
  EXPECT_EQ(third->new_chunks, 0u);
  EXPECT_GT(third->deleted, 0u);

  // Nothing intact at all: a clear error, nothing changed.
  for (auto& [h, d] : swarm.by_ns[31])
    if (backup::is_manifest(d)) d[d.size() - 1] ^= 1;
  auto tablet = f.open("tablet", test::World::node_keys(103));
  auto none = tablet->restore_backup();
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(Errc::BackupDamaged)) << none.error().message();
  EXPECT_TRUE(tablet->store().all_messages()->empty());
}

TEST(Messenger, PeersAreAccountIdsOrNicknames) {
  EXPECT_TRUE(looks_like_account_id("05ab"));
  EXPECT_TRUE(looks_like_account_id(std::string(20, 'a')));
  EXPECT_FALSE(looks_like_account_id("bob"));
  EXPECT_FALSE(looks_like_account_id("cafe"));
  EXPECT_TRUE(check_nickname("bob"));
  for (const std::string& bad : std::vector<std::string>{"", "05ab", "two words", std::string(65, 'x')}) EXPECT_FALSE(check_nickname(bad)) << bad;
  test::TempDir tmp;
  auto store = std::move(*LocalStore::open(tmp.path()));
  const std::string bob = "05" + std::string(64, 'b');
  ASSERT_TRUE(store->add_contact(bob, "bob"));
  EXPECT_EQ(resolve_peer(*store, "bob")->hex(), bob);
  EXPECT_EQ(resolve_peer(*store, bob)->hex(), bob);
  EXPECT_TRUE(resolve_peer(*store, "carol").error().is(Errc::UnknownContact));
  EXPECT_TRUE(resolve_peer(*store, "05abc").error().is(Errc::BadAccountId));
}

// The guards remembered in the profile are the ones its paths are built around; a record
// that does not read is an error when the profile is opened, not replaced in silence.
TEST(Messenger, RemembersItsGuardsInTheProfileAndSaysWhenTheRecordIsUnreadable) {
  Fixture f;
  auto keys = test::World::node_keys(101);
  f.open("alice", keys.clone()).reset();  // the profile, with the network and a consensus
  Profile p(f.tmp.sub("alice"));
  auto g1 = test::World::node_keys(4).ed25519_public(), g2 = test::World::node_keys(9).ed25519_public();
  std::int64_t now = f.clock.now_ms();
  {
    auto store = std::move(*LocalStore::open(p.dir()));
    ASSERT_TRUE(store->set_setting(kGuardsSetting, guards_text({{g1, now - 5, now + kGuardLifetimeMinMs}, {g2, now - 4, now + 60'000},
                                                                 {test::World::node_keys(7).ed25519_public(), now - 9, now - 1}})));
  }
  auto m = Messenger::open(p, keys.clone(), f.nodes, f.rng, f.clock);
  ASSERT_TRUE(m) << m.error().message();
  auto dest = test::World::node_keys(12).ed25519_public();
  ASSERT_TRUE((*m)->onion().pool().path_for(dest));
  EXPECT_EQ((*m)->onion().pool().guards(), (std::set<crypto::Ed25519Public>{g1, g2}));  // 7's time is up
  m->reset();
  {
    auto store = std::move(*LocalStore::open(p.dir()));
    ASSERT_TRUE(store->set_setting(kGuardsSetting, R"([{"ed25519":"zz","since":1,"until":2}])"));
  }
  auto bad = Messenger::open(p, keys.clone(), f.nodes, f.rng, f.clock);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("remembered onion guards in the profile are unreadable"), std::string::npos) << bad.error().message();
}

// The nodes' clock is 5 minutes off this machine's (either way): a 406 makes the client
// ask nodes their time until two agree, and try again stamped with the network's time. A
// message's store is stamped anew (its data and hash stay), and a signed retrieve is
// signed again; nothing is lost or left failed.
TEST(Messenger, AClockFiveMinutesOffIsCorrectedByTheNodesTime) {
  for (std::int64_t skew : {-300'000LL, 300'000LL}) {  // the nodes' time minus this clock
    SCOPED_TRACE("nodes' clock " + std::to_string(skew / 1000) + " s from ours");
    Fixture f;
    auto bob_keys = test::World::node_keys(105);
    auto bob_id = crypto::account_id_of(bob_keys);
    auto alice = f.open("alice", test::World::node_keys(104));
    auto bob = f.open("bob", bob_keys.clone());
    MemorySwarm swarm{f.swarm_of(*alice, bob_id), bob_id, {}, 0};
    int refused = 0, asked = 0;
    std::int64_t stored_ts = 0;
    f.nodes.answer = [&](const json& req) -> Result<TransportReply> {
      std::int64_t node_now = f.clock.now_ms() + skew;
      const auto& p = req["params"];
      std::int64_t ts = p.value("timestamp", std::int64_t{0});
      if (req["method"] == "info") {
        ++asked;
        return TransportReply{200, json{{"version", {0, 1, 0}}, {"timestamp", node_now}, {"t", node_now}}.dump()};
      }
      if (req["method"] == "store" && ts > node_now + 10'000) {
        ++refused;
        return TransportReply{406, "Timestamp error: check your clock"};
      }
      if (req["method"] == "retrieve" && p.contains("signature") && std::llabs(ts - node_now) > 60'000) {
        ++refused;
        return TransportReply{406, "retrieve timestamp too far from current time"};
      }
      auto r = swarm.answer(req);
      if (r && r->status == 200) {
        if (req["method"] == "store") stored_ts = ts;
        json j = json::parse(r->body);
        j["t"] = node_now;
        r->body = j.dump();
      }
      return r;
    };
    auto sent = alice->send(bob_id, "on time");
    ASSERT_TRUE(sent) << sent.error().message();
    EXPECT_GE(sent->confirmations, 1);
    auto kept = **alice->store().message(sent->id);
    EXPECT_EQ(kept.state, DeliveryState::Sent);
    EXPECT_EQ(kept.hash, sent->hash);
    ASSERT_EQ(swarm.by_ns[0].size(), 1u);
    EXPECT_EQ(swarm.by_ns[0][0].first, sent->hash);  // what the nodes hold is what the profile says
    if (skew < 0) {  // ahead of the nodes: refused once, two nodes asked, then stored by their time
      EXPECT_EQ(refused, 1);
      EXPECT_EQ(asked, 2);
      EXPECT_EQ(stored_ts, f.clock.now_ms() + skew);
    } else {  // behind: a store in the past is accepted as it is
      EXPECT_EQ(refused, 0);
      EXPECT_EQ(stored_ts, f.clock.now_ms());
    }
    EXPECT_EQ(sent->timestamp_ms, f.clock.now_ms());  // the message itself: made before any node was heard
    int refused_before = refused;
    auto got = bob->receive(0);
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].body, "on time");
    EXPECT_EQ(refused - refused_before, 1);  // bob's first signed retrieve, then signed again
    auto again = bob->receive(0);  // the offset is known now: no more refusals
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(refused - refused_before, 1);
  }
}

// One node of the swarm lies about the time: it refuses every store with a 406 and says
// it is an hour later. One node never sets the client's time: each message goes to
// another member, stamped by this (right) clock, and no honest node refuses one.
TEST(Messenger, OneNodeLyingAboutTheTimeDoesNotMoveTheClock) {
  int liars_heard = 0;
  for (std::size_t k = 0; k < 6; ++k) {  // each member in turn is the liar (so some run hears it first)
    SCOPED_TRACE("the liar is member " + std::to_string(k));
    Fixture f;
    auto bob_keys = test::World::node_keys(107);
    auto bob_id = crypto::account_id_of(bob_keys);
    auto alice = f.open("alice", test::World::node_keys(106));
    MemorySwarm swarm{f.swarm_of(*alice, bob_id), bob_id, {}, 0};
    ASSERT_GE(swarm.members.size(), 3u);
    if (k >= swarm.members.size()) break;
    const std::string liar = swarm.members[k].first.ip;
    int liar_asked = 0, honest_refused = 0;
    std::vector<std::int64_t> stored;
    f.nodes.answer = [&](const json& req) -> Result<TransportReply> {
      std::int64_t node_now = f.clock.now_ms();
      bool lying = f.nodes.host == liar;
      std::int64_t says = lying ? node_now + 3'600'000 : node_now;
      if (lying) ++liar_asked;
      if (req["method"] == "info") return TransportReply{200, json{{"timestamp", says}, {"t", says}}.dump()};
      std::int64_t ts = req["params"]["timestamp"].get<std::int64_t>();
      if (req["method"] == "store" && (lying || ts > node_now + 10'000)) {
        honest_refused += lying ? 0 : 1;
        return TransportReply{406, "Timestamp error: check your clock"};
      }
      auto r = swarm.answer(req);
      if (r && r->status == 200) {
        stored.push_back(ts);
        json j = json::parse(r->body);
        j["t"] = says;
        r->body = j.dump();
      }
      return r;
    };
    for (int i = 0; i < 20; ++i) {
      auto sent = alice->send(bob_id, "m" + std::to_string(i));
      ASSERT_TRUE(sent) << sent.error().message();
      EXPECT_EQ(sent->timestamp_ms, f.clock.now_ms());
      ASSERT_FALSE(stored.empty());
      EXPECT_EQ(stored.back(), f.clock.now_ms());  // this clock, not the liar's
      f.clock.advance(std::chrono::milliseconds(1000));
    }
    EXPECT_EQ(honest_refused, 0);
    liars_heard += liar_asked > 0 ? 1 : 0;
  }
  EXPECT_GE(liars_heard, 2) << "the liars were hardly asked: nothing was tested";
}

// The offset from a few nodes' samples: a median that a second node agrees with, or none.
TEST(Messenger, TheClockOffsetIsAMedianTwoNodesAgreeOn) {
  constexpr std::int64_t m5 = -300'000, h1 = 3'600'000;
  EXPECT_EQ(clock_offset({}), std::nullopt);
  EXPECT_EQ(clock_offset({m5}), std::nullopt);                          // one node alone
  EXPECT_EQ(clock_offset({0, h1}), std::nullopt);                        // two that disagree
  EXPECT_EQ(clock_offset({m5, m5 + 1500}), m5 + 1500);                   // agree within 2 s
  EXPECT_EQ(clock_offset({m5, m5, 0, h1}), m5);                          // the middle one nearer 0 has no second
  EXPECT_EQ(clock_offset({h1, 0, 40, m5}), 0);                           // under 2 s: none
  EXPECT_EQ(clock_offset({h1, h1 + 5, 0, 10, m5}), 0);                   // two liars that agree do not carry three
  EXPECT_EQ(clock_offset({m5 - 100, m5, m5 + 100, h1, -h1}), m5);
}

}  // namespace
}  // namespace sotto::client

namespace sotto::client {
namespace {

// Issue 19: a node's reply is read with limits. Nodes that answer every store and
// retrieve with a MiB of nesting (as the whole body, in `swarm`, in `messages`) fail the
// send and the receive with an error; the client neither crashes nor keeps anything.
TEST(Messenger, NestingInANodesReplyIsAnErrorNotACrash) {
  Fixture f;
  auto alice = f.open("alice", test::World::node_keys(101));
  auto bob = crypto::account_id_of(test::World::node_keys(102));
  const std::string bomb = test::nesting_bomb(1 << 20);
  for (const std::string& reply : {bomb, R"({"hash":"x","swarm":{"a":)" + bomb + "}}"}) {
    f.nodes.answer = [&](const json&) -> Result<TransportReply> { return TransportReply{200, reply}; };
    EXPECT_FALSE(alice->send(bob, "hi"));
  }
  for (const std::string& reply : {bomb, R"({"messages":)" + bomb + R"(,"more":false})", R"({"messages":[)" + bomb + R"(],"t":1})"}) {
    f.nodes.answer = [&](const json&) -> Result<TransportReply> { return TransportReply{200, reply}; };
    auto got = alice->receive(0);
    ASSERT_FALSE(got);
    EXPECT_TRUE(got.error().is(Errc::Unreachable)) << got.error().message();
  }
  f.nodes.answer = [&](const json& req) -> Result<TransportReply> {
    std::string hash = proto::message_hash(bob.bytes(), 0, *base::from_base64(req["params"]["data"].get<std::string>()));
    auto members = f.swarm_of(*alice, bob);
    const auto& m = members.at(0);
    return TransportReply{200, json{{"swarm", {{m.first.ed25519.hex(), {{"hash", hash}, {"signature", receipt_sig(m.second, hash)}}}}}}.dump()};
  };
  auto sent = alice->send(bob, "after the bombs");
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_EQ(sent->confirmations, 1);
}

}  // namespace
}  // namespace sotto::client
