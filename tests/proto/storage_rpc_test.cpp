// The storage RPC codec (proto/storage_rpc*.hpp): what a client encodes a node decodes to
// the same values; replies are written as nlohmann writes them (compact, keys sorted), so
// the bytes on the wire do not depend on how a reply was made; untrusted replies are read
// with limits, and what is malformed in them is left out, never trusted.

#include "proto/storage_rpc.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "proto/message_hash.hpp"
#include "proto/storage_rpc_replies.hpp"
#include "support/hostile.hpp"

namespace sotto::proto::rpc {
namespace {

using nlohmann::json;

test::TestAccount alice(1);

AccountKey key_of(const test::TestAccount& a) { return *base::from_hex_fixed<33>(a.id); }

Hash some_hash(std::uint8_t b) {
  Hash h;
  h.fill(b);
  return h;
}

TEST(StorageRpcCodec, WhatAClientEncodesANodeDecodes) {
  Store s;
  s.pubkey = key_of(alice);
  s.ns = -21;
  s.timestamp = 1'700'000'000'000;
  s.ttl = 86'400'000;
  s.data = {1, 2, 3, 250};
  s.auth.pubkey_ed25519 = alice.keys.ed25519_public();
  s.auth.signature = crypto::sign(alice.keys.ed25519_secret(), as_bytes(std::string("x")));
  auto d = decode_request(encode(s));
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->method, "store");
  const auto& single = std::get<Result<Single>>(d->call);
  ASSERT_TRUE(single);
  const auto& back = std::get<Store>(*single);
  EXPECT_EQ(back.pubkey, s.pubkey);
  EXPECT_EQ(back.ns, -21);
  EXPECT_EQ(back.expiry_ms(), s.timestamp + *s.ttl);
  EXPECT_EQ(back.data, s.data);
  EXPECT_EQ(*back.auth.signature, *s.auth.signature);
  EXPECT_TRUE(writes(*single));

  Retrieve r;
  r.pubkey = key_of(alice);
  r.timestamp = s.timestamp;
  r.last_hash = some_hash(7);
  r.wait = 25;
  r.auth.signature = s.auth.signature;
  r.auth.pubkey_ed25519 = s.auth.pubkey_ed25519;
  auto rd = decode_request(encode(r));
  ASSERT_TRUE(rd);
  const auto& rb = std::get<Retrieve>(*std::get<Result<Single>>(rd->call));
  EXPECT_EQ(*rb.last_hash, *r.last_hash);
  EXPECT_EQ(*rb.wait, 25);
  EXPECT_TRUE(rb.is_signed());
  EXPECT_FALSE(writes(*std::get<Result<Single>>(rd->call)));
  // Without a last hash, "" as Session's clients send it.
  r.last_hash.reset();
  EXPECT_EQ(json::parse(encode(r))["params"]["last_hash"], "");

  Delete del;
  del.pubkey = key_of(alice);
  del.messages = {some_hash(1), some_hash(2)};
  del.auth = r.auth;
  auto dd = decode_request(encode(del));
  ASSERT_TRUE(dd);
  EXPECT_EQ(std::get<Delete>(*std::get<Result<Single>>(dd->call)).messages, del.messages);
  EXPECT_EQ(encode(Info{}), R"({"method":"info","params":{}})");
}

TEST(StorageRpcCodec, AHashIsRawInsideAndItsTextOnlyOnTheWire) {
  Hash h = proto::message_hash_raw(key_of(alice), 0, as_bytes(std::string("hi")));
  EXPECT_EQ(hash_text(h), proto::message_hash(key_of(alice), 0, as_bytes(std::string("hi"))));
  EXPECT_EQ(*parse_hash(hash_text(h)), h);
  EXPECT_FALSE(parse_hash(hash_text(h) + "A"));
  EXPECT_FALSE(parse_hash(std::string(42, 'A')));
  std::string trailing = hash_text(h);
  trailing.back() = trailing.back() == 'A' ? 'B' : 'A';  // non-zero trailing bits, or another hash
  auto t = parse_hash(trailing);
  EXPECT_TRUE(!t || *t != h);
}

TEST(StorageRpcCodec, ARequestThatIsNotOneIsRefusedWithSessionsSentence) {
  auto refused = [](const std::string& body) {
    auto r = decode_request(body);
    return r ? std::string("accepted") : r.error().message();
  };
  EXPECT_EQ(refused(R"({"params":{}})"), "invalid request: no method");
  EXPECT_EQ(refused(R"({"method":"oxend_request"})"), "invalid request: unknown method 'oxend_request'");
  EXPECT_EQ(refused(R"({"method":"info","params":[]})"), "invalid request: params is not an object");
  EXPECT_EQ(refused(R"({"method":"batch","params":{"requests":[]}})"), "Invalid batch: 'requests' must hold 1 to 20 subrequests");
  EXPECT_EQ(refused(R"({"method":"batch","params":{"requests":[{"method":"sequence"}]}})"),
            "Invalid batch: subrequests cannot be batch or sequence");
  EXPECT_NE(refused(test::nesting_bomb(1 << 20)).find("nested deeper than 16"), std::string::npos);
  // A known method whose params fail still names its method (for the node's metrics).
  auto r = decode_request(R"({"method":"store","params":{"pubkey":"05"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "store");
  const auto& single = std::get<Result<Single>>(r->call);
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().message(), "Required field 'timestamp' missing");
  // An overflowing TTL is Forbidden (403), as Session's.
  auto over = decode_request(json{{"method", "store"}, {"params", {{"timestamp", INT64_MAX}, {"ttl", 5}, {"pubkey", alice.id}}}}.dump());
  ASSERT_TRUE(over);
  EXPECT_TRUE(std::get<Result<Single>>(over->call).error().is(Errc::Forbidden));
  // A batch's subrequests are decoded one by one: one that fails does not stop the others.
  auto b = decode_request(R"({"method":"sequence","params":{"requests":[{"method":"info"},{"method":"nope"}]}})");
  ASSERT_TRUE(b);
  const auto& batch = std::get<Batch>(b->call);
  EXPECT_TRUE(batch.sequence);
  ASSERT_EQ(batch.requests.size(), 2u);
  EXPECT_TRUE(batch.requests[0].request);
  EXPECT_FALSE(batch.requests[1].request);
}

// A write's reply is written as nlohmann writes it: the same bytes whether its entries
// were made here or came from peers.
TEST(StorageRpcReplies, AWritesReplyIsTheBytesNlohmannWouldWrite) {
  StoreReceipt receipt{some_hash(3), {}, 1'700'000'086'400, true, 1'700'000'000'000};
  receipt.signature.fill(9);
  SwarmReply r;
  r.hash = some_hash(3);
  r.t = 1'700'000'000'000;
  r.members = {{"bb", encode_member(receipt)}, {"aa", encode_member(MemberFailure{true, "full", 500, false})}, {"cc", R"({"x":1})"}};
  json expected{{"hash", hash_text(some_hash(3))},
                {"hf", {19, 3}},
                {"t", r.t},
                {"swarm",
                 {{"aa", {{"failed", true}, {"reason", "full"}, {"code", 500}}},
                  {"bb", {{"already", true}, {"expiry", receipt.expiry}, {"hash", hash_text(receipt.hash)}, {"signature", base::to_base64(receipt.signature)}, {"t", receipt.t}}},
                  {"cc", {{"x", 1}}}}}};
  EXPECT_EQ(encode(r), expected.dump());

  auto back = decode_swarm_reply(encode(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back->hash, some_hash(3));
  EXPECT_EQ(back->t, r.t);
  ASSERT_EQ(back->members.size(), 3u);
  auto m = decode_store_member(back->members[1].second);
  ASSERT_TRUE(std::holds_alternative<StoreReceipt>(m));
  EXPECT_EQ(std::get<StoreReceipt>(m).hash, receipt.hash);
  EXPECT_EQ(std::get<StoreReceipt>(m).signature, receipt.signature);
  EXPECT_TRUE(std::get<StoreReceipt>(m).already);
  auto f = decode_store_member(back->members[0].second);
  ASSERT_TRUE(std::holds_alternative<MemberFailure>(f));
  EXPECT_EQ(*std::get<MemberFailure>(f).reason, "full");
  EXPECT_EQ(*std::get<MemberFailure>(f).code, 500);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(decode_store_member(back->members[2].second)));
}

TEST(StorageRpcReplies, AnUntrustedWritesReplyIsReadWithoutADocument) {
  EXPECT_FALSE(decode_swarm_reply("[1]"));
  EXPECT_FALSE(decode_swarm_reply(R"({"swarm":[]})"));
  // A repeated member key: the last counts, as a JSON reader keeps it.
  auto r = decode_swarm_reply(R"({"swarm":{"a":{"x":1},"a":{"x":2}},"t":5})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->members.size(), 1u);
  EXPECT_EQ(r->members[0].second, R"({"x":2})");
  // A member's entry nested a MiB deep is kept as text (never parsed here); reading it as a
  // store entry gives nothing, without recursion.
  std::string bomb = test::nesting_bomb(1 << 20);
  auto deep = decode_swarm_reply(R"({"swarm":{"a":)" + bomb + "}}");
  ASSERT_TRUE(deep);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(decode_store_member(deep->members[0].second)));
  // Receipts with a malformed hash or signature are nothing.
  for (const char* e : {R"({"hash":"x","signature":"AAAA"})", R"({"hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","signature":"AAAA"})",
                        R"({"failed":"yes"})", "1", "[]"})
    EXPECT_TRUE(std::holds_alternative<std::monostate>(decode_store_member(e))) << e;
}

TEST(StorageRpcReplies, ARetrieveReplyRoundTripsAndBadItemsAreLeftOut) {
  Hash h1 = some_hash(1), h2 = some_hash(2);
  Bytes d1{1, 2, 3}, d2(1000, 7);
  std::vector<MessageView> views{{h1, 10, 20, d1}, {h2, 11, 21, d2}};
  std::string text = encode_retrieve_reply(views, true, 99);
  json expected{{"hf", {19, 3}}, {"more", true}, {"t", 99},
                {"messages", {{{"data", base::to_base64(d1)}, {"expiration", 20}, {"hash", hash_text(h1)}, {"timestamp", 10}},
                              {{"data", base::to_base64(d2)}, {"expiration", 21}, {"hash", hash_text(h2)}, {"timestamp", 11}}}}};
  EXPECT_EQ(text, expected.dump());
  EXPECT_LE(text.size(), 64 + retrieve_entry_size(d1.size()) + retrieve_entry_size(d2.size()));
  auto back = decode_retrieve_reply(text);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->more);
  EXPECT_EQ(*back->t, 99);
  ASSERT_EQ(back->items.size(), 2u);
  EXPECT_EQ(back->items[1].hash, h2);
  EXPECT_EQ(*back->items[1].data, d2);
  EXPECT_EQ(*back->items[1].expiration, 21);

  auto odd = decode_retrieve_reply(R"({"messages":[1,{"hash":"bad"},{"hash":")" + hash_text(h1) + R"(","data":"%%","expiration":"soon"}]})");
  ASSERT_TRUE(odd);
  ASSERT_EQ(odd->items.size(), 1u);
  EXPECT_FALSE(odd->items[0].data);
  EXPECT_FALSE(odd->items[0].expiration);
  EXPECT_FALSE(odd->more);
  EXPECT_FALSE(decode_retrieve_reply(R"({"messages":)" + test::nesting_bomb(1 << 20) + "}"));
  EXPECT_FALSE(decode_retrieve_reply(R"({"more":true})"));
}

TEST(StorageRpcReplies, SwarmMembersInfoAndTime) {
  SwarmMembers s{0x1234abcd, {{alice.keys.ed25519_public(), alice.keys.x25519_public(), "10.0.0.1", 22021}}};
  auto text = encode(s, std::nullopt);
  EXPECT_EQ(json::parse(text)["snodes"][0]["port"], "22021");
  EXPECT_EQ(json::parse(text)["swarm"], "1234abcd");
  auto back = decode_swarm_members(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, s.id);
  ASSERT_EQ(back->nodes.size(), 1u);
  EXPECT_EQ(back->nodes[0].ip, "10.0.0.1");
  EXPECT_EQ(back->nodes[0].ed25519, alice.keys.ed25519_public());
  EXPECT_TRUE(json::parse(encode(s, 5)).contains("hf"));
  EXPECT_EQ(*reply_time(encode_info(1'700'000'000'123)), 1'700'000'000'123);
  EXPECT_FALSE(reply_time(R"({"t":-1})"));
  EXPECT_FALSE(reply_time(R"({"t":9007199254740993})"));
  EXPECT_FALSE(reply_time("[]"));
  EXPECT_EQ(verdict_of(200), Verdict::Ok);
  EXPECT_EQ(verdict_of(421), Verdict::WrongSwarm);
  EXPECT_EQ(verdict_of(406), Verdict::ClockOff);
  EXPECT_EQ(verdict_of(429), Verdict::Busy);
  EXPECT_EQ(verdict_of(503), Verdict::Busy);
  EXPECT_EQ(verdict_of(502), Verdict::Failed);
  EXPECT_EQ(verdict_of(401), Verdict::Refused);
}

}  // namespace
}  // namespace sotto::proto::rpc
