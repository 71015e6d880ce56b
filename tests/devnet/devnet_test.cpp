// A devnet of separate processes (sotto-devnet: 3 authorities, 12 nodes on 127.0.x.1):
// a message stored at any member of its swarm is retrievable from every member; with two
// members killed it still is; restarted, they catch up (membership pushes and
// anti-entropy) with what was stored while they were down.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/bytes.hpp"
#include "net/client.hpp"
#include "support/process.hpp"
#include "devnet/devnet_fixture.hpp"

namespace sotto {
namespace {

using namespace devnet;
using nlohmann::json;

TEST(Devnet, StoredMessagesReachEverySwarmMemberAndSurviveTwoKilledMembers) {
  Devnet net;
  ASSERT_EQ(net.state["nodes"].size(), 12u);
  std::mt19937_64 rng(std::random_device{}());
  ByteArray<32> raw;
  for (auto& b : raw) b = static_cast<std::uint8_t>(rng());
  std::string account = "05" + base::to_hex(raw);
  auto store = [&](const Addr& at, const std::string& text) {
    return rpc(at, {{"method", "store"},
                      {"params", {{"pubkey", account}, {"timestamp", now_ms()}, {"ttl", 3'600'000}, {"namespace", -10},
                                  {"data", base::to_base64(as_bytes(text))}}}});
  };
  // Any node answers with the account's swarm (421 unless it is a member).
  auto [s0, swarm] = rpc(addr_of(net.state["nodes"][0]["url"]), {{"method", "get_swarm"}, {"params", {{"pubkey", account}}}});
  ASSERT_EQ(s0, 200);
  std::vector<Addr> members;
  for (const auto& m : swarm["snodes"]) members.push_back({m["ip"], static_cast<std::uint16_t>(m["port_https"].get<int>())});
  ASSERT_GE(members.size(), 3u);
  for (const auto& n : net.state["nodes"]) {
    Addr p = addr_of(n["url"]);
    if (std::find(members.begin(), members.end(), p) == members.end()) {
      EXPECT_EQ(store(p, "wrong swarm").first, 421);
      break;
    }
  }
  // Stored at the last member: every member's signed receipt is in the reply.
  auto [s1, reply] = store(members.back(), "first");
  ASSERT_EQ(s1, 200) << reply.dump();
  std::string first = reply["hash"];
  EXPECT_EQ(reply["swarm"].size(), members.size());
  for (const auto& [key, member] : reply["swarm"].items()) EXPECT_EQ(member.value("hash", ""), first) << key;
  for (const auto& p : members) EXPECT_TRUE(held(p, account).contains(first)) << "member at " << p.str();

  // A client: the network and a checked consensus kept in its profile, then a store and a
  // fetch routed by that consensus alone (no --node).
  auto cli = [](const std::vector<std::string>& args) { return test::run_process(SOTTO_CLI_BIN, args); };
  const std::string alice = net.dir + "/alice", bob = net.dir + "/bob", network = net.dir + "/network.json";
  for (const auto& p : {alice, bob}) {
    ASSERT_EQ(cli({"--profile", p, "init", "--json"}).exit_code, 0);
    auto use = cli({"--profile", p, "network", "use", network});
    ASSERT_EQ(use.exit_code, 0) << use.err;
    auto before = cli({"--profile", p, "dev", "fetch"});
    EXPECT_EQ(before.exit_code, 1);
    EXPECT_NE(before.err.find("sotto network update"), std::string::npos) << before.err;
    auto update = cli({"--profile", p, "network", "update"});
    ASSERT_EQ(update.exit_code, 0) << update.out << update.err;
    EXPECT_NE(update.out.find("consensus epoch"), std::string::npos) << update.out;
    auto nothing = cli({"--profile", p, "network", "update", "--from", "https://127.0.0.1:1"});
    EXPECT_EQ(nothing.exit_code, 1);
    EXPECT_NE(nothing.err.find("nothing taken from https://127.0.0.1:1"), std::string::npos) << nothing.err;
  }
  json bob_id = json::parse(cli({"--profile", bob, "whoami", "--json"}).out);
  auto enc = cli({"--profile", alice, "dev", "encrypt", "--to", bob_id["session_id"], "dinner on friday?"});
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  std::string data = enc.out.substr(0, enc.out.find('\n'));
  auto sent = cli({"--profile", alice, "dev", "store", "--to", bob_id["session_id"], data});
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  EXPECT_NE(sent.out.find("swarm members signed it"), std::string::npos) << sent.out;
  EXPECT_NE(sent.out.find("through a 3-hop onion path"), std::string::npos) << sent.out;
  auto got = cli({"--profile", bob, "dev", "fetch"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("dinner on friday?"), std::string::npos) << got.out;
  EXPECT_NE(got.out.find("through a 3-hop onion path"), std::string::npos) << got.out;

  // Two members killed: the others still have it, and take a new message.
  std::vector<Addr> killed{members[0], members[1]};
  for (const auto& p : killed) ::kill(net.node_at(p)->at("pid").get<int>(), SIGKILL);
  for (std::size_t i = 2; i < members.size(); ++i) EXPECT_TRUE(held(members[i], account).contains(first));
  auto [s2, reply2] = store(members.back(), "second");
  ASSERT_EQ(s2, 200) << reply2.dump();
  std::string second = reply2["hash"];
  for (std::size_t i = 2; i < members.size(); ++i) EXPECT_TRUE(held(members[i], account).contains(second));

  // Restarted on their ports with their data: they catch up. (Once a killed node's port
  // refuses connections its process is gone: its socket and database are free.)
  std::vector<std::unique_ptr<test::Daemon>> restarted;
  for (const auto& p : killed) {
    auto gone_by = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!refuses_connections(p) && std::chrono::steady_clock::now() < gone_by)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(refuses_connections(p)) << p.str() << " still accepts connections 20 s after SIGKILL";
    std::string name = net.node_at(p)->at("name");
    restarted.push_back(std::make_unique<test::Daemon>(
        SOTTO_NODE_BIN, std::vector<std::string>{"--data-dir", net.dir + "/" + name, "--listen", p.str(),
                                                 "--admin-listen", "127.0.0.1:0", "--network", net.dir + "/network.json"}));
    ASSERT_NE(restarted.back()->read_line(20'000).find("ready"), std::string::npos);
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool synced = false;
  while (!synced && std::chrono::steady_clock::now() < until) {
    synced = true;
    for (const auto& p : killed) {
      auto h = held(p, account);
      synced = synced && h.contains(first) && h.contains(second);
    }
    if (!synced) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(synced) << "the restarted members did not catch up within 60 s";
  for (auto& d : restarted) d->signal(SIGTERM);
  for (auto& d : restarted) EXPECT_EQ(d->wait(), 0);
}

}  // namespace
}  // namespace sotto
