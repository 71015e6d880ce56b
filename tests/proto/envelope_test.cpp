// The protobuf layering: Content, Envelope, WebSocketMessage; and a whole DM.

#include "proto/envelope.hpp"

#include <gtest/gtest.h>

#include "proto/dm.hpp"
#include "support/vectors.hpp"

namespace sotto::proto {
namespace {

TEST(Content, RoundTrips) {
  Content c;
  c.body = "hello ✓";
  c.timestamp_ms = 1700000000123;
  c.display_name = "Alice";
  c.expiration_type = ExpirationType::DeleteAfterSend;
  c.expiration_timer_s = 3600;
  c.sig_timestamp_ms = 1700000000123;
  auto back = decode_content(encode_content(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);
}

// Field numbers, byte for byte: Content{1: DataMessage{1: "hi", 7: 5}}.
TEST(Content, UsesSessionsFieldNumbers) {
  Content c;
  c.body = "hi";
  c.timestamp_ms = 5;
  EXPECT_EQ(base::to_hex(encode_content(c)), "0a060a0268693805");
}

// Found by review (the envelope fuzzer's round-trip property): a timer with expiration
// type UNKNOWN is ignored, so decode -> encode -> decode is stable.
TEST(Content, ATimerWithoutAKnownExpirationTypeIsIgnored) {
  // Content{1: DataMessage{}, 12: UNKNOWN, 13: 1}
  auto c = decode_content(Bytes{0x0a, 0x00, 0x60, 0x00, 0x68, 0x01});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->expiration_type, ExpirationType::Unknown);
  EXPECT_EQ(c->expiration_timer_s, 0u);
  EXPECT_EQ(*decode_content(encode_content(*c)), *c);
}

TEST(Content, RejectsGarbageAndContentWithoutADataMessage) {
  auto garbage = decode_content(Bytes{0xff, 0xff, 0xff});
  ASSERT_FALSE(garbage);
  EXPECT_TRUE(garbage.error().is(Errc::BadContent));
  // Content{6: TypingMessage{}}: valid protobuf, nothing to show.
  auto typing = decode_content(Bytes{0x32, 0x00});
  ASSERT_FALSE(typing);
  EXPECT_TRUE(typing.error().is(Errc::NoContent));
}

// Envelope{type 6, timestamp 1000, content "ct", sourceDevice 1} in
// WebSocketMessage{type REQUEST, request{verb "", path "", body, requestId 0}}.
TEST(Envelope, WrapsLikeLibsession) {
  Bytes ws = wrap_envelope(Envelope{1000, to_bytes("ct")});
  // 08 01 | 12 13 { 0a 00 | 12 00 | 1a 0b {08 06 | 28 e8 07 | 38 01 | 42 02 "ct"} | 20 00 }
  EXPECT_EQ(base::to_hex(ws), "080112130a0012001a0b080628e807380142026374" "2000");
  auto back = unwrap_envelope(ws);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->timestamp_ms, 1000u);
  EXPECT_EQ(as_chars(back->content), "ct");
}

// The storage server's hash vector carries a real Session WebSocketMessage (verb PUT,
// path /api/v1/message, as old desktop clients sent).
TEST(Envelope, UnwrapsARealSessionMessage) {
  auto v = test::load_vectors("message_hash.json");
  Bytes data = test::hex(v["cases"][0]["data_hex"]);
  auto env = unwrap_envelope(data);
  ASSERT_TRUE(env) << env.error().message();
  EXPECT_EQ(env->timestamp_ms, 1616650861885u);  // 28 bd fa 99 bf 86 2f in the data
  EXPECT_EQ(env->content.size(), 303u);           // 42 af 02 in the data
}

TEST(Envelope, AcceptsABareEnvelopeAndRejectsOthers) {
  Bytes ws = wrap_envelope(Envelope{42, to_bytes("abc")});
  // The body of the request is the bare Envelope.
  auto inner = unwrap_envelope(ws);
  ASSERT_TRUE(inner);
  // Bare Envelope bytes: 08 06 | 28 2a | 42 03 'abc'
  Bytes bare{0x08, 0x06, 0x28, 0x2a, 0x42, 0x03, 'a', 'b', 'c'};
  auto b = unwrap_envelope(bare);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->timestamp_ms, 42u);
  // Type 7 (closed group) is not a 1:1 message.
  Bytes group{0x08, 0x07, 0x28, 0x2a, 0x42, 0x03, 'a', 'b', 'c'};
  auto g = unwrap_envelope(group);
  ASSERT_FALSE(g);
  EXPECT_TRUE(g.error().is(Errc::UnsupportedEnvelope));
  // No content.
  auto empty = unwrap_envelope(Bytes{0x08, 0x06, 0x28, 0x2a});
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().is(Errc::UnsupportedEnvelope));
  // No timestamp.
  auto no_ts = unwrap_envelope(Bytes{0x08, 0x06, 0x42, 0x01, 0x61});
  ASSERT_FALSE(no_ts);
  EXPECT_TRUE(no_ts.error().is(Errc::UnsupportedEnvelope));
  // Not protobuf at all.
  auto junk = unwrap_envelope(Bytes{0xff, 0xff, 0xff, 0xff});
  ASSERT_FALSE(junk);
  EXPECT_TRUE(junk.error().is(Errc::BadFraming));
}

TEST(Dm, EncodesAndDecodesAWholeMessage) {
  base::SeededRng rng(21);
  auto alice = crypto::Keypair::generate(rng), bob = crypto::Keypair::generate(rng);
  Content c;
  c.body = "see you at 8";
  c.timestamp_ms = 1700000000999;
  auto data = encode_dm(alice, crypto::account_id_of(bob), c, 1700000001000, rng);
  ASSERT_TRUE(data);
  auto dm = decode_dm(bob, *data);
  ASSERT_TRUE(dm) << dm.error().message();
  EXPECT_EQ(dm->sender, crypto::account_id_of(alice));
  EXPECT_EQ(dm->sender_ed25519, alice.ed25519_public());
  EXPECT_EQ(dm->content, c);
  EXPECT_EQ(dm->envelope_timestamp_ms, 1700000001000u);
  // Alice cannot read what she sent Bob.
  auto wrong = decode_dm(alice, *data);
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().is(Errc::BoxOpenFailed));
}

}  // namespace
}  // namespace sotto::proto
