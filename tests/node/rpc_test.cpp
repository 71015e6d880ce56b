// The storage RPC handlers in-process: a fake clock, an in-memory store, no sockets.
// Requests are built the way a Session client builds them (docs/wire/storage-rpc.md).

#include "node/rpc/handler.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/account_id.hpp"
#include "proto/message_hash.hpp"
#include "proto/signed_strings.hpp"
#include "support/account.hpp"
#include "support/hostile.hpp"
#include "support/process.hpp"
#include "support/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::node::rpc {
namespace {

using nlohmann::json;
constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kDay = 86'400'000;

struct Node {
  base::FakeClock clock{kNow};
  crypto::Keypair keys = test::keypair(std::string(62, '0') + "aa");
  std::unique_ptr<storage::MessageStore> store = std::move(*storage::MessageStore::open(":memory:"));
  SingleNodeSwarm swarm{NodeAddress{keys.ed25519_public(), keys.x25519_public(), "127.0.0.1", 22021}};
  Context ctx{*store, clock, keys, swarm};

  struct Answer {
    int status;
    json body;
    std::string text;
  };
  Answer call(const std::string& method, const json& params) {
    Reply r = handle(ctx, json{{"method", method}, {"params", params}}.dump());
    Answer a{r.status, json(), r.body};
    if (r.json) a.body = json::parse(r.body);
    return a;
  }
  Answer raw(const std::string& body) {
    Reply r = handle(ctx, body);
    return {r.status, r.json ? json::parse(r.body) : json(), r.body};
  }
};

struct Account : test::TestAccount {
  using TestAccount::TestAccount;
  json auth(const std::string& signed_string) const {
    return {{"pubkey", id}, {"pubkey_ed25519", keys.ed25519_public().hex()}, {"signature", sign(signed_string)}};
  }
  json retrieve(proto::Namespace ns, std::int64_t ts) const {
    json p = auth(proto::signed_retrieve(ns, ts));
    p["namespace"] = ns;
    p["timestamp"] = ts;
    return p;
  }
};

json store_params(const std::string& to, const std::string& data_b64, std::int64_t ts = kNow, std::int64_t ttl = kDay,
                  int ns = 0) {
  return {{"pubkey", to}, {"timestamp", ts}, {"ttl", ttl}, {"data", data_b64}, {"namespace", ns}};
}

std::string b64(const std::string& s) { return base::to_base64(as_bytes(s)); }

bool node_signed(const Node& n, const std::string& message, const std::string& sig_b64) {
  auto raw = base::from_base64(sig_b64);
  if (!raw || raw->size() != 64) return false;
  crypto::Signature s;
  std::copy(raw->begin(), raw->end(), s.begin());
  return crypto::verify(s, as_bytes(message), n.keys.ed25519_public());
}

TEST(Rpc, InfoAnswersWithVersionAndTime) {
  Node n;
  auto a = n.call("info", json::object());
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["timestamp"], kNow);
  EXPECT_EQ(a.body["t"], kNow);
  EXPECT_TRUE(a.body["version"].is_array());
  EXPECT_TRUE(a.body["hf"].is_array());
}

TEST(Rpc, StoreThenSignedRetrieveWithSessionsHash) {
  Node n;
  Account bob(1);
  std::string data = b64("a Session-format message");
  auto s = n.call("store", store_params(bob.id, data));
  ASSERT_EQ(s.status, 200) << s.text;
  auto pk = *base::from_hex_fixed<33>(bob.id);
  std::string hash = proto::message_hash(pk, 0, as_bytes("a Session-format message"));
  EXPECT_EQ(s.body["hash"], hash);
  const json& me = s.body["swarm"][n.keys.ed25519_public().hex()];
  EXPECT_EQ(me["hash"], hash);
  EXPECT_EQ(me["expiry"], kNow + kDay);
  EXPECT_FALSE(me.contains("already"));
  EXPECT_TRUE(node_signed(n, hash, me["signature"]));  // the member's signed receipt

  auto again = n.call("store", store_params(bob.id, data));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["swarm"][n.keys.ed25519_public().hex()]["already"], true);

  auto r = n.call("retrieve", bob.retrieve(0, kNow));
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["messages"].size(), 1u);
  EXPECT_EQ(r.body["messages"][0]["hash"], hash);
  EXPECT_EQ(r.body["messages"][0]["data"], data);
  EXPECT_EQ(r.body["messages"][0]["timestamp"], kNow);
  EXPECT_EQ(r.body["messages"][0]["expiration"], kNow + kDay);
  EXPECT_EQ(r.body["more"], false);
  // Paging after the last hash.
  json p = bob.retrieve(0, kNow);
  p["last_hash"] = hash;
  EXPECT_TRUE(n.call("retrieve", p).body["messages"].empty());
}

// signatures.json carries a Session client's retrieve parameters verbatim (fixed time).
TEST(Rpc, APublishedSessionRetrieveRequestIsAccepted) {
  auto v = test::load_vectors("signatures.json");
  int checked = 0;
  for (const auto& c : v["cases"]) {
    if (c["method"] != "retrieve" || c["timestamp_ms"] != kNow) continue;
    Node n;
    auto r = n.call("retrieve", c["example_params"]);
    EXPECT_EQ(r.status, 200) << c["label"] << ": " << r.text;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

TEST(Rpc, RetrieveWithAWrongOrStaleSignatureGetsNothing) {
  Node n;
  Account bob(1), eve(2);
  ASSERT_EQ(n.call("store", store_params(bob.id, b64("secret"))).status, 200);
  // Eve signs for Bob's account with her own key.
  json forged = bob.retrieve(0, kNow);
  forged["pubkey_ed25519"] = eve.keys.ed25519_public().hex();
  forged["signature"] = eve.sign(proto::signed_retrieve(0, kNow));
  auto a = n.call("retrieve", forged);
  EXPECT_EQ(a.status, 401);
  EXPECT_FALSE(a.text.find("secret") != std::string::npos);
  // Bob's own key, but a signature over another timestamp.
  json wrong = bob.retrieve(0, kNow);
  wrong["signature"] = bob.sign(proto::signed_retrieve(0, kNow + 1));
  EXPECT_EQ(n.call("retrieve", wrong).status, 401);
  // A correct but stale request (61 s old).
  n.clock.advance(std::chrono::milliseconds(61'000));
  auto stale = n.call("retrieve", bob.retrieve(0, kNow));
  EXPECT_EQ(stale.status, 406);
  EXPECT_NE(stale.text.find("timestamp"), std::string::npos);
  // No signature at all.
  EXPECT_EQ(n.call("retrieve", {{"pubkey", bob.id}, {"namespace", 0}}).status, 400);
  // max_size = INT64_MIN must not overflow when negated.
  n.clock.set_ms(kNow);
  json extreme = bob.retrieve(0, kNow);
  extreme["max_size"] = INT64_MIN;
  EXPECT_EQ(n.call("retrieve", extreme).status, 200);
}

TEST(Rpc, BadStoresGetTheirStatusAndStoreNothing) {
  Node n;
  Account bob(1);
  struct Case {
    const char* what;
    json params;
    int status;
  };
  std::vector<Case> cases{
      {"TTL above 14 days in a public inbox", store_params(bob.id, b64("x"), kNow, 14 * kDay + 1), 403},
      {"TTL under 10 s", store_params(bob.id, b64("x"), kNow, 9'999), 403},
      {"timestamp 11 s ahead", store_params(bob.id, b64("x"), kNow + 11'000), 406},
      {"expired 11 s ago", store_params(bob.id, b64("x"), kNow - kDay, kDay - 11'000), 406},
      {"oversize data", store_params(bob.id, base::to_base64(Bytes(76'801, 1))), 400},
      {"data not base64", store_params(bob.id, "not base64!"), 400},
      {"timestamp in seconds", store_params(bob.id, b64("x"), kNow / 1000), 406},
      // Today's time in seconds passes Session's "seconds" guard (under 10^6 s) and fails the TTL.
      {"expiry in seconds", {{"pubkey", bob.id}, {"timestamp", kNow}, {"expiry", (kNow + kDay) / 1000}, {"data", b64("x")}}, 403},
      {"expiry tiny", {{"pubkey", bob.id}, {"timestamp", kNow}, {"expiry", 5000}, {"data", b64("x")}}, 400},
      {"no data", {{"pubkey", bob.id}, {"timestamp", kNow}, {"ttl", kDay}}, 400},
      {"both ttl and expiry", {{"pubkey", bob.id}, {"timestamp", kNow}, {"ttl", kDay}, {"expiry", kNow + kDay}, {"data", b64("x")}}, 400},
      {"short pubkey", store_params(bob.id.substr(0, 64), b64("x")), 400},
      {"namespace out of range", store_params(bob.id, b64("x"), kNow, kDay, 40000), 400},
      {"private namespace, unsigned", store_params(bob.id, b64("x"), kNow, kDay, 3), 401},
      // Found by review: timestamp + ttl must not overflow (undefined behaviour).
      {"ttl near INT64_MAX", store_params(bob.id, b64("x"), kNow, INT64_MAX - 5), 403},
  };
  for (const auto& c : cases) {
    auto a = n.call("store", c.params);
    EXPECT_EQ(a.status, c.status) << c.what << ": " << a.text;
    EXPECT_FALSE(a.text.empty()) << c.what;
  }
  EXPECT_EQ(n.raw("{not json").status, 400);
  EXPECT_EQ(n.raw("[1,2]").status, 400);
  EXPECT_EQ(n.raw(R"({"method":"frobnicate","params":{}})").status, 400);
  EXPECT_EQ(n.raw(R"({"method":"store","params":"x"})").status, 400);
  EXPECT_EQ(n.raw(std::string(proto::kMaxRpcBodyBytes + 1, ' ')).status, 413);
  EXPECT_EQ(n.store->stats()->messages, 0u);  // nothing was stored
  // A 76,800-byte message is fine (the limit itself).
  EXPECT_EQ(n.call("store", store_params(bob.id, base::to_base64(Bytes(76'800, 1)))).status, 200);
  // The TTL and timestamp may come as strings of digits, as old clients send them.
  json legacy{{"pubKey", bob.id}, {"timestamp", std::to_string(kNow)}, {"ttl", std::to_string(kDay)}, {"data", b64("old")}};
  EXPECT_EQ(n.call("store", legacy).status, 200);
}

TEST(Rpc, PrivateNamespacesNeedTheOwnersFreshSignature) {
  Node n;
  Account bob(1), eve(2);
  json p = store_params(bob.id, b64("profile"), kNow, 30 * kDay, 2);
  json ok = p;
  ok.update(bob.auth(proto::signed_store(2, kNow)));
  EXPECT_EQ(n.call("store", ok).status, 200);
  json by_eve = p;
  by_eve.update(eve.auth(proto::signed_store(2, kNow)));
  by_eve["pubkey"] = bob.id;
  EXPECT_EQ(n.call("store", by_eve).status, 401);
  json stale = p;
  stale.update(bob.auth(proto::signed_store(2, kNow - 61'000)));
  stale["sig_timestamp"] = kNow - 61'000;
  EXPECT_EQ(n.call("store", stale).status, 406);
  json too_long = store_params(bob.id, b64("p"), kNow, 30 * kDay + 1, 2);
  too_long.update(bob.auth(proto::signed_store(2, kNow)));
  EXPECT_EQ(n.call("store", too_long).status, 403);
  // A public outbox is readable by anyone and keeps one message.
  for (const char* d : {"v1", "v2"}) {
    json out = store_params(bob.id, b64(d), kNow, kDay, -21);
    out.update(bob.auth(proto::signed_store(-21, kNow)));
    ASSERT_EQ(n.call("store", out).status, 200);
  }
  auto r = n.call("retrieve", {{"pubkey", bob.id}, {"namespace", -21}});
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["messages"].size(), 1u);
  EXPECT_EQ(r.body["messages"][0]["data"], b64("v2"));
}

TEST(Rpc, DeleteReturnsSignedReceiptsAndHonoursRequired) {
  Node n;
  Account bob(1), eve(2);
  auto h1 = n.call("store", store_params(bob.id, b64("one"))).body["hash"].get<std::string>();
  auto h2 = n.call("store", store_params(bob.id, b64("two"))).body["hash"].get<std::string>();
  auto he = n.call("store", store_params(eve.id, b64("eve's"))).body["hash"].get<std::string>();
  std::vector<std::string> ask{h1, he};
  json p = bob.auth(proto::signed_delete(ask));
  p["messages"] = ask;
  auto d = n.call("delete", p);
  ASSERT_EQ(d.status, 200) << d.text;
  const json& me = d.body["swarm"][n.keys.ed25519_public().hex()];
  EXPECT_EQ(me["deleted"], json::array({h1}));
  EXPECT_TRUE(node_signed(n, bob.id + h1 + he + h1, me["signature"]));
  // Again, now with required: nothing left to delete -> 404.
  p["required"] = true;
  EXPECT_EQ(n.call("delete", p).status, 404);
  // A bad hash, and a signature over other hashes.
  std::vector<std::string> too_many(1001, h2);
  json flood = bob.auth(proto::signed_delete(too_many));
  flood["messages"] = too_many;
  EXPECT_EQ(n.call("delete", flood).status, 400);
  json bad = bob.auth(proto::signed_delete(std::vector<std::string>{"short"}));
  bad["messages"] = json::array({"short"});
  EXPECT_EQ(n.call("delete", bad).status, 400);
  json mismatch = bob.auth(proto::signed_delete(std::vector<std::string>{h1}));
  mismatch["messages"] = json::array({h2});
  EXPECT_EQ(n.call("delete", mismatch).status, 401);
  EXPECT_EQ(n.store->stats()->messages, 2u);
}

TEST(Rpc, DeleteAllAndDeleteBeforeCheckTimeAndGroupByNamespace) {
  Node n;
  Account bob(1);
  n.call("store", store_params(bob.id, b64("a")));
  json priv = store_params(bob.id, b64("b"), kNow, kDay, 2);
  priv.update(bob.auth(proto::signed_store(2, kNow)));
  ASSERT_EQ(n.call("store", priv).status, 200);
  json stale = bob.auth(proto::signed_delete_all(std::nullopt, kNow - 61'000));
  stale["namespace"] = "all";
  stale["timestamp"] = kNow - 61'000;
  EXPECT_EQ(n.call("delete_all", stale).status, 406);
  json all = bob.auth(proto::signed_delete_all(std::nullopt, kNow));
  all["namespace"] = "all";
  all["timestamp"] = kNow;
  auto d = n.call("delete_all", all);
  ASSERT_EQ(d.status, 200) << d.text;
  const json& deleted = d.body["swarm"][n.keys.ed25519_public().hex()]["deleted"];
  EXPECT_EQ(deleted["0"].size(), 1u);
  EXPECT_EQ(deleted["2"].size(), 1u);
  EXPECT_EQ(n.store->stats()->messages, 0u);
  json future = bob.auth(proto::signed_delete_before(proto::Namespace{0}, kNow + 120'000));
  future["before"] = kNow + 120'000;
  EXPECT_EQ(n.call("delete_before", future).status, 401);
}

TEST(Rpc, ExpireAndGetExpiries) {
  Node n;
  Account bob(1);
  auto h = n.call("store", store_params(bob.id, b64("m"))).body["hash"].get<std::string>();
  std::vector<std::string> hs{h};
  std::vector<std::int64_t> ex{kNow + 2 * kDay};
  json p = bob.auth(proto::signed_expire(proto::ExpireMode::Extend, ex, hs));
  p["messages"] = hs;
  p["expiry"] = kNow + 2 * kDay;
  p["extend"] = true;
  auto e = n.call("expire", p);
  ASSERT_EQ(e.status, 200) << e.text;
  EXPECT_EQ(e.body["swarm"][n.keys.ed25519_public().hex()]["updated"], json::array({h}));
  json g = bob.auth(proto::signed_get_expiries(kNow, hs));
  g["messages"] = hs;
  g["timestamp"] = kNow;
  auto r = n.call("get_expiries", g);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["expiries"][h], kNow + 2 * kDay);
  // expire_all only shortens.
  json ea = bob.auth(proto::signed_expire_all(proto::Namespace{0}, kNow + 3 * kDay));
  ea["expiry"] = kNow + 3 * kDay;
  auto longer = n.call("expire_all", ea);
  ASSERT_EQ(longer.status, 200);
  EXPECT_TRUE(longer.body["swarm"][n.keys.ed25519_public().hex()]["updated"].empty());
}

TEST(Rpc, MessagesExpire) {
  Node n;
  Account bob(1);
  ASSERT_EQ(n.call("store", store_params(bob.id, b64("brief"), kNow, 10'000)).status, 200);
  EXPECT_EQ(n.call("retrieve", bob.retrieve(0, kNow)).body["messages"].size(), 1u);
  n.clock.advance(std::chrono::milliseconds(10'000));
  EXPECT_TRUE(n.call("retrieve", bob.retrieve(0, kNow + 10'000)).body["messages"].empty());
  EXPECT_EQ(*n.store->sweep(n.clock.now_ms()), 1u);
}

TEST(Rpc, BatchAndSequence) {
  Node n;
  Account bob(1);
  json reqs = json::array({{{"method", "info"}, {"params", json::object()}},
                           {{"method", "store"}, {"params", store_params(bob.id, b64("x"), kNow, 5)}},
                           {{"method", "store"}, {"params", store_params(bob.id, b64("y"))}}});
  auto b = n.call("batch", {{"requests", reqs}});
  ASSERT_EQ(b.status, 200) << b.text;
  ASSERT_EQ(b.body["results"].size(), 3u);
  EXPECT_EQ(b.body["results"][0]["code"], 200);
  EXPECT_EQ(b.body["results"][1]["code"], 403);
  EXPECT_TRUE(b.body["results"][1]["body"].is_string());
  EXPECT_EQ(b.body["results"][2]["code"], 200);
  auto s = n.call("sequence", {{"requests", reqs}});
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body["results"].size(), 2u);  // stopped at the first failure
  json many = json::array();
  for (int i = 0; i < 21; ++i) many.push_back({{"method", "info"}});
  EXPECT_EQ(n.call("batch", {{"requests", many}}).status, 400);
  EXPECT_EQ(n.call("batch", {{"requests", json::array({{{"method", "batch"}}})}}).status, 400);
  EXPECT_EQ(n.call("batch", {{"requests", json::array()}}).status, 400);
}

TEST(Rpc, AnAccountOfAnotherSwarmGets421WithThatSwarm) {
  struct Elsewhere final : SwarmView {
    NodeAddress other{crypto::Ed25519Public{}, crypto::X25519Public{}, "127.0.0.9", 30000};
    bool is_ours(std::span<const std::uint8_t, 33>) const override { return false; }
    SwarmInfo swarm_for(std::span<const std::uint8_t, 33>) const override { return {0xabc, {other}}; }
  } elsewhere;
  Node n;
  Context ctx{*n.store, n.clock, n.keys, elsewhere};
  Account bob(1);
  Reply r = handle(ctx, json{{"method", "store"}, {"params", store_params(bob.id, b64("x"))}}.dump());
  EXPECT_EQ(r.status, 421);
  ASSERT_TRUE(r.json);
  json body = json::parse(r.body);
  EXPECT_EQ(body["swarm"], "abc");
  EXPECT_EQ(body["snodes"][0]["ip"], "127.0.0.9");
  EXPECT_EQ(n.store->stats()->messages, 0u);
}

TEST(Rpc, GetSwarmListsThisNode) {
  Node n;
  Account bob(1);
  auto a = n.call("get_swarm", {{"pubkey", bob.id}});
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(a.body["snodes"].size(), 1u);
  EXPECT_EQ(a.body["snodes"][0]["pubkey_ed25519"], n.keys.ed25519_public().hex());
  EXPECT_EQ(a.body["snodes"][0]["pubkey_x25519"], n.keys.x25519_public().hex());
  EXPECT_EQ(a.body["snodes"][0]["port_https"], 22021);
}

TEST(Rpc, AStoreTheNodeCannotKeepFailsWith500AndAReason) {
  Node n;
  storage::Limits l;
  l.max_account_bytes = 8;  // unsigned stores (namespace 0) may use 4 bytes of it
  n.store = std::move(*storage::MessageStore::open(":memory:", l));
  Context ctx{*n.store, n.clock, n.keys, n.swarm};
  Account bob(1);
  auto first = handle(ctx, json{{"method", "store"}, {"params", store_params(bob.id, b64("1"))}}.dump());
  EXPECT_EQ(first.status, 200);
  auto second = handle(ctx, json{{"method", "store"}, {"params", store_params(bob.id, b64("too large"))}}.dump());
  EXPECT_EQ(second.status, 500);
  json body = json::parse(second.body);
  const json& me = body["swarm"][n.keys.ed25519_public().hex()];
  EXPECT_EQ(me["failed"], true);
  EXPECT_NE(me["reason"].get<std::string>().find("quota"), std::string::npos);
}

// The node's split: prepare() on an I/O thread with a read-only connection answers what
// writes nothing and checks and signs the rest; apply() on the storage thread writes it.
TEST(Rpc, PrepareAnswersReadsAndChecksWritesApplyStoresThem) {
  test::TempDir tmp;
  Node n;
  n.store = std::move(*storage::MessageStore::open(tmp.sub("m.db")));
  Context writer{*n.store, n.clock, n.keys, n.swarm};
  auto reader_store = storage::MessageStore::open_reader(tmp.sub("m.db"));
  ASSERT_TRUE(reader_store);
  Context reader{**reader_store, n.clock, n.keys, n.swarm};
  Account bob(1);
  auto body = [](const std::string& method, const json& params) { return json{{"method", method}, {"params", params}}.dump(); };

  // A store: checked and signed in prepare, stored only by apply.
  auto p = prepare(reader, body("store", store_params(bob.id, b64("hello"))));
  ASSERT_FALSE(p.reply);
  ASSERT_TRUE(p.pending);
  EXPECT_EQ(n.store->stats()->messages, 0u);
  Reply stored = apply(writer, *p.pending);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.method, "store");
  EXPECT_EQ(n.store->stats()->messages, 1u);
  // A write's reply is held as its swarm reply (a node in a network adds its peers'
  // entries), written by render().
  ASSERT_TRUE(stored.swarm);
  json written = json::parse(render(std::move(stored)));
  std::string hash = written["hash"];
  EXPECT_TRUE(node_signed(n, hash, written["swarm"][n.keys.ed25519_public().hex()]["signature"]));

  // A bad store is answered in prepare, with its status, and nothing waits for apply.
  p = prepare(reader, body("store", store_params(bob.id, b64("x"), kNow, 5)));
  ASSERT_TRUE(p.reply);
  EXPECT_FALSE(p.pending);
  EXPECT_EQ(p.reply->status, 403);
  EXPECT_EQ(p.reply->method, "store");
  p = prepare(reader, body("store", store_params(bob.id, b64("x"), kNow, kDay, 2)));  // private: unsigned
  ASSERT_TRUE(p.reply);
  EXPECT_EQ(p.reply->status, 401);

  // Reads (alone or batched) are answered from the reader, and see the committed store.
  p = prepare(reader, body("retrieve", bob.retrieve(0, kNow)));
  ASSERT_TRUE(p.reply);
  ASSERT_EQ(p.reply->status, 200) << p.reply->body;
  EXPECT_EQ(json::parse(p.reply->body)["messages"][0]["hash"], hash);
  json reads = json::array({{{"method", "retrieve"}, {"params", bob.retrieve(0, kNow)}}, {{"method", "info"}}});
  p = prepare(reader, body("batch", {{"requests", reads}}));
  ASSERT_TRUE(p.reply);
  EXPECT_EQ(json::parse(p.reply->body)["results"][0]["body"]["messages"].size(), 1u);

  // Other writes, and batches holding one, run whole in apply.
  json del = bob.auth(proto::signed_delete_all(std::nullopt, kNow));
  del["timestamp"] = kNow;
  del["namespace"] = "all";
  p = prepare(reader, body("delete_all", del));
  ASSERT_TRUE(p.pending);
  EXPECT_EQ(n.store->stats()->messages, 1u);
  json mixed = json::array({{{"method", "info"}}, {{"method", "store"}, {"params", store_params(bob.id, b64("later"))}}});
  auto batch = prepare(reader, body("sequence", {{"requests", mixed}}));
  ASSERT_TRUE(batch.pending);
  EXPECT_EQ(apply(writer, *p.pending).status, 200);
  EXPECT_EQ(n.store->stats()->messages, 0u);
  Reply seq = apply(writer, *batch.pending);
  ASSERT_EQ(seq.status, 200);
  EXPECT_EQ(json::parse(seq.body)["results"][1]["code"], 200);
  EXPECT_EQ(n.store->stats()->messages, 1u);
}

// sotto's long-poll extension: a retrieve with `wait` that finds nothing is handed back to
// the node to hold (Reply::wait), only when the context allows it and never in a batch.
TEST(Rpc, RetrieveWithWaitIsHeldOnlyWhenEmptyAndAllowed) {
  Node n;
  Account bob(1);
  json p = bob.retrieve(0, kNow);
  p["wait"] = 20;
  auto r = n.call("retrieve", p);  // may_wait is off: an ordinary empty answer
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_TRUE(r.body["messages"].empty());

  n.ctx.may_wait = true;
  Reply held = handle(n.ctx, json{{"method", "retrieve"}, {"params", p}}.dump());
  ASSERT_TRUE(held.wait);
  EXPECT_EQ(held.wait->ms, 20'000);
  EXPECT_EQ(held.wait->key, wait_key(*base::from_hex_fixed<33>(bob.id), 0));
  EXPECT_EQ(held.wait->key, bob.id + "/0");
  // In a batch it answers at once.
  Reply batched = handle(n.ctx, json{{"method", "batch"}, {"params", {{"requests", {{{"method", "retrieve"}, {"params", p}}}}}}}.dump());
  EXPECT_FALSE(batched.wait);
  EXPECT_EQ(batched.status, 200);
  // With a message after last_hash, it answers at once.
  ASSERT_EQ(n.call("store", store_params(bob.id, b64("hello"))).status, 200);
  Reply now = handle(n.ctx, json{{"method", "retrieve"}, {"params", p}}.dump());
  EXPECT_FALSE(now.wait);
  EXPECT_EQ(json::parse(now.body)["messages"].size(), 1u);
  // A bad signature is refused before any wait.
  json forged = p;
  forged["signature"] = Account(2).sign(proto::signed_retrieve(0, kNow));
  Reply refused = handle(n.ctx, json{{"method", "retrieve"}, {"params", forged}}.dump());
  EXPECT_FALSE(refused.wait);
  EXPECT_EQ(refused.status, 401);
}

TEST(Rpc, RetrieveWaitMustBeWholeSecondsUpTo25) {
  Node n;
  n.ctx.may_wait = true;
  Account bob(1);
  for (json bad : {json(26), json(-1), json(2.5), json("5"), json(true)}) {
    json p = bob.retrieve(0, kNow);
    p["wait"] = bad;
    auto r = n.call("retrieve", p);
    EXPECT_EQ(r.status, 400) << bad.dump();
    EXPECT_NE(r.text.find("wait"), std::string::npos) << r.text;
  }
  json p = bob.retrieve(0, kNow);
  p["wait"] = 0;  // 0: no wait
  EXPECT_EQ(n.call("retrieve", p).status, 200);
}

}  // namespace
}  // namespace sotto::node::rpc

namespace sotto::node::rpc {
namespace {

// Issue 19: an `expire` with about 100,000 nested `[` in `expiry` killed a node (the
// handler copied each element before checking its type). Every field of every method
// now takes a MiB of nesting (refused while it is read: 400) and a MiB of arrays within
// the depth limit (refused by the type checks: 4xx), and the node still answers after.
TEST(Rpc, NestingInEveryFieldOfEveryMethodIsRefusedAndTheNodeGoesOn) {
  Node n;
  Account a(7);
  const std::string deep = test::nesting_bomb(1 << 20), wide = test::wide_bomb(256 << 10);
  int requests = 0;
  for (const auto& [method, params] : test::every_storage_rpc_method(a, kNow)) {
    for (const auto& field : test::bomb_fields(method, params)) {
      auto d = n.raw(test::with_bomb(method, params, field, deep));
      EXPECT_EQ(d.status, 400) << method << "." << field << ": " << d.text.substr(0, 200);
      EXPECT_NE(d.text.find("nested deeper than"), std::string::npos) << method << "." << field;
      auto w = n.raw(test::with_bomb(method, params, field, wide));
      // A batch answers 200 with each subrequest's result: its refusal is inside.
      int status = w.status == 200 && (method == "batch" || method == "sequence") ? w.body["results"][0]["code"].get<int>() : w.status;
      EXPECT_GE(status, 400) << method << "." << field << ": " << w.text.substr(0, 200);
      EXPECT_LT(status, 500) << method << "." << field << ": " << w.text.substr(0, 200);
      requests += 2;
    }
  }
  EXPECT_GT(requests, 150);
  EXPECT_EQ(n.call("info", json::object()).status, 200);
  EXPECT_EQ(n.call("store", store_params(a.id, b64("still here"))).status, 200);
}

}  // namespace
}  // namespace sotto::node::rpc
