// The client's builder against the node's peeler, in one process: a 3-hop path and a
// destination, every hop's view, the sealed reply, and every bad input of
// docs/wire/onion-request.md with its status (and no state left behind).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/mac.hpp"
#include "onion/layer.hpp"
#include "onion/peel.hpp"
#include "onion/request.hpp"
#include "support/hostile.hpp"

namespace sotto::onion {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'790'000'000'000;

struct TestNode {
  crypto::Keypair keys;
  ReplayGuard replays;
  explicit TestNode(std::uint8_t tag) : keys(seed(tag)) {}
  static crypto::Keypair seed(std::uint8_t tag) {
    ByteArray<32> s{};
    s.fill(tag);
    return crypto::Keypair::from_seed(crypto::Seed(std::span<const std::uint8_t, 32>(s)));
  }
  HopNode hop() const { return {keys.ed25519_public(), keys.x25519_public()}; }
  NodeKeys node_keys() const { return {keys.x25519_secret(), keys.x25519_public(), keys.ed25519_public()}; }
  Step peel(ByteView body, base::Rng& rng, std::int64_t now = kNow) { return onion::peel(node_keys(), body, replays, now, rng); }
};

struct Path : ::testing::Test {
  base::SeededRng rng{7};
  TestNode h1{1}, h2{2}, h3{3}, dest{4};
  std::vector<HopNode> hops() const { return {h1.hop(), h2.hop(), h3.hop()}; }
  const std::string payload = R"({"method":"info","params":{}})";

  // Carries `body` along the path until a node delivers or answers.
  Step carry(Bytes body, std::vector<std::string>* seen = nullptr) {
    std::vector<TestNode*> nodes{&h1, &h2, &h3, &dest};
    TestNode* at = &h1;
    for (int i = 0; i < 32; ++i) {
      Step s = at->peel(body, rng);
      auto* f = std::get_if<Forward>(&s);
      if (!f) return s;
      if (seen) seen->push_back(f->next.hex());
      at = nullptr;
      for (auto* n : nodes)
        if (n->keys.ed25519_public() == f->next) at = n;
      if (!at) return Answer{502, "Next node not found", "", "not_found"};
      body = f->body;
    }
    return Answer{508, "too long", "", "loop"};
  }
};

TEST_F(Path, EachHopLearnsOnlyItsNextAndTheDestinationTheRequest) {
  for (EncType enc : {EncType::XChaCha20, EncType::AesGcm}) {
    if (enc == EncType::AesGcm && !crypto::aes256gcm_available()) continue;
    auto req = build_request(hops(), dest.hop(), payload, enc, rng);
    ASSERT_TRUE(req);
    ASSERT_EQ(req->layer_keys.size(), 4u);
    // The guard's header names no node, only its key and enc_type.
    auto outer = split_layer(req->guard_body);
    ASSERT_TRUE(outer);
    json gj = json::parse(outer->json);
    EXPECT_EQ(gj.size(), 2u);
    EXPECT_EQ(gj["enc_type"], std::string(enc_type_name(enc)));

    // Every hop forwards to the next one with hop_no counting up.
    std::vector<TestNode*> order{&h1, &h2, &h3};
    Bytes body = req->guard_body;
    for (std::size_t i = 0; i < 3; ++i) {
      Step s = order[i]->peel(body, rng);
      auto* f = std::get_if<Forward>(&s);
      ASSERT_NE(f, nullptr) << i;
      EXPECT_EQ(f->next, i < 2 ? order[i + 1]->keys.ed25519_public() : dest.keys.ed25519_public());
      auto next = split_layer(f->body);
      ASSERT_TRUE(next);
      json nj = json::parse(next->json);
      EXPECT_EQ(nj["hop_no"], i + 1);
      // The forwarded layer is no plaintext: the request is not in it.
      EXPECT_EQ(std::string(as_chars(f->body)).find("\"method\""), std::string::npos);
      body = f->body;
    }
    Step s = dest.peel(body, rng);
    auto* d = std::get_if<Deliver>(&s);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->request, payload);
    EXPECT_EQ(d->enc, enc);

    std::string sealed = seal_reply(d->enc, d->key, 200, R"({"version":[0,1,0]})", false, d->base64, rng);
    auto reply = open_reply(*req, sealed);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->body, R"({"version":[0,1,0]})");
    EXPECT_FALSE(reply->body_is_json);
    EXPECT_EQ(reply->layer, 3u);
  }
}

TEST_F(Path, JsonBodyAndRawReplies) {
  auto req = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng, R"({"headers":{},"json":true,"base64":false})");
  ASSERT_TRUE(req);
  Step s = carry(req->guard_body);
  auto* d = std::get_if<Deliver>(&s);
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->json_body);
  EXPECT_FALSE(d->base64);
  std::string sealed = seal_reply(d->enc, d->key, 421, R"({"snodes":[]})", d->json_body, d->base64, rng);
  EXPECT_FALSE(open_reply(*req, sealed));  // raw bytes are no base64
  auto reply = open_reply(*req, sealed, false);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 421);
  EXPECT_TRUE(reply->body_is_json);
  EXPECT_EQ(json::parse(reply->body), json::parse(R"({"snodes":[]})"));
}

TEST_F(Path, NoHopsGoesStraightToTheDestination) {
  auto req = build_request({}, dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(req);
  Step s = dest.peel(req->guard_body, rng);
  ASSERT_TRUE(std::holds_alternative<Deliver>(s));
}

TEST_F(Path, LayersAreFreshEveryTime) {
  auto a = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  auto b = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->guard_body, b->guard_body);
  EXPECT_NE(split_layer(a->guard_body)->json, split_layer(b->guard_body)->json);
  EXPECT_NE(base::to_hex(a->layer_keys[3].span()), base::to_hex(b->layer_keys[3].span()));
}

Answer answer_of(const Step& s) {
  auto* a = std::get_if<Answer>(&s);
  return a ? *a : Answer{-1, "not an answer", "", ""};
}

TEST_F(Path, BadFramesAreRefusedInTheClear) {
  auto req = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(req);
  Bytes truncated(req->guard_body.begin(), req->guard_body.begin() + 40);
  auto a = answer_of(h1.peel(truncated, rng));
  EXPECT_EQ(a.http_status, 400);
  EXPECT_EQ(a.result, "bad_request");

  Bytes wrong_len = req->guard_body;
  wrong_len[0] ^= 0x01;  // the prefix no longer matches where the JSON starts
  a = answer_of(h1.peel(wrong_len, rng));
  EXPECT_EQ(a.http_status, 400);

  Bytes huge_len = req->guard_body;
  huge_len[3] = 0x7f;
  a = answer_of(h1.peel(huge_len, rng));
  EXPECT_EQ(a.http_status, 400);
  EXPECT_NE(a.body.find("exceeds"), std::string::npos);

  a = answer_of(h1.peel(Bytes{}, rng));
  EXPECT_EQ(a.http_status, 400);

  // A layer for another node's key.
  a = answer_of(h2.peel(req->guard_body, rng));
  EXPECT_EQ(a.http_status, 400);
  EXPECT_EQ(a.body, "Invalid ciphertext");
  EXPECT_EQ(a.result, "decrypt_failed");

  // A flipped byte of the ciphertext.
  Bytes flipped = req->guard_body;
  flipped[30] ^= 0x80;
  a = answer_of(h1.peel(flipped, rng));
  EXPECT_EQ(a.body, "Invalid ciphertext");

  // An unknown enc_type.
  auto layer = split_layer(req->guard_body);
  json j = json::parse(layer->json);
  j["enc_type"] = "aes-cbc";
  a = answer_of(h1.peel(join_layer(layer->blob, j.dump()), rng));
  EXPECT_EQ(a.http_status, 400);

  // None of these used up the layer: the real one still goes through.
  EXPECT_TRUE(std::holds_alternative<Forward>(h1.peel(req->guard_body, rng)));
}

TEST_F(Path, AReplayedLayerIsRefusedOnlyAfterItDecrypted) {
  auto req = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(req);
  EXPECT_TRUE(std::holds_alternative<Forward>(h1.peel(req->guard_body, rng)));
  auto a = answer_of(h1.peel(req->guard_body, rng));
  EXPECT_EQ(a.http_status, 400);
  EXPECT_EQ(a.body, "Replayed layer");
  // Still refused within the window, forgotten after two.
  EXPECT_EQ(answer_of(h1.peel(req->guard_body, rng, kNow + 9 * 60 * 1000)).body, "Replayed layer");
  EXPECT_EQ(answer_of(h1.peel(req->guard_body, rng, kNow + 15 * 60 * 1000)).body, "Replayed layer");
  EXPECT_TRUE(std::holds_alternative<Forward>(h1.peel(req->guard_body, rng, kNow + 41 * 60 * 1000)));
}

TEST(ReplayGuard, AFullGenerationMovesOnAndKeepsTheWindowBounded) {
  ReplayGuard g(1000, 3);
  auto key = [](std::uint8_t b) {
    crypto::X25519Public k;
    k.bytes.fill(b);
    return k;
  };
  for (std::uint8_t b = 1; b <= 3; ++b) EXPECT_TRUE(g.first_use(key(b), 0));
  EXPECT_TRUE(g.first_use(key(4), 0));   // generation 1 is full: a new one starts
  EXPECT_FALSE(g.first_use(key(1), 0));  // still remembered in the previous one
  for (std::uint8_t b = 5; b <= 7; ++b) EXPECT_TRUE(g.first_use(key(b), 0));
  EXPECT_TRUE(g.first_use(key(1), 0));   // two generations on: forgotten
}

TEST(ReplayGuard, ItsIdSetHoldsEveryIdItWasGivenAndNoOther) {
  detail::IdSet set(0x9E3779B97F4A7C15ull);
  base::SeededRng r(7);
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 100'000; ++i) ids.push_back(r.next() | 1);  // grows from 1,024 slots many times
  for (auto id : ids) EXPECT_TRUE(set.insert(id));
  EXPECT_EQ(set.size(), ids.size());
  for (auto id : ids) {
    ASSERT_TRUE(set.contains(id));
    ASSERT_FALSE(set.insert(id));  // a second time: already there
  }
  for (int i = 0; i < 100'000; ++i) ASSERT_FALSE(set.contains(r.next() & ~std::uint64_t{1}));  // even: never inserted
  // Ids chosen to share their low bits still all fit and are found.
  detail::IdSet same(3);
  for (std::uint64_t k = 1; k <= 5000; ++k) EXPECT_TRUE(same.insert(k << 40));
  for (std::uint64_t k = 1; k <= 5000; ++k) ASSERT_TRUE(same.contains(k << 40));
  set.clear();
  EXPECT_EQ(set.size(), 0u);
  EXPECT_FALSE(set.contains(ids[0]));
  EXPECT_TRUE(set.insert(ids[0]));
}

TEST_F(Path, HopNumbersAboveTheLimitAreRefused) {
  auto req = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(req);
  auto layer = split_layer(req->guard_body);
  json j = json::parse(layer->json);
  j["hop_no"] = kMaxHopNo;
  Bytes at_limit = join_layer(layer->blob, j.dump());
  j["hop_no"] = kMaxHopNo + 1;
  auto a = answer_of(h1.peel(join_layer(layer->blob, j.dump()), rng));
  EXPECT_EQ(a.http_status, 400);
  EXPECT_EQ(a.body, "Too many hops");
  j["hop_no"] = -1;
  EXPECT_EQ(answer_of(h1.peel(join_layer(layer->blob, j.dump()), rng)).http_status, 400);
  // At the limit, this hop still relays; the next one refuses.
  Step s = h1.peel(at_limit, rng);
  auto* f = std::get_if<Forward>(&s);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(answer_of(h2.peel(f->body, rng)).body, "Too many hops");
}

TEST_F(Path, ALoopBackToTheSameNodeIsRefused) {
  std::vector<HopNode> looped{h1.hop(), h1.hop(), h3.hop()};
  auto req = build_request(looped, dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(req);
  auto a = answer_of(h1.peel(req->guard_body, rng));
  EXPECT_EQ(a.http_status, 200);  // sealed for the client: the hops before learn nothing
  EXPECT_EQ(a.result, "loop");
  auto opened = open_reply(*req, a.body);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status, 400);
  EXPECT_EQ(opened->body, "Loop: the next hop is this node");
  EXPECT_EQ(opened->layer, 0u);
  // A longer loop (h1 -> h2 -> h1 -> ...) ends at the hop limit.
  std::vector<HopNode> longer;
  for (int i = 0; i < 20; ++i) longer.push_back(i % 2 ? h2.hop() : h1.hop());
  auto req2 = build_request(longer, dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(req2);
  std::vector<std::string> seen;
  a = answer_of(carry(req2->guard_body, &seen));
  EXPECT_EQ(a.body, "Too many hops");
  EXPECT_EQ(seen.size(), kMaxHopNo + 1);
}

TEST_F(Path, ADecryptedButInvalidLayerIsAnsweredSealedForTheClient) {
  // Directly: a destination layer whose JSON is not an object.
  auto req = build_request({}, dest.hop(), payload, EncType::XChaCha20, rng, "not json");
  ASSERT_TRUE(req);
  auto a = answer_of(dest.peel(req->guard_body, rng));
  EXPECT_EQ(a.http_status, 200);
  EXPECT_EQ(a.result, "bad_layer");
  auto reply = open_reply(*req, a.body);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_NE(reply->body.find("Invalid json"), std::string::npos);

  // A relay layer without a destination key.
  req = build_request({}, dest.hop(), payload, EncType::XChaCha20, rng, R"({"ephemeral_key":"00"})");
  a = answer_of(dest.peel(req->guard_body, rng));
  reply = open_reply(*req, a.body);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);

  // A proxy request to a server: sotto relays only to nodes.
  req = build_request({}, dest.hop(), payload, EncType::XChaCha20, rng, R"({"host":"example.org","target":"/oxen/v4/lsrpc"})");
  a = answer_of(dest.peel(req->guard_body, rng));
  reply = open_reply(*req, a.body);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 403);
  EXPECT_EQ(a.result, "server_relay");
}

TEST_F(Path, OversizeRequestsAreRefusedBeforeAnyWork) {
  Bytes huge(kMaxRequestBytes + 1, 0);
  auto a = answer_of(h1.peel(huge, rng));
  EXPECT_EQ(a.http_status, 413);
  EXPECT_EQ(a.result, "too_large");
}

TEST_F(Path, ARelaysRefusalIsSealedWithItsLayerKey) {
  auto req = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(req);
  Step s = h1.peel(req->guard_body, rng);
  auto* f = std::get_if<Forward>(&s);
  ASSERT_NE(f, nullptr);
  // The relay could not reach h2: it says so sealed with its own layer's key.
  Answer a = seal_refusal(f->enc, f->key, 502, "Next node not reachable: " + f->next.hex(), "next_unreachable", rng);
  EXPECT_EQ(a.http_status, 200);
  EXPECT_EQ(a.body.find(f->next.hex()), std::string::npos);  // not in the clear
  auto opened = open_reply(*req, a.body);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->layer, 0u);
  EXPECT_EQ(opened->status, 502);
  EXPECT_EQ(opened->body, "Next node not reachable: " + h2.keys.ed25519_public().hex());
}

TEST_F(Path, AReplyForAnotherRequestOrAlteredDoesNotOpen) {
  auto a = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  auto b = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(a && b);
  std::string sealed = seal_reply(EncType::XChaCha20, b->layer_keys[3], 200, "ok", false, true, rng);
  EXPECT_FALSE(open_reply(*a, sealed));
  auto raw = base::from_base64(sealed);
  (*raw)[raw->size() - 1] ^= 1;
  EXPECT_FALSE(open_reply(*b, base::to_base64(*raw)));
  EXPECT_FALSE(open_reply(*b, "%%% not base64"));
  // Well sealed, but not {"status","body"}.
  auto ct = hop_encrypt(EncType::XChaCha20, b->layer_keys[3], as_bytes(R"({"status":"200"})"), rng);
  auto r = open_reply(*b, base::to_base64(*ct));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::BadJson));
}

// Issue 19: the client dumped a reply's body after parsing it, so a guard or the
// destination could crash `sotto listen` with deep nesting. The body is now handed on as
// written, unparsed (the caller reads it with limits), and seal_reply reads a body it is
// told is JSON with limits too (nesting past them goes as a string).
TEST_F(Path, ARepliedMebibyteOfNestingIsHandedOnUnparsed) {
  auto b = build_request(hops(), dest.hop(), payload, EncType::XChaCha20, rng);
  ASSERT_TRUE(b);
  std::string bomb = test::nesting_bomb(1 << 20);
  auto ct = hop_encrypt(EncType::XChaCha20, b->layer_keys[3], as_bytes(R"({"status":200,"body":)" + bomb + "}"), rng);
  auto r = open_reply(*b, base::to_base64(*ct));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->body_is_json);
  EXPECT_EQ(r->body, bomb);
  for (const char* status : {"-1", "1000", "2.5", "1e2"}) {
    auto bad = hop_encrypt(EncType::XChaCha20, b->layer_keys[3], as_bytes(std::string(R"({"status":)") + status + R"(,"body":"x"})"), rng);
    EXPECT_FALSE(open_reply(*b, base::to_base64(*bad))) << status;
  }
  std::string sealed = seal_reply(EncType::XChaCha20, b->layer_keys[3], 200, bomb, /*json_body=*/true, true, rng);
  auto back = open_reply(*b, sealed);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->body_is_json);
  EXPECT_EQ(back->body, bomb);
}

}  // namespace
}  // namespace sotto::onion
