// libsotto's public API (include/sotto/messenger.hpp) on a devnet: contacts, a
// conversation both ways (one side already waiting in receive), history, a disappearing
// message, and the failure codes a program sees.

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "client/profile.hpp"
#include "crypto/account_id.hpp"
#include "devnet/devnet_fixture.hpp"
#include "proto/signed_strings.hpp"
#include "sotto/account.hpp"
#include "sotto/messenger.hpp"

namespace sotto {
namespace {

std::string make_account(const std::string& dir) {
  auto made = create_account(dir, nullptr);
  if (!made) throw std::runtime_error("create_account: " + made.failure().message);
  return made->account_id;
}

OpenOptions options(const std::string& dir, const std::string& network_json = {}) {
  OpenOptions o;
  o.profile_dir = dir;
  o.network_json = network_json;
  return o;
}

TEST(Api, AConversationThroughThePublicApi) {
  devnet::Devnet dn;
  std::string alice_id = make_account(dn.tmp.sub("alice"));
  std::string bob_id = make_account(dn.tmp.sub("bob"));
  auto no_net = Messenger::open(options(dn.tmp.sub("alice")));
  ASSERT_FALSE(no_net);
  EXPECT_EQ(no_net.failure().code, "no_network");
  auto alice = Messenger::open(options(dn.tmp.sub("alice"), dn.dir + "/network.json"));
  ASSERT_TRUE(alice) << alice.failure().message;
  auto bob = Messenger::open(options(dn.tmp.sub("bob"), dn.dir + "/network.json"));
  ASSERT_TRUE(bob) << bob.failure().message;
  // Bob's listener: a second Messenger on his profile (the network is kept there now).
  auto bob_listener = Messenger::open(options(dn.tmp.sub("bob")));
  ASSERT_TRUE(bob_listener) << bob_listener.failure().message;
  EXPECT_EQ((*alice)->account_id(), alice_id);

  ASSERT_TRUE((*alice)->profile().add_contact(bob_id, "bob"));
  auto bad = (*alice)->profile().add_contact("05abc", "x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.failure().code, "bad_account_id");
  auto nick = (*alice)->profile().add_contact(bob_id, "05ab");
  ASSERT_FALSE(nick);
  EXPECT_EQ(nick.failure().code, "bad_nickname");
  auto unknown = (*alice)->send("carol", "hi");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.failure().code, "unknown_contact");

  // Bob waits first; Alice's message ends his wait.
  std::vector<Message> got;
  std::thread listen([&] {
    auto r = (*bob_listener)->receive(20);
    if (r) got = *r;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto sent = (*alice)->send("bob", "hi bob");
  ASSERT_TRUE(sent) << sent.failure().message;
  EXPECT_GT(sent->confirmations, 0);
  EXPECT_EQ(sent->swarm_size, 6);
  listen.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "hi bob");
  EXPECT_EQ(got[0].peer, alice_id);
  EXPECT_EQ(got[0].hash, sent->hash);
  EXPECT_FALSE(got[0].outgoing);

  // Bob answers with a disappearing message.
  auto reply = (*bob)->send(alice_id, "gone in a minute", 60);
  ASSERT_TRUE(reply) << reply.failure().message;
  std::vector<Message> at_alice;
  for (int i = 0; i < 10 && at_alice.empty(); ++i) {
    auto r = (*alice)->receive(5);
    ASSERT_TRUE(r) << r.failure().message;
    at_alice = *r;
  }
  ASSERT_EQ(at_alice.size(), 1u);
  EXPECT_EQ(at_alice[0].body, "gone in a minute");
  ASSERT_TRUE(at_alice[0].expires_ms);
  EXPECT_EQ(*at_alice[0].expires_ms, at_alice[0].timestamp_ms + 60'000);
  // The nodes keep it for 60 s too: its expiration there is the message's timestamp + 60 s.
  auto addr = devnet::addr_of(dn.state["nodes"][0]["url"]);
  auto [status, body] = devnet::rpc(addr, {{"method", "get_swarm"}, {"params", {{"pubkey", alice_id}}}});
  ASSERT_EQ(status, 200);
  devnet::Addr member{body["snodes"][0]["ip"], static_cast<std::uint16_t>(body["snodes"][0]["port_https"].get<int>())};
  auto keys = *client::Profile(dn.tmp.sub("alice")).load_keys(nullptr);
  std::int64_t ts = devnet::now_ms();
  auto sig = crypto::sign(keys.ed25519_secret(), as_bytes(proto::signed_retrieve(0, ts)));
  auto [rs, rb] = devnet::rpc(member, {{"method", "retrieve"},
                                       {"params", {{"pubkey", alice_id}, {"pubkey_ed25519", keys.ed25519_public().hex()}, {"namespace", 0},
                                                   {"timestamp", ts}, {"signature", base::to_base64(sig)}}}});
  ASSERT_EQ(rs, 200) << rb.dump();
  bool found = false;
  for (const auto& m : rb["messages"])
    if (m["hash"] == reply->hash) {
      found = true;
      EXPECT_EQ(m["expiration"].get<std::int64_t>(), reply->timestamp_ms + 60'000);
    }
  EXPECT_TRUE(found);

  auto h = (*alice)->profile().history("bob", 10);
  ASSERT_TRUE(h) << h.failure().message;
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].body, "hi bob");
  EXPECT_TRUE((*h)[0].outgoing);
  EXPECT_EQ((*h)[0].state, "sent");
  EXPECT_EQ((*h)[1].state, "received");
  auto blocked = (*alice)->profile().set_blocked("bob", true);
  ASSERT_TRUE(blocked);
  EXPECT_TRUE(blocked->blocked);
  auto refused = (*alice)->send("bob", "blocked?");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.failure().code, "blocked");
  auto removed = (*alice)->profile().remove_contact("bob");
  ASSERT_TRUE(removed);
  auto left = (*alice)->profile().contacts();  // removed, but still blocked (without its nickname)
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_TRUE((*left)[0].blocked);
  EXPECT_TRUE((*left)[0].nickname.empty());
}

}  // namespace
}  // namespace sotto
