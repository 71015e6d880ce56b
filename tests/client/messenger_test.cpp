// client::Messenger against nodes that lie (a fake transport, straight to the nodes, a
// signed consensus of 12 nodes in 2 swarms): receipts count once per real member of the
// recipient's swarm; a retrieved item whose hash is not its data's is neither shown nor
// remembered; a message is shown once however many members serve it; failures in transit
// leave the message failed and retryable.

#include "client/messenger.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "client/errc.hpp"
#include "proto/dm.hpp"
#include "proto/message_hash.hpp"
#include "support/directory_world.hpp"
#include "support/process.hpp"

namespace sotto::client {
namespace {

using nlohmann::json;

std::string network_json(const test::World& w) {
  json auths = json::array();
  for (const auto& a : w.net.authorities) auths.push_back({{"ed25519", a.ed25519.hex()}, {"url", a.url}});
  return json{{"network_id", "sotto-test"},
              {"genesis", w.net.genesis},
              {"epoch_seconds", w.net.epoch_seconds},
              {"swarm", {{"min", w.net.swarm.min}, {"ideal", w.net.swarm.ideal}, {"max", w.net.swarm.max}}},
              {"authorities", auths},
              {"seed_nodes", json::array()}}
      .dump();
}

// Answers each storage RPC with `answer(payload)`; counts the calls.
struct FakeNodes : Transport {
  std::function<Result<TransportReply>(const json&)> answer;
  int calls = 0;
  Result<TransportReply> post(const std::string&, std::uint16_t, std::string_view, std::string_view body) override {
    ++calls;
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
    if (!NetworkView::use(p, network_json(w))) throw std::runtime_error("use");
    auto v = NetworkView::open(p, clock.now_ms() / 1000);
    auto c0 = w.agree(0, w.nodes(1, 12), nullptr);
    if (!v || !v->offer(w.signed_json(c0, {0, 1, 2}), clock.now_ms() / 1000)) throw std::runtime_error("consensus");
    MessengerOptions o;
    o.onion = false;
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

}  // namespace
}  // namespace sotto::client
