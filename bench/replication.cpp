// replication: stores/s sustained by a devnet of 12 nodes (every store replicated to the
// whole swarm, each member's receipt in the reply) beside one node alone, measured in the
// same run; then how long a node joining a swarm takes to hold all of that swarm's
// messages (after `--messages`, 100,000 by default, more stores spread over the swarms).
//
//   replication [--seconds S] [--connections N] [--messages M] [--epoch-seconds E]
//
// Prints its figures; asserts nothing. Generator, authorities and nodes share the cores.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/bytes.hpp"
#include "net/async_client.hpp"
#include "net/client.hpp"
#include "node/storage/message_store.hpp"
#include "node/swarm/consensus_swarm.hpp"
#include "report.hpp"
#include "support/process.hpp"

using namespace sotto;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
std::uint16_t port_of(const std::string& url) { return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }
// The host of "https://HOST:PORT" or "HOST:PORT" (devnet nodes each have a 127.0.x.1).
std::string host_of(const std::string& url) {
  auto start = url.find("://") == std::string::npos ? 0 : url.find("://") + 3;
  return url.substr(start, url.rfind(':') - start);
}

std::string store_body(const std::string& to, std::uint64_t n) {
  static const std::string payload = base::to_base64(Bytes(1024, 0x41));
  char tag[17];
  std::snprintf(tag, sizeof tag, "%016llx", static_cast<unsigned long long>(n));
  std::string data = payload;
  std::copy(tag, tag + 16, data.begin());
  return R"({"method":"store","params":{"pubkey":")" + to + R"(","timestamp":)" + std::to_string(now_ms()) +
         R"(,"ttl":86400000,"namespace":-10,"data":")" + data + "\"}}";
}

struct Target {
  std::string host;
  std::uint16_t port;
  std::vector<std::string> accounts;  // accounts whose swarm this node is in
};

struct Driven {
  double rate = 0;                       // stores/s answered 200
  std::uint64_t errors = 0;
  std::vector<std::uint64_t> stored;     // 200s per target
  std::map<int, std::uint64_t> failures; // by HTTP status (0: no answer)

  std::string failures_text() const {
    std::string out;
    for (const auto& [status, n] : failures) out += (out.empty() ? "" : ", ") + std::to_string(n) + " × " + (status ? std::to_string(status) : "no answer");
    return out.empty() ? "none" : out;
  }
};

// Closed loop: `conns` requests outstanding over the targets for `seconds`, or until
// `budget` stores are done.
Driven drive(const std::vector<Target>& targets, int conns, double seconds, std::uint64_t budget = 0) {
  std::vector<std::unique_ptr<net::AsyncClient>> clients;
  for (const auto& t : targets) {
    net::AsyncClientConfig cfg;
    cfg.host = t.host;
    cfg.port = t.port;
    cfg.connections = static_cast<std::size_t>(std::max(1, conns / static_cast<int>(targets.size())));
    cfg.timeout = std::chrono::seconds(30);
    clients.push_back(std::move(*net::AsyncClient::start(cfg)));
  }
  std::atomic<std::uint64_t> seq{0}, done{0}, errors{0}, inflight{0};
  std::vector<std::atomic<std::uint64_t>> per_target(targets.size());
  std::mutex failures_mu;
  std::map<int, std::uint64_t> failures;
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::function<void(std::size_t)> send = [&](std::size_t i) {
    std::uint64_t n = seq++;
    if ((budget && n >= budget) || Clock::now() >= end) return;
    const auto& t = targets[i];
    ++inflight;
    clients[i]->post("/storage_rpc/v1", store_body(t.accounts[n % t.accounts.size()], n), [&, i](Result<net::HttpResponse> r) {
      if (r && r->status == 200) {
        ++done, ++per_target[i];
      } else {
        ++errors;
        std::lock_guard lock(failures_mu);
        ++failures[r ? r->status : 0];
      }
      send(i);
      --inflight;
    });
  };
  for (int c = 0; c < conns; ++c) send(static_cast<std::size_t>(c) % targets.size());
  while (inflight > 0 || (Clock::now() < end && !(budget && seq >= budget))) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& c : clients) c->stop();
  Driven out{static_cast<double>(done) / s, errors.load(), {}, failures};
  for (const auto& n : per_target) out.stored.push_back(n.load());
  return out;
}

std::uint64_t stored_in(const std::string& data_dir) {
  auto r = node::storage::MessageStore::open_reader(data_dir + "/messages.db");
  if (!r) return 0;
  auto st = (*r)->stats();
  return st ? st->messages : 0;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  int conns = 64;
  std::uint64_t messages = 100'000;
  int epoch_seconds = 10;  // long enough that reachability tests pass while the cores are saturated
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    if (a == "--connections") conns = std::stoi(argv[i + 1]);
    if (a == "--messages") messages = std::stoull(argv[i + 1]);
    if (a == "--epoch-seconds") epoch_seconds = std::stoi(argv[i + 1]);
  }
  test::TempDir tmp;
  std::ofstream(tmp.sub("node.toml")) << "[rate_limit]\nper_second = 0\n[limits]\nmax_account_messages = 10000000\n";
  std::mt19937_64 rng(42);
  auto random_account = [&] {
    ByteArray<32> k;
    for (auto& b : k) b = static_cast<std::uint8_t>(rng());
    return "05" + base::to_hex(k);
  };

  // 1. One node alone, the same load, the same run.
  double alone = 0;
  {
    test::Daemon node(SOTTO_NODE_BIN, {"--data-dir", tmp.sub("alone"), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                                       "--config", tmp.sub("node.toml")});
    json ready = json::parse(node.read_line());
    std::string l = ready["listen"];
    std::vector<Target> t{{host_of(l), port_of(l), {}}};
    for (int i = 0; i < 1000; ++i) t[0].accounts.push_back(random_account());
    alone = drive(t, conns, seconds).rate;
    node.signal(SIGTERM);
    node.wait();
  }

  // 2. A devnet of 12 nodes: swarms of about 5-6.
  std::string dir = tmp.sub("devnet");
  auto up = test::run_process(SOTTO_DEVNET_BIN, {"up", "--dir", dir, "--nodes", "12", "--swarm", "4,5,7", "--node-config", tmp.sub("node.toml"),
                                                     "--epoch-seconds", std::to_string(epoch_seconds), "--wait", "300"});
  if (up.exit_code != 0) {
    std::fprintf(stderr, "replication: sotto-devnet up failed: %s%s\n", up.out.c_str(), up.err.c_str());
    return 1;
  }
  struct Down {
    std::string d;
    ~Down() { (void)test::run_process(SOTTO_DEVNET_BIN, {"down", "--dir", d}); }
  } down{dir};
  json state = json::parse(std::ifstream(dir + "/devnet.json"));
  net::HttpClient fetch(host_of(state["nodes"][0]["url"]), port_of(state["nodes"][0]["url"]), true);
  auto cj = json::parse(fetch.get("/directory/v1/consensus")->body)["consensus"];
  std::map<std::string, std::uint64_t> swarm_of_node;
  std::vector<std::uint64_t> ids;
  for (const auto& n : cj["nodes"]) {
    std::uint64_t id = std::stoull(n["swarm_id"].get<std::string>(), nullptr, 16);
    swarm_of_node[n["ed25519"]] = id;
    if (std::find(ids.begin(), ids.end(), id) == ids.end() && id != UINT64_MAX) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  std::map<std::uint64_t, int> sizes;
  for (const auto& [k, id] : swarm_of_node) ++sizes[id];
  std::vector<Target> targets;
  std::vector<std::string> all_accounts;
  for (int i = 0; i < 2000; ++i) all_accounts.push_back(random_account());
  for (const auto& n : state["nodes"]) {
    Target t{host_of(n["url"]), port_of(n["url"]), {}};
    std::uint64_t mine = swarm_of_node[n["ed25519"]];
    for (const auto& a : all_accounts) {
      auto pk = base::from_hex_fixed<33>(a);
      if (node::ConsensusSwarm::swarm_of(*pk, ids) == mine) t.accounts.push_back(a);
    }
    if (!t.accounts.empty()) targets.push_back(std::move(t));
  }
  Driven phase2 = drive(targets, conns, seconds);
  double net_rate = phase2.rate;
  std::printf("\nreplication: 12-node devnet (3 authorities, %d s epochs), 1 KiB stores, %d keep-alive connections, %.0f s phases\n",
              epoch_seconds, conns, seconds);
  std::printf("  one node alone (same run):        %8.0f stores/s\n", alone);
  std::printf("  devnet, swarms of");
  for (const auto& [id, n] : sizes) std::printf(" %d", n);
  std::printf(": %8.0f stores/s = %.0f%% of one node (each store on every member of its swarm; failed: %s)\n", net_rate,
              alone > 0 ? 100 * net_rate / alone : 0.0, phase2.failures_text().c_str());
  std::fflush(stdout);
  sotto::bench::Report report("replication");
  report.figure("stores/s on a 12-node devnet (each on every member of its swarm)", net_rate, "/s", "one node alone", alone, true);

  // 3. Every swarm takes its share of `messages` more stores, then a 13th node joins: how
  // long after the consensus places it until it holds every message its swarm's members
  // hold. (Where it goes follows the placement rule of docs/wire/directory.md, which
  // weighs the nodes' subnets; whichever swarm it joins holds its share.)
  const int swarm_max = 7;
  bool room = false;
  for (const auto& [id, n] : sizes) room = room || (id != UINT64_MAX && n < swarm_max);
  if (!room) {
    std::printf("  every swarm is full (%d): a 13th node would stay unassigned; no join measured\n", swarm_max);
    return report.write() ? 0 : 1;
  }
  std::map<std::string, std::string> dir_of;  // node key -> its data dir
  for (const auto& n : state["nodes"]) dir_of[n["ed25519"].get<std::string>()] = dir + "/" + n["name"].get<std::string>();
  auto load_start = Clock::now();
  Driven load = drive(targets, conns, 3600, messages);
  double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  std::printf("  %llu more stores across the %zu swarms in %.0f s (%.0f/s answered 200; failed: %s)\n",
              static_cast<unsigned long long>(messages), ids.size(), load_s, load.rate, load.failures_text().c_str());
  std::fflush(stdout);
  std::string joiner_dir = dir + "/node-13";
  std::filesystem::create_directories(joiner_dir);
  auto join_start = Clock::now();
  test::Daemon joiner(SOTTO_NODE_BIN, {"--data-dir", joiner_dir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--network",
                                       dir + "/network.json", "--config", tmp.sub("node.toml")});
  json jr = json::parse(joiner.read_line());
  std::string joiner_key = jr["pubkey_ed25519"];
  // Until a consensus places it, then until it holds what a member of its swarm holds.
  std::optional<std::uint64_t> its_swarm;
  double placed_s = -1, synced_s = -1;
  std::uint64_t have = 0, expect = 0;
  const double join_limit_s = 600;
  auto deadline = Clock::now() + std::chrono::seconds(static_cast<int>(join_limit_s));
  while (Clock::now() < deadline) {
    if (!its_swarm) {
      net::HttpClient poll(host_of(state["nodes"][0]["url"]), port_of(state["nodes"][0]["url"]), true, std::chrono::seconds(5));
      auto r = poll.get("/directory/v1/consensus");
      json body = r && r->status == 200 ? json::parse(r->body, nullptr, false) : json();
      if (body.is_object() && body.contains("consensus"))
        for (const auto& n : body["consensus"]["nodes"])
          if (n["ed25519"] == joiner_key && n["swarm_id"] != "ffffffffffffffff") {
            its_swarm = std::stoull(n["swarm_id"].get<std::string>(), nullptr, 16);
            placed_s = std::chrono::duration<double>(Clock::now() - join_start).count();
          }
      if (its_swarm) {
        // What the other members of its swarm, by that same consensus, hold: the most of them.
        for (const auto& n : body["consensus"]["nodes"])
          if (std::stoull(n["swarm_id"].get<std::string>(), nullptr, 16) == *its_swarm && n["ed25519"] != joiner_key &&
              dir_of.count(n["ed25519"].get<std::string>()))
            expect = std::max(expect, stored_in(dir_of[n["ed25519"].get<std::string>()]));
        if (expect == 0) {
          std::printf("  the joiner was placed in swarm %016llx, whose other members hold nothing to take in\n",
                      static_cast<unsigned long long>(*its_swarm));
          return report.write() ? 0 : 1;
        }
      }
    } else {
      have = stored_in(joiner_dir);
      if (have >= expect) {
        synced_s = std::chrono::duration<double>(Clock::now() - join_start).count();
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  joiner.signal(SIGTERM);
  joiner.wait();
  if (synced_s >= 0) {
    double sync_s = synced_s - placed_s;
    std::printf("  a 13th node joined swarm %016llx: in the consensus after %.1f s (%d s epochs); held all %llu of its messages %.1f s later\n",
                static_cast<unsigned long long>(*its_swarm), placed_s, epoch_seconds, static_cast<unsigned long long>(expect), sync_s);
    std::printf("    = %.0f messages/s taken in while joining = %.0f%% of one node's store rate (same run)\n", static_cast<double>(expect) / std::max(sync_s, 0.001),
                alone > 0 ? 100 * (static_cast<double>(expect) / std::max(sync_s, 0.001)) / alone : 0.0);
    report.fact("a joining node: seconds until it is in the consensus", placed_s, "s");
    report.figure("a joining node takes in its swarm's messages", static_cast<double>(expect) / std::max(sync_s, 0.001), "/s",
                  "one node's store rate", alone, true);
    report.target("a joining node holds its swarm's messages within 600 s", true);
  } else {
    std::printf("  a 13th node joined: %s; after %.0f s it held %llu of %llu messages\n", its_swarm ? "placed" : "never placed", join_limit_s,
                static_cast<unsigned long long>(have), static_cast<unsigned long long>(expect));
    report.target("a joining node holds its swarm's messages within 600 s", false);
  }
  return report.write() ? 0 : 1;
}
