// sotto's node-to-node formats (node/swarm/peer_wire.hpp): what one node encodes another
// decodes; untrusted bodies are read with limits; a message is stored only if its hash is
// its content's and its times are in bounds.

#include "node/swarm/peer_wire.hpp"

#include <gtest/gtest.h>

#include "proto/message_hash.hpp"
#include "support/hostile.hpp"

namespace sotto::node {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

storage::AccountKey account() {
  storage::AccountKey a{};
  a[0] = 0x05;
  a[5] = 7;
  return a;
}

storage::Message message(const std::string& text, std::int64_t expiry = kNow + 60'000, std::int64_t ts = kNow, proto::Namespace ns = 0) {
  Bytes data(text.begin(), text.end());
  return {proto::message_hash_raw(account(), ns, data), ns, ts, expiry, data};
}

PeerMessage peer(const storage::Message& m) { return {m.hash, m.ns, m.timestamp_ms, m.expiry_ms, m.data}; }

TEST(PeerWire, APushRoundTripsAndOnlyMessagesThatAreTheirHashAreStored) {
  auto m1 = message("one"), m2 = message("two");
  auto text = encode_push(account(), 12, {&m1, &m2});
  auto acct = account_of(text);
  ASSERT_TRUE(acct);
  EXPECT_EQ(*acct, account());
  auto p = decode_push(text);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(*p->epoch, 12);
  ASSERT_EQ(p->messages.size(), 2u);
  auto checked = to_store(p->account, p->messages, kNow);
  ASSERT_EQ(checked.store.size(), 2u);
  EXPECT_TRUE(checked.refused.empty());
  EXPECT_TRUE(checked.store[0].keep_newer);
}

// A message that breaks a rule is refused alone and named; the rest of the batch is stored
// (a whole 4 MiB batch once failed for one message, and every batch after it was lost).
TEST(PeerWire, AMessageThatBreaksARuleIsRefusedAloneAndTheBatchIsStored) {
  auto good = message("good"), forged = message("forged");
  forged.hash = good.hash;
  forged.hash[0] ^= 1;
  auto old = message("old", kNow - 1);
  auto too_far = message("far", kNow + 31LL * 86'400'000);                          // ns 0: at most 14 days
  auto from_future = message("ahead", kNow + 600'000, kNow + 2 * 60'000);           // beyond a minute of skew
  auto inbox_too_far = message("private", kNow + 15LL * 86'400'000, kNow, 1);        // not a public inbox: 30 days
  std::vector<PeerMessage> batch{peer(forged), peer(good), peer(old), peer(too_far), peer(from_future), peer(inbox_too_far)};
  auto checked = to_store(account(), batch, kNow);
  ASSERT_EQ(checked.store.size(), 2u);
  EXPECT_EQ(checked.store[0].hash, good.hash);
  EXPECT_EQ(checked.store[1].hash, inbox_too_far.hash);  // 15 days is within a private namespace's 30
  EXPECT_EQ(checked.expired, 1u);
  ASSERT_EQ(checked.refused.size(), 3u);
  EXPECT_EQ(checked.refused[0].hash, forged.hash);
  EXPECT_NE(checked.refused[0].why.find("hash"), std::string::npos);
  EXPECT_NE(checked.refused[1].why.find("TTL"), std::string::npos);
  EXPECT_NE(checked.refused[2].why.find("future"), std::string::npos);
}

// The rules are a client store's, per namespace: a backup (namespace 31) lives 180 days and
// moves with its swarm; a public inbox (namespace 0) 14 days.
TEST(PeerWire, EachNamespaceKeepsItsOwnLongestTtl) {
  auto backup = message("backup part", kNow + 179LL * 86'400'000, kNow, proto::kBackupNamespace);
  auto backup_over = message("backup part 2", kNow + 181LL * 86'400'000, kNow, proto::kBackupNamespace);
  auto inbox = message("inbox", kNow + 14LL * 86'400'000);
  auto inbox_over = message("inbox 2", kNow + 15LL * 86'400'000);
  std::vector<PeerMessage> batch{peer(backup), peer(backup_over), peer(inbox), peer(inbox_over)};
  auto checked = to_store(account(), batch, kNow);
  ASSERT_EQ(checked.store.size(), 2u);
  EXPECT_EQ(checked.store[0].hash, backup.hash);
  EXPECT_EQ(checked.store[1].hash, inbox.hash);
  ASSERT_EQ(checked.refused.size(), 2u);
  EXPECT_EQ(checked.refused[0].hash, backup_over.hash);
  EXPECT_EQ(checked.refused[1].hash, inbox_over.hash);
}

// Node clocks up to a minute apart: a sender 59 s ahead sends a message stored "now" by
// its clock with the longest TTL; the receiver takes it. Behind is never a problem.
TEST(PeerWire, AMinuteOfClockSkewBetweenNodesRefusesNothing) {
  const std::int64_t sender_now = kNow + 59'000;
  auto ahead = message("from a fast clock", sender_now + proto::kTtlMaxPrivateMs, sender_now + proto::kStoreToleranceMs, 1);
  auto backup = message("backup", sender_now + proto::kTtlMaxBackupMs, sender_now, proto::kBackupNamespace);
  std::vector<PeerMessage> batch{peer(ahead), peer(backup)};
  auto checked = to_store(account(), batch, kNow);
  EXPECT_EQ(checked.store.size(), 2u);
  EXPECT_TRUE(checked.refused.empty());
}

// The push reply counts what was stored and refused and names at most ten refusals; a
// hostile reply is read with limits and a bad one is an error, never a guess.
TEST(PeerWire, APushReplyNamesItsRefusalsWithinBounds) {
  std::vector<Refusal> many;
  for (int i = 0; i < 25; ++i) many.push_back({message("r" + std::to_string(i)).hash, "a timestamp in the future"});
  auto back = decode_stored(encode_stored(7, many));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->stored, 7u);
  EXPECT_EQ(back->refused, 25u);
  ASSERT_EQ(back->refusals.size(), kMaxRefusalsReported);
  EXPECT_EQ(back->refusals[3].hash, many[3].hash);
  auto none = decode_stored(encode_stored(3, {}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->refused, 0u);
  EXPECT_FALSE(decode_stored(R"({"stored": -1})"));
  EXPECT_FALSE(decode_stored(R"({"stored": "3"})"));
  EXPECT_FALSE(decode_stored(R"({"refused": 3})"));
  EXPECT_FALSE(decode_stored(test::nesting_bomb(1 << 20)));
}

TEST(PeerWire, AntiEntropysMessagesRoundTrip) {
  Summary s{{account(), {{0, std::string(64, 'a')}, {-10, std::string(64, 'b')}}}};
  auto back = decode_summary(encode_summary(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
  auto h = decode_hashes_request(encode_hashes_request({account(), -10}));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->ns, -10);
  auto m = message("x");
  auto hashes = decode_hashes(encode_hashes({m.hash}));
  ASSERT_TRUE(hashes);
  EXPECT_EQ(*hashes, std::vector<storage::MessageHash>{m.hash});
  auto f = decode_fetch_request(encode_fetch_request({account(), {m.hash}}));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->hashes.size(), 1u);
  auto msgs = decode_messages(encode_messages({&m}));
  ASSERT_TRUE(msgs);
  EXPECT_EQ((*msgs)[0].data, m.data);
}

TEST(PeerWire, WhatIsNotTheFormatIsRefusedOrLeftOut) {
  // Keys of a summary that are not canonical are left out, never guessed at.
  auto s = decode_summary(R"({"accounts":{"05AB":{"0":"x"},")" + std::string(66, 'a') + R"(":{"00":"x","-0":"y","1":"z","7":5}}})");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ(s->begin()->second.size(), 1u);
  EXPECT_FALSE(decode_fetch_request(R"({"account":")" + std::string(66, 'a') + R"(","hashes":[)" + std::string(501 * 4, 'x') + "]}"));
  std::string many = R"({"account":")" + std::string(66, 'a') + R"(","hashes":[)";
  for (int i = 0; i < 501; ++i) many += (i ? ",\"" : "\"") + std::string(43, 'A') + "\"";
  EXPECT_FALSE(decode_fetch_request(many + "]}"));
  EXPECT_FALSE(decode_push(R"({"account":"05","messages":[]})"));
  EXPECT_FALSE(decode_push(R"({"account":")" + std::string(66, 'a') + R"(","messages":[{"hash":"x"}]})"));
  EXPECT_FALSE(account_of("[]"));
  // A MiB of nesting anywhere: refused, without recursion.
  const std::string bomb = test::nesting_bomb(1 << 20);
  for (const std::string& t : {bomb, R"({"account":)" + bomb + "}", R"({"accounts":)" + bomb + "}", R"({"messages":)" + bomb + "}",
                               R"({"hashes":)" + bomb + "}"}) {
    EXPECT_FALSE(decode_push(t));
    EXPECT_FALSE(decode_summary(t));
    EXPECT_FALSE(decode_hashes(t));
    EXPECT_FALSE(decode_messages(t));
    EXPECT_FALSE(decode_fetch_request(t));
  }
}

}  // namespace
}  // namespace sotto::node
