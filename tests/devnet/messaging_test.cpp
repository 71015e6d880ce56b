// Messaging end to end on a devnet (3 authorities, 12 nodes): two accounts exchange 200
// messages each way through onion paths while two nodes that are no client's guard are
// killed midway (a hop of a path in use and a member of the recipient's swarm). Every message must
// arrive exactly once and `history` must list them in timestamp order; no node's log or
// metrics may hold a message body, a key, or an account.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "devnet/devnet_fixture.hpp"
#include "devnet/person.hpp"
#include "api/https_transport.hpp"

namespace sotto {
namespace {

using nlohmann::json;
using devnet::Person;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

TEST(Messaging, TwoHundredEachWayArriveExactlyOnceWhileNodesDie) {
  devnet::Devnet dn;
  std::string network_json = read_all(dn.dir + "/network.json");
  Person alice("alice", dn.tmp.sub("alice"), network_json);
  Person bob("bob", dn.tmp.sub("bob"), network_json);
  auto alice_id = *crypto::AccountId::parse(alice.id());
  auto bob_id = *crypto::AccountId::parse(bob.id());
  constexpr int kEach = 200;
  std::map<std::string, int> received_a, received_b;  // body -> times
  auto drain = [&](Person& p, std::map<std::string, int>& got, int wait_s) {
    auto r = p.m->receive(wait_s);
    ASSERT_TRUE(r) << p.name << ": " << r.error().message();
    for (const auto& msg : *r) ++got[msg.body];
  };
  std::set<std::string> killed;
  for (int i = 0; i < kEach; ++i) {
    auto a = alice.m->send(bob_id, "a->b " + std::to_string(i));
    ASSERT_TRUE(a) << i << ": " << a.error().message();
    EXPECT_GT(a->confirmations, 0);
    auto b = bob.m->send(alice_id, "b->a " + std::to_string(i));
    ASSERT_TRUE(b) << i << ": " << b.error().message();
    if (i % 25 == 24) {
      drain(alice, received_a, 0);
      drain(bob, received_b, 0);
    }
    if (i == kEach / 2) {
      // No client's guard: a non-guard hop of one of Alice's paths, and a member of Bob's
      // swarm (that Alice's stores and Bob's retrieves go to).
      std::set<crypto::Ed25519Public> guards;
      for (Person* p : {&alice, &bob})
        for (const auto& g : p->m->onion().pool().guards()) guards.insert(g);
      std::optional<crypto::Ed25519Public> hop, member;
      for (const auto& path : alice.m->onion().pool().paths())
        for (std::size_t k = 1; k < path.hops.size() && !hop; ++k)
          if (!guards.count(path.hops[k].ed25519)) hop = path.hops[k].ed25519;
      client::NetworkView view = *client::NetworkView::open(bob.profile, devnet::now_ms() / 1000);
      for (const auto& n : view.swarm_of(bob_id.bytes()))
        if (!guards.count(n.ed25519) && (!hop || n.ed25519 != *hop)) member = n.ed25519;
      ASSERT_TRUE(hop && member);
      for (const auto& n : dn.state["nodes"])
        if (n["ed25519"] == hop->hex() || n["ed25519"] == member->hex()) {
          ::kill(n["pid"].get<int>(), SIGKILL);
          killed.insert(n["ed25519"].get<std::string>());
        }
      ASSERT_EQ(killed.size(), 2u);
    }
  }
  // The rest arrive (a retrieve that waits answers as soon as there is something).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while ((received_a.size() < kEach || received_b.size() < kEach) && std::chrono::steady_clock::now() < deadline) {
    if (received_a.size() < kEach) drain(alice, received_a, 1);
    if (received_b.size() < kEach) drain(bob, received_b, 1);
  }
  ASSERT_EQ(received_b.size(), std::size_t{kEach});
  ASSERT_EQ(received_a.size(), std::size_t{kEach});
  for (const auto& [body, times] : received_b) EXPECT_EQ(times, 1) << body;
  for (const auto& [body, times] : received_a) EXPECT_EQ(times, 1) << body;
  // Nothing more comes (from any member): exactly once.
  drain(alice, received_a, 0);
  drain(bob, received_b, 0);
  for (const auto& [body, times] : received_b) EXPECT_EQ(times, 1) << body;

  // History: 400 messages each, in timestamp order; Bob's incoming in the order sent.
  for (Person* p : {&alice, &bob}) {
    auto h = p->m->store().history(p == &alice ? bob.id() : alice.id(), 10'000);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), std::size_t{2 * kEach}) << p->name;
    std::set<std::string> hashes;
    int next_in = 0;
    std::string in_prefix = p == &alice ? "b->a " : "a->b ";
    for (std::size_t k = 0; k < h->size(); ++k) {
      const auto& m = (*h)[k];
      if (k) {
        EXPECT_LE((*h)[k - 1].timestamp_ms, m.timestamp_ms);
      }
      hashes.insert(m.hash);
      if (m.direction == client::Direction::Incoming) {
        EXPECT_EQ(m.body, in_prefix + std::to_string(next_in++));
      } else {
        EXPECT_EQ(m.state, client::DeliveryState::Sent) << m.body;
        EXPECT_GT(m.confirmations, 0);
      }
    }
    EXPECT_EQ(hashes.size(), std::size_t{2 * kEach});
  }

  // No node's log or metrics hold a body, a key or an account (either end).
  std::vector<std::string> secrets{"a->b ", "b->a ", alice.id().substr(2, 16), bob.id().substr(2, 16),
                                   alice.keys->ed25519_public().hex().substr(0, 16), bob.keys->ed25519_public().hex().substr(0, 16)};
  int scanned = 0;
  for (const auto& n : dn.state["nodes"]) {
    std::string log = read_all(std::filesystem::path(dn.dir) / n["name"].get<std::string>() / "log");
    std::string metrics;
    if (!killed.count(n["ed25519"].get<std::string>())) {
      auto at = devnet::addr_of(n["admin"].get<std::string>());
      net::HttpClient c(at.host, at.port, false);
      auto r = c.get("/metrics");
      ASSERT_TRUE(r && r->status == 200);
      metrics = r->body;
      ++scanned;
    }
    for (const auto& s : secrets) {
      EXPECT_EQ(log.find(s), std::string::npos) << n["name"] << "'s log holds " << s;
      EXPECT_EQ(metrics.find(s), std::string::npos) << n["name"] << "'s metrics hold " << s;
    }
  }
  EXPECT_EQ(scanned, 10);
}

}  // namespace
}  // namespace sotto
