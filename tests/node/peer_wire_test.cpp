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

storage::Message message(const std::string& text, std::int64_t expiry = kNow + 60'000, std::int64_t ts = kNow) {
  Bytes data(text.begin(), text.end());
  return {proto::message_hash_raw(account(), 0, data), 0, ts, expiry, data};
}

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
  auto reqs = to_store(p->account, p->messages, kNow);
  ASSERT_TRUE(reqs);
  EXPECT_EQ(reqs->size(), 2u);
  EXPECT_TRUE((*reqs)[0].keep_newer);

  // A message filed under another's hash refuses the batch; one expired on the way is
  // skipped; an expiry beyond the longest TTL or a timestamp from the future refuses it.
  auto forged = p->messages;
  forged[1].hash = forged[0].hash;
  auto r = to_store(account(), forged, kNow);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(PeerErrc::BadMessage));
  auto old = message("old", kNow - 1);
  std::vector<PeerMessage> expired{{old.hash, 0, old.timestamp_ms, old.expiry_ms, old.data}};
  EXPECT_TRUE(to_store(account(), expired, kNow)->empty());
  auto far = message("far", kNow + 31LL * 86'400'000);
  std::vector<PeerMessage> too_far{{far.hash, 0, far.timestamp_ms, far.expiry_ms, far.data}};
  EXPECT_FALSE(to_store(account(), too_far, kNow));
  auto ahead = message("ahead", kNow + 60'000, kNow + 11'000);
  std::vector<PeerMessage> from_future{{ahead.hash, 0, ahead.timestamp_ms, ahead.expiry_ms, ahead.data}};
  EXPECT_FALSE(to_store(account(), from_future, kNow));
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
