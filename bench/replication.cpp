// replication: stores/s sustained by a devnet of 12 nodes (every store replicated to the
// whole swarm, each member's receipt in the reply) beside one node alone, measured in the
// same run; then how long a node joining a swarm takes to hold all of that swarm's
// messages (about 100,000 in all across the network).
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
#include "support/process.hpp"

using namespace sotto;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
std::uint16_t port_of(const std::string& url) { return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

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
  std::uint16_t port;
  std::vector<std::string> accounts;  // accounts whose swarm this node is in
};

// Closed loop: `conns` requests outstanding over the targets for `seconds`, or until
// `budget` stores are done. Returns stores/s (200s only) and the count of errors.
std::pair<double, std::uint64_t> drive(const std::vector<Target>& targets, int conns, double seconds, std::uint64_t budget = 0) {
  std::vector<std::unique_ptr<net::AsyncClient>> clients;
  for (const auto& t : targets) {
    net::AsyncClientConfig cfg;
    cfg.port = t.port;
    cfg.connections = static_cast<std::size_t>(std::max(1, conns / static_cast<int>(targets.size())));
    cfg.timeout = std::chrono::seconds(30);
    clients.push_back(std::move(*net::AsyncClient::start(cfg)));
  }
  std::atomic<std::uint64_t> seq{0}, done{0}, errors{0}, inflight{0};
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::function<void(std::size_t)> send = [&](std::size_t i) {
    std::uint64_t n = seq++;
    if ((budget && n >= budget) || Clock::now() >= end) return;
    const auto& t = targets[i];
    ++inflight;
    clients[i]->post("/storage_rpc/v1", store_body(t.accounts[n % t.accounts.size()], n), [&, i](Result<net::HttpResponse> r) {
      if (r && r->status == 200) ++done;
      else ++errors;
      send(i);
      --inflight;
    });
  };
  for (int c = 0; c < conns; ++c) send(static_cast<std::size_t>(c) % targets.size());
  while (inflight > 0 || (Clock::now() < end && !(budget && seq >= budget))) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& c : clients) c->stop();
  return {static_cast<double>(done) / s, errors.load()};
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
    std::vector<Target> t{{port_of(l), {}}};
    for (int i = 0; i < 1000; ++i) t[0].accounts.push_back(random_account());
    alone = drive(t, conns, seconds).first;
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
  net::HttpClient fetch("127.0.0.1", port_of(state["nodes"][0]["url"]), true);
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
    Target t{port_of(n["url"]), {}};
    std::uint64_t mine = swarm_of_node[n["ed25519"]];
    for (const auto& a : all_accounts) {
      auto pk = base::from_hex_fixed<33>(a);
      if (node::ConsensusSwarm::swarm_of(*pk, ids) == mine) t.accounts.push_back(a);
    }
    if (!t.accounts.empty()) targets.push_back(std::move(t));
  }
  auto [net_rate, net_errors] = drive(targets, conns, seconds);
  std::printf("\nreplication: 12-node devnet (3 authorities, %d s epochs), 1 KiB stores, %d keep-alive connections, %.0f s phases\n",
              epoch_seconds, conns, seconds);
  std::printf("  one node alone (same run):        %8.0f stores/s\n", alone);
  std::printf("  devnet, swarms of");
  for (const auto& [id, n] : sizes) std::printf(" %d", n);
  std::printf(": %8.0f stores/s = %.0f%% of one node (each store on every member of its swarm; %llu errors)\n", net_rate,
              alone > 0 ? 100 * net_rate / alone : 0.0, static_cast<unsigned long long>(net_errors));
  std::fflush(stdout);

  // 3. About `messages` stored, then a 13th node joins: how long until it holds all of its
  // swarm's messages.
  auto load_start = Clock::now();
  auto [load_rate, load_errors] = drive(targets, conns, 3600, messages);
  double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  std::printf("  %llu stores to the devnet in %.0f s (%.0f/s, %llu errors)\n", static_cast<unsigned long long>(messages), load_s, load_rate,
              static_cast<unsigned long long>(load_errors));
  std::fflush(stdout);
  std::string joiner_dir = dir + "/node-13";
  std::filesystem::create_directories(joiner_dir);
  auto join_start = Clock::now();
  test::Daemon joiner(SOTTO_NODE_BIN, {"--data-dir", joiner_dir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--network",
                                       dir + "/network.json", "--config", tmp.sub("node.toml")});
  json jr = json::parse(joiner.read_line());
  std::string joiner_key = jr["pubkey_ed25519"];
  // Wait until a consensus places it, then until it holds as many messages as a peer.
  std::optional<std::uint64_t> its_swarm;
  std::string peer_dir;
  double placed_s = 0, synced_s = -1;
  std::uint64_t expect = 0, have = 0;
  const double join_limit_s = 180;
  auto deadline = Clock::now() + std::chrono::seconds(static_cast<int>(join_limit_s));
  while (Clock::now() < deadline) {
    if (!its_swarm) {
      auto r = fetch.get("/directory/v1/consensus");
      if (r && r->status == 200)
        for (const auto& n : json::parse(r->body)["consensus"]["nodes"])
          if (n["ed25519"] == joiner_key && n["swarm_id"] != "ffffffffffffffff") {
            its_swarm = std::stoull(n["swarm_id"].get<std::string>(), nullptr, 16);
            placed_s = std::chrono::duration<double>(Clock::now() - join_start).count();
            for (const auto& p : state["nodes"])
              if (swarm_of_node[p["ed25519"]] == *its_swarm) peer_dir = dir + "/" + p["name"].get<std::string>();
          }
    } else {
      expect = stored_in(peer_dir);
      have = stored_in(joiner_dir);
      if (expect > 0 && have >= expect) {
        synced_s = std::chrono::duration<double>(Clock::now() - join_start).count();
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  joiner.signal(SIGTERM);
  joiner.wait();

  if (synced_s >= 0)
    std::printf("  a 13th node joined: placed in a swarm after %.1f s, held as many messages as a peer of its swarm (%llu) after %.1f s\n",
                placed_s, static_cast<unsigned long long>(expect), synced_s);
  else
    std::printf("  a 13th node joined: %s; after %.0f s it held %llu messages, a peer of its swarm %llu\n",
                its_swarm ? "placed" : "never placed", join_limit_s, static_cast<unsigned long long>(have), static_cast<unsigned long long>(expect));
  return 0;
}
