// Node-to-node request signatures (docs/wire/directory.md, "Node-to-node requests").

#include "node/swarm/peer_auth.hpp"

#include <gtest/gtest.h>

#include "node/swarm/peer_wire.hpp"
#include "support/keys.hpp"

namespace sotto::node {
namespace {

constexpr std::int64_t kAuthNow = 1'795'700'000'000;

TEST(PeerAuth, AMemberSignedRequestPassesOnceAndNothingElseDoes) {
  auto a = test::keypair(std::string(64, '1')), b = test::keypair(std::string(64, '2'));
  auto members = [&](const crypto::Ed25519Public& k) { return k == a.ed25519_public(); };
  PeerVerifier v;
  std::string h = sign_peer_request(a, "POST", "/sotto/v1/replicate", "body", kAuthNow);
  auto ok = v.verify(h, "POST", "/sotto/v1/replicate", "body", kAuthNow + 1000, members);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(*ok, a.ed25519_public());
  auto is = [&](const Result<crypto::Ed25519Public>& r, node::PeerErrc e) { return !r && r.error().is(e); };
  EXPECT_TRUE(is(v.verify(h, "POST", "/sotto/v1/replicate", "body", kAuthNow + 1000, members), node::PeerErrc::Replayed));
  std::string h2 = sign_peer_request(a, "POST", "/sotto/v1/replicate", "body", kAuthNow + 1);
  EXPECT_TRUE(is(v.verify(h2, "POST", "/sotto/v1/replicate", "other body", kAuthNow, members), node::PeerErrc::BadSignature));
  EXPECT_TRUE(is(v.verify(h2, "POST", "/sotto/v1/push", "body", kAuthNow, members), node::PeerErrc::BadSignature));
  EXPECT_TRUE(is(v.verify(h2, "POST", "/sotto/v1/replicate", "body", kAuthNow + 61'000, members), node::PeerErrc::OutOfWindow));
  std::string hb = sign_peer_request(b, "POST", "/sotto/v1/replicate", "body", kAuthNow);
  EXPECT_TRUE(is(v.verify(hb, "POST", "/sotto/v1/replicate", "body", kAuthNow, members), node::PeerErrc::NotMember));
  std::string zeros = h.substr(0, 65) + "0" + h.substr(65);  // the same time with a leading zero
  for (const std::string& bad : std::vector<std::string>{"", "x", h.substr(1), h + "0", std::string(64, 'g') + h.substr(64), zeros})
    EXPECT_TRUE(is(v.verify(bad, "POST", "/sotto/v1/replicate", "body", kAuthNow, members), node::PeerErrc::Unsigned)) << bad;
  // Unsigned: the same request without the header never passes.
  EXPECT_FALSE(v.verify("", "POST", "/sotto/v1/replicate", "body", kAuthNow, members));
}

// The replay memory is bounded per sender and in all: a member that floods it is refused
// (Busy, and the service answers 503), never let through with the memory forgotten; the
// others still pass; once two windows have gone by, the sender passes again.
TEST(PeerAuth, TheReplayMemoryIsBoundedPerSenderAndInAllAndFloodsAreRefusedNotForgotten) {
  auto a = test::keypair(std::string(64, '1')), b = test::keypair(std::string(64, '2')), c = test::keypair(std::string(64, '3'));
  auto members = [](const crypto::Ed25519Public&) { return true; };
  PeerVerifier v(/*max_per_peer=*/5, /*max_all=*/8);
  auto send = [&](const crypto::Keypair& k, int i, std::int64_t now) {
    std::string body = "body " + std::to_string(i);
    return v.verify(sign_peer_request(k, "POST", "/sotto/v1/replicate", body, now), "POST", "/sotto/v1/replicate", body, now, members);
  };
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(send(a, i, kAuthNow));
  auto over = send(a, 5, kAuthNow);
  ASSERT_FALSE(over);
  EXPECT_TRUE(over.error().is(PeerErrc::Busy));
  // The first five are still remembered: a replay of one is refused as such.
  std::string first = sign_peer_request(a, "POST", "/sotto/v1/replicate", "body 0", kAuthNow);
  auto again = v.verify(first, "POST", "/sotto/v1/replicate", "body 0", kAuthNow, members);
  EXPECT_TRUE(!again && again.error().is(PeerErrc::Replayed));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(send(b, i, kAuthNow));  // another sender still passes, up to the total
  auto full = send(c, 0, kAuthNow);
  EXPECT_TRUE(!full && full.error().is(PeerErrc::Busy));
  EXPECT_EQ(v.size(), 8u);
  // Two windows later the memory has let them go.
  const std::int64_t later = kAuthNow + 2 * kPeerWindowMs + 1;
  EXPECT_TRUE(send(a, 6, later));
  EXPECT_TRUE(send(c, 1, later));
  EXPECT_EQ(v.size(), 2u);
}

}  // namespace
}  // namespace sotto::node
