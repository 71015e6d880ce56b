// A devnet in network namespaces (sotto-devnet up --netns): 3 authorities on one host, 9
// nodes on three more, this test on a client host, each host on its own /24 behind a veth
// pair to a router namespace. What crosses the network crosses real interfaces: the
// authorities test and admit nodes on other hosts, a message stored at one host reaches
// swarm members on the others, the interface counters of every host move, and a node that
// announces an address nobody can route to is never admitted.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "base/bytes.hpp"
#include "net/client.hpp"
#include "support/process.hpp"

namespace sotto {
namespace {

using nlohmann::json;

std::string ip_tool() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(p, X_OK) == 0) return p;
  return "/usr/sbin/ip";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::pair<std::string, std::uint16_t> host_port(const std::string& url) {
  auto colon = url.rfind(':');
  return {url.substr(8, colon - 8), static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)))};
}

std::pair<int, json> rpc(const std::string& host, std::uint16_t port, const json& body) {
  net::HttpClient c(host, port, true, std::chrono::seconds(10));
  auto r = c.post("/storage_rpc/v1", body.dump());
  if (!r) return {0, json()};
  json j = json::parse(r->body, nullptr, false);
  return {r->status, j.is_discarded() ? json(r->body) : j};
}

std::optional<json> consensus_at(const std::string& url) {
  auto [host, port] = host_port(url);
  net::HttpClient c(host, port, true, std::chrono::seconds(5));
  auto r = c.get("/directory/v1/consensus");
  if (!r || r->status != 200) return std::nullopt;
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("consensus")) return std::nullopt;
  return j["consensus"];
}

// Bytes received and sent by eth0 in namespace `ns`.
std::pair<std::uint64_t, std::uint64_t> counters(const std::string& ns) {
  auto r = test::run_process(ip_tool(), {"-j", "-s", "-n", ns, "link", "show", "dev", "eth0"});
  json j = json::parse(r.out, nullptr, false);
  if (r.exit_code != 0 || !j.is_array() || j.empty()) throw std::runtime_error("ip -s link in " + ns + ": " + r.err);
  const json& s = j[0].contains("stats64") ? j[0]["stats64"] : j[0]["stats"];
  return {s["rx"]["bytes"].get<std::uint64_t>(), s["tx"]["bytes"].get<std::uint64_t>()};
}

struct NetnsDevnet {
  test::TempDir tmp;
  std::string dir = tmp.sub("devnet");
  json state;
  NetnsDevnet() {
    auto r = test::run_process(SOTTO_DEVNET_BIN, {"up", "--dir", dir, "--nodes", "9", "--authorities", "3", "--netns", "3", "--wait", "120"});
    if (r.exit_code != 0) throw std::runtime_error("sotto-devnet up --netns failed: " + r.out + r.err);
    std::ifstream in(dir + "/devnet.json");
    state = json::parse(in);
  }
  ~NetnsDevnet() {
    auto r = test::run_process(SOTTO_DEVNET_BIN, {"down", "--dir", dir});
    if (r.exit_code != 0) ADD_FAILURE() << "sotto-devnet down: " << r.out << r.err;
  }
};

// Moves this thread (the test's only one that talks to the network) into `ns`.
bool enter(const std::string& ns) {
  int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::setns(fd, CLONE_NEWNET) == 0;
  ::close(fd);
  return ok;
}

TEST(NetnsDevnet, AuthoritiesAdmitNodesOnOtherHostsAndMessagesReachMembersAcrossInterfaces) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating network namespaces needs root (make test runs as root)";
  int self_ns = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(self_ns, 0);
  std::vector<std::string> made;
  {
    NetnsDevnet net;
    const json& ns = net.state["netns"];
    ASSERT_TRUE(ns.is_object()) << net.state.dump();
    made.push_back(ns["router"]);
    for (const auto& h : ns["hosts"]) made.push_back(h["name"]);
    ASSERT_EQ(ns["hosts"].size(), 5u);  // client, authorities, three node hosts
    std::set<std::string> node_hosts;
    for (const auto& n : net.state["nodes"]) node_hosts.insert(n["netns"].get<std::string>());
    ASSERT_EQ(node_hosts.size(), 3u);
    for (const auto& a : net.state["authorities"]) EXPECT_EQ(host_port(a["url"]).first, "10.231.1.2");

    ASSERT_TRUE(enter(ns["client"])) << "cannot enter " << ns["client"];
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> before;
    for (const auto& h : ns["hosts"]) before[h["name"]] = counters(h["name"]);

    // Every node, on three hosts, is in the consensus: the authorities on their own host
    // reached each of them through the router.
    auto c = consensus_at(net.state["authorities"][0]["url"]);
    ASSERT_TRUE(c.has_value());
    std::set<std::string> ips;
    for (const auto& n : (*c)["nodes"]) ips.insert(n["ip"].get<std::string>());
    EXPECT_EQ((*c)["nodes"].size(), 9u);
    EXPECT_EQ(ips, (std::set<std::string>{"10.231.2.2", "10.231.3.2", "10.231.4.2"}));

    std::mt19937_64 rng(std::random_device{}());
    ByteArray<32> raw;
    for (auto& b : raw) b = static_cast<std::uint8_t>(rng());
    std::string account = "05" + base::to_hex(raw);
    auto [h0, p0] = host_port(net.state["nodes"][0]["url"]);
    auto [s0, swarm] = rpc(h0, p0, {{"method", "get_swarm"}, {"params", {{"pubkey", account}}}});
    ASSERT_EQ(s0, 200) << swarm.dump();
    std::vector<std::pair<std::string, std::uint16_t>> members;
    std::set<std::string> member_ips;
    for (const auto& m : swarm["snodes"]) {
      members.emplace_back(m["ip"].get<std::string>(), static_cast<std::uint16_t>(m["port_https"].get<int>()));
      member_ips.insert(m["ip"].get<std::string>());
    }
    ASSERT_GE(members.size(), 3u);
    EXPECT_GE(member_ips.size(), 2u) << "a swarm of " << members.size() << " on one host";

    std::string text(4000, 'x');
    auto [s1, reply] = rpc(members[0].first, members[0].second,
                           {{"method", "store"},
                            {"params", {{"pubkey", account}, {"timestamp", now_ms()}, {"ttl", 3'600'000}, {"namespace", -10},
                                        {"data", base::to_base64(as_bytes(text))}}}});
    ASSERT_EQ(s1, 200) << reply.dump();
    std::string hash = reply["hash"];
    EXPECT_EQ(reply["swarm"].size(), members.size());
    for (const auto& [host, port] : members) {
      auto [s, got] = rpc(host, port, {{"method", "retrieve"}, {"params", {{"pubkey", account}, {"namespace", -10}}}});
      ASSERT_EQ(s, 200) << host << ":" << port;
      ASSERT_EQ(got["messages"].size(), 1u) << host << ":" << port;
      EXPECT_EQ(got["messages"][0]["hash"], hash);
    }
    // The 4 KB message went out of the first member's host once per other member, and
    // into every other member's host; the router carried it all.
    for (const auto& h : ns["hosts"]) {
      auto [rx, tx] = counters(h["name"]);
      auto [rx0, tx0] = before[h["name"]];
      std::string ip = h["ip"];
      if (ip == "10.231.0.2" || member_ips.contains(ip)) {
        EXPECT_GT(rx - rx0, 4000u) << h["name"];
        EXPECT_GT(tx - tx0, 4000u) << h["name"];
      }
    }

    // Two more nodes on host h1: one announces its own address and is admitted; the other
    // announces an address no router knows, registers all the same, and is never admitted:
    // the authorities' reachability tests of it fail.
    const std::string h1 = ns["hosts"][2]["name"];
    test::TempDir extra;
    auto start = [&](const std::string& name, const std::string& public_ip) {
      return std::make_unique<test::Daemon>(
          ip_tool(), std::vector<std::string>{"netns", "exec", h1, SOTTO_NODE_BIN, "--data-dir", extra.sub(name), "--listen", "10.231.2.2:0",
                                              "--admin-listen", "127.0.0.1:0", "--public-ip", public_ip, "--network", net.dir + "/network.json"});
    };
    auto key_of = [](test::Daemon& d) {
      std::string line = d.read_line(20'000);
      json r = json::parse(line, nullptr, false);
      return !r.is_discarded() && r.value("event", "") == "ready" ? r["pubkey_ed25519"].get<std::string>() : "not ready: " + line;
    };
    auto control = start("control", "10.231.2.2");
    auto stray = start("stray", "10.231.250.2");
    std::string control_key = key_of(*control), stray_key = key_of(*stray);
    ASSERT_EQ(control_key.size(), 64u) << control_key;
    ASSERT_EQ(stray_key.size(), 64u) << stray_key;
    // Five epochs from now that both are running (not from the first consensus above: the
    // steps since may have taken a few epochs on a slow machine).
    auto at_start = consensus_at(net.state["authorities"][0]["url"]);
    ASSERT_TRUE(at_start.has_value());
    std::int64_t first_epoch = (*at_start)["epoch"];
    bool stray_listed = false, control_listed = false;
    std::int64_t epoch = first_epoch;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (epoch < first_epoch + 5 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      auto now = consensus_at(net.state["authorities"][0]["url"]);
      if (!now) continue;
      epoch = (*now)["epoch"];
      for (const auto& n : (*now)["nodes"]) {
        stray_listed = stray_listed || n["ed25519"] == stray_key;
        control_listed = control_listed || n["ed25519"] == control_key;
      }
    }
    EXPECT_GE(epoch, first_epoch + 5) << "the consensus stopped advancing";
    EXPECT_TRUE(control_listed) << "a reachable node that joined later was not admitted";
    EXPECT_FALSE(stray_listed) << "a node at an unroutable address was admitted";
    for (auto* d : {control.get(), stray.get()}) d->signal(SIGTERM);
    for (auto* d : {control.get(), stray.get()}) EXPECT_EQ(d->wait(), 0);
    ASSERT_EQ(::setns(self_ns, CLONE_NEWNET), 0);
  }
  ::close(self_ns);
  // `down` removed every namespace it made.
  ASSERT_EQ(made.size(), 6u);
  for (const auto& name : made) EXPECT_FALSE(std::filesystem::exists("/run/netns/" + name)) << name << " is still there";
}

}  // namespace
}  // namespace sotto
