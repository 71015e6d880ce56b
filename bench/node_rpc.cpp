// node_rpc: one sotto-node over loopback HTTPS with 64 keep-alive connections (driven from
// one thread), against the
// ceiling measured in the same run (the same per-request cryptography plus one SQLite
// insert in its own transaction, or one indexed select, in a tight loop in one thread).
//
//   node_rpc [--seconds S] [--connections N] [--commit-interval-ms MS] [--node-config LINE]...
//
// --node-config adds one top-level line to the node's TOML config, e.g. "threads = 1".
//
// Prints its figures; asserts nothing. The load generator shares the machine's cores with
// the node, as the issue asks.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <sstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "crypto/account_id.hpp"
#include "net/async_client.hpp"
#include "net/client.hpp"
#include "node/storage/message_store.hpp"
#include "proto/message_hash.hpp"
#include "proto/signed_strings.hpp"
#include "report.hpp"
#include "support/account.hpp"

using namespace sotto;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::int64_t now_ms() { return base::SystemClock().now_ms(); }
double secs(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Account : test::TestAccount {
  using TestAccount::TestAccount;
  std::string retrieve_body(std::int64_t now) const {
    return json{{"method", "retrieve"},
                {"params", {{"pubkey", id}, {"pubkey_ed25519", keys.ed25519_public().hex()}, {"namespace", 0},
                            {"timestamp", now}, {"signature", sign(proto::signed_retrieve(0, now))}, {"max_count", 10}}}}
        .dump();
  }
};

// A client signs every retrieve; the generator signs once a second per thread and
// account (the node accepts a signature for 60 s), so that its own signing does not take
// the cores the node is measured on. The node still verifies every request.
std::string retrieve_body_cached(const Account& a) {
  thread_local std::map<std::string, std::pair<std::int64_t, std::string>> cache;
  auto& [at, body] = cache[a.id];
  std::int64_t now = now_ms();
  if (body.empty() || now - at > 1000) {
    at = now;
    body = a.retrieve_body(now);
  }
  return body;
}

std::string store_body(const std::string& to, std::uint64_t n, const std::string& payload_b64) {
  // Unique data per message (the first bytes carry n), 1 KiB in all. Written by hand:
  // the generator's own JSON work would be measured against the node.
  char tag[32];
  std::snprintf(tag, sizeof tag, "%016llx", static_cast<unsigned long long>(n));
  std::string body = R"({"method":"store","params":{"pubkey":")" + to + R"(","timestamp":)" + std::to_string(now_ms()) +
                     R"(,"ttl":86400000,"data":")";
  std::size_t at = body.size();
  body += payload_b64;
  std::copy(tag, tag + 16, body.begin() + static_cast<std::ptrdiff_t>(at));
  body += "\"}}";
  return body;
}

struct Node {
  pid_t pid = -1;
  std::uint16_t port = 0, admin_port = 0;
  std::string dir;
  Node(const std::string& d, const std::string& extra_config) : dir(d) {
    std::ofstream(dir + ".toml") << extra_config << "[rate_limit]\nper_second = 0\n[limits]\nmax_account_messages = 10000000\n";
    int p[2];
    if (pipe(p)) std::exit(1);
    pid = fork();
    if (pid == 0) {
      dup2(p[1], 1);
      execl(SOTTO_NODE_BIN, SOTTO_NODE_BIN, "--data-dir", dir.c_str(), "--listen", "127.0.0.1:0", "--admin-listen",
            "127.0.0.1:0", "--log-level", "warn", "--config", (dir + ".toml").c_str(), nullptr);
      _exit(127);
    }
    close(p[1]);
    std::string line;
    char c;
    while (read(p[0], &c, 1) == 1 && c != '\n') line += c;
    auto j = json::parse(line);
    std::string l = j["listen"];
    port = static_cast<std::uint16_t>(std::stoi(l.substr(l.rfind(':') + 1)));
    std::string a = j["admin"];
    admin_port = static_cast<std::uint16_t>(std::stoi(a.substr(a.rfind(':') + 1)));
  }
  // A gauge of the node's /metrics (0 if absent).
  double gauge(const std::string& name) const {
    net::HttpClient c("127.0.0.1", admin_port, false);
    auto r = c.get("/metrics");
    if (!r) return 0;
    std::istringstream in(r->body);
    std::string line;
    while (std::getline(in, line))
      if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    return 0;
  }
  // One of the node's latency histograms ("store", "commit"): cumulative counts by bound.
  std::map<double, double> histogram(const std::string& method) const {
    std::map<double, double> out;
    net::HttpClient c("127.0.0.1", admin_port, false);
    auto r = c.get("/metrics");
    if (!r) return out;
    std::istringstream in(r->body);
    std::string line;
    const std::string key = "sotto_request_duration_seconds_bucket{method=\"" + method + "\",le=\"";
    while (std::getline(in, line))
      if (line.rfind(key, 0) == 0 && line.find("+Inf") == std::string::npos) {
        auto q = line.find('"', key.size());
        out[std::stod(line.substr(key.size(), q - key.size()))] = std::stod(line.substr(line.rfind(' ') + 1));
      }
    return out;
  }
  long rss_kb() const {
    std::ifstream s("/proc/" + std::to_string(pid) + "/status");
    std::string k;
    long v = 0;
    while (s >> k)
      if (k == "VmRSS:") {
        s >> v;
        break;
      }
    return v;
  }
  ~Node() {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
};

struct Load {
  std::uint64_t done = 0, errors = 0;
  std::vector<double> latencies;  // seconds
  double seconds = 0;
  double rate() const { return static_cast<double>(done) / seconds; }
  double pct(double p) {
    if (latencies.empty()) return 0;
    std::sort(latencies.begin(), latencies.end());
    return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * static_cast<double>(latencies.size())))];
  }
};

// Runs `make_body` over `conns` keep-alive connections for `seconds`, from one thread
// (net::AsyncClient), so that the generator takes as little of the shared cores as it
// can. Closed loop when rate == 0: `conns` requests always outstanding. Otherwise open
// loop: the i-th request is due at start + i / rate whatever the node does, and its
// latency counts from that time, so a slow node shows as latency (a request waits for a
// free connection if all are busy), not as a slower generator. `budget` > 0 stops after
// that many requests in all.
template <class MakeBody>
Load drive(std::uint16_t port, int conns, double seconds, double rate, MakeBody make_body, std::uint64_t budget = 0) {
  net::AsyncClientConfig cfg;
  cfg.port = port;
  cfg.connections = static_cast<std::size_t>(conns);
  cfg.timeout = std::chrono::seconds(30);
  auto client = std::move(*net::AsyncClient::start(cfg));
  // Warm-up: every connection connects and shakes hands before the clock starts.
  std::atomic<int> warm{0};
  for (int c = 0; c < conns; ++c) client->post("/storage_rpc/v1", R"({"method":"info"})", [&](Result<net::HttpResponse>) { ++warm; });
  while (warm < conns) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Load total;
  std::mutex mu;
  std::atomic<std::uint64_t> seq{0}, inflight{0};
  auto start = SteadyClock::now();
  auto end = start + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
  auto record = [&](SteadyClock::time_point sent, const Result<net::HttpResponse>& r) {
    auto t = SteadyClock::now();
    std::lock_guard lock(mu);
    if (r && r->status == 200) {
      ++total.done;
      total.latencies.push_back(secs(t - sent));
    } else {
      ++total.errors;
    }
  };
  std::function<void()> send_one;  // closed loop: each answer sends the next request
  send_one = [&] {
    std::uint64_t n = seq++;
    if ((budget && n >= budget) || SteadyClock::now() >= end) return;
    auto sent = SteadyClock::now();
    ++inflight;
    client->post("/storage_rpc/v1", make_body(n), [&, sent](Result<net::HttpResponse> r) {
      record(sent, r);
      send_one();
      --inflight;
    });
  };
  if (rate <= 0) {
    for (int c = 0; c < conns; ++c) send_one();
  } else {
    for (std::uint64_t i = 0; !budget || i < budget; ++i) {
      auto due = start + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(static_cast<double>(i) / rate));
      if (due >= end) break;
      std::this_thread::sleep_until(due);
      ++inflight;
      client->post("/storage_rpc/v1", make_body(i), [&, due](Result<net::HttpResponse> r) {
        record(due, r);
        --inflight;
      });
    }
  }
  while (inflight > 0 || (rate <= 0 && SteadyClock::now() < end && !(budget && seq >= budget)))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  total.seconds = secs(SteadyClock::now() - start);
  client->stop();
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  int conns = 64;
  std::string extra_config;  // top-level node config lines, e.g. commit_interval_ms = 0
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--commit-interval-ms") extra_config += "commit_interval_ms = " + std::to_string(std::stoi(argv[i + 1])) + "\n";
    if (a == "--node-config") extra_config += std::string(argv[i + 1]) + "\n";
    if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    if (a == "--connections") conns = std::stoi(argv[i + 1]);
  }
  auto tmp = std::filesystem::temp_directory_path() / ("sotto-node-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(tmp);
  std::string payload = base::to_base64(Bytes(1024, 0x41));
  Account bob(1), small(2), large(3);

  // --- ceiling: the same work in a tight loop, one thread, same run ---
  double ceil_store = 0, ceil_retrieve = 0;
  {
    auto db = std::move(*node::storage::MessageStore::open((tmp / "ceiling.db").string()));
    base::SeededRng rng(5);
    auto node_keys = crypto::Keypair::generate(rng);
    auto pk = *base::from_hex_fixed<33>(bob.id);
    Bytes data(1024, 0x41);
    const int n = 3000;
    auto t = SteadyClock::now();
    for (int i = 0; i < n; ++i) {
      base::store_be(data.data(), static_cast<std::uint32_t>(i));
      std::string h = proto::message_hash(pk, 0, data);
      auto raw = *base::from_base64(h);
      node::storage::MessageHash mh;
      std::copy(raw.begin(), raw.end(), mh.begin());
      (void)crypto::sign(node_keys.ed25519_secret(), as_bytes(h));
      if (!db->store({pk, 0, mh, now_ms(), now_ms() + 86'400'000, data})) return 1;
    }
    ceil_store = n / secs(SteadyClock::now() - t);
    auto sig = crypto::sign(bob.keys.ed25519_secret(), as_bytes(proto::signed_retrieve(0, 1)));
    t = SteadyClock::now();
    for (int i = 0; i < 20'000; ++i) {
      if (!crypto::verify(sig, as_bytes(proto::signed_retrieve(0, 1)), bob.keys.ed25519_public())) return 1;
      (void)crypto::to_x25519(bob.keys.ed25519_public());
      if (!db->retrieve(pk, 0, std::nullopt, 10, 1 << 20, now_ms())) return 1;
    }
    ceil_retrieve = 20'000 / secs(SteadyClock::now() - t);
  }

  Node node((tmp / "node").string(), extra_config);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long idle_rss = node.rss_kb();

  double wal_max = 0;  // the WAL's length (frames) at the node's checkpoints, sampled
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      wal_max = std::max(wal_max, node.gauge("sotto_wal_frames"));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  auto peak = drive(node.port, conns, seconds, 0, [&](std::uint64_t i) { return store_body(bob.id, i, payload); });
  // Three runs at half the peak rate: the disk under this machine now and then takes tens
  // of milliseconds for one fsync, and each run says how many of its commits were slow.
  struct Half {
    Load load;
    double node_10ms = 0, node_20ms = 0;  // % the node itself answered within
    double commits = 0, slow_commits = 0;  // group commits, and those over 25 ms
    std::string commit_shape, store_shape;  // share of commits / node-side stores by bucket
  };
  // "≤0.5 ms 12%, ≤1 ms 40%, …": a histogram's growth between two readings, by bucket
  // (a bucket missing from a reading counts 0, as in the shares below).
  auto shape = [](std::map<double, double> before, const std::map<double, double>& after) {
    std::string out;
    double total = after.empty() ? 0 : after.rbegin()->second - before[after.rbegin()->first];
    double prev = 0;
    for (const auto& [bound, count] : after) {
      double n = count - before[bound];
      if (total > 0 && n - prev > 0) {
        char b[64];
        std::snprintf(b, sizeof b, "%s<=%g ms %.1f%%", out.empty() ? "" : ", ", bound * 1e3, 100 * (n - prev) / total);
        out += b;
      }
      prev = n;
    }
    return out;
  };
  std::vector<Half> halves;
  for (int run = 0; run < 3; ++run) {
    auto before = node.histogram("store"), commits_before = node.histogram("commit");
    Half h;
    h.load = drive(node.port, conns, seconds, peak.rate() / 2,
                   [&](std::uint64_t i) { return store_body(bob.id, (static_cast<std::uint64_t>(run) + 1) << 40 | i, payload); });
    auto after = node.histogram("store"), commits_after = node.histogram("commit");
    double total = static_cast<double>(h.load.done + h.load.errors);
    auto share = [&](double bound) { return total > 0 ? 100 * (after[bound] - before[bound]) / total : 0.0; };
    h.node_10ms = share(0.01);
    h.node_20ms = share(0.02);
    h.commits = commits_after[2.5] - commits_before[2.5];
    h.slow_commits = h.commits - (commits_after[0.025] - commits_before[0.025]);
    h.commit_shape = shape(commits_before, commits_after);
    h.store_shape = shape(before, after);
    halves.push_back(std::move(h));
  }

  sampling = false;
  sampler.join();

  // Mailboxes of 100 and 10,000 messages.
  {
    net::HttpClient c("127.0.0.1", node.port, true);
    for (int i = 0; i < 100; ++i) (void)c.post("/storage_rpc/v1", store_body(small.id, (4ull << 40) + static_cast<unsigned>(i), payload));
  }
  (void)drive(node.port, conns, 600, 0, [&](std::uint64_t i) { return store_body(large.id, (5ull << 40) + i, payload); }, 10'000);
  auto r_small = drive(node.port, conns, seconds, 0, [&](std::uint64_t) { return retrieve_body_cached(small); });
  auto r_large = drive(node.port, conns, seconds, 0, [&](std::uint64_t) { return retrieve_body_cached(large); });
  long loaded_rss = node.rss_kb();
  double loaded_messages = 0;  // from the database itself (the node's gauge lags by up to a sweep)
  if (auto reader = node::storage::MessageStore::open_reader((tmp / "node" / "messages.db").string()))
    if (auto st = (*reader)->stats()) loaded_messages = static_cast<double>(st->messages);

  // --- 1 million stored messages (1,000 accounts x 1,000 of 1 KiB): written straight into
  // a new node's database, then the node starts on it and serves retrieves of 10 from
  // random accounts for one phase. Its resident memory is read before and after.
  std::vector<Account> owners;
  for (std::uint64_t a = 0; a < 1000; ++a) owners.emplace_back(1000 + a);
  auto million_dir = tmp / "million";
  std::filesystem::create_directories(million_dir);
  auto fill_start = SteadyClock::now();
  {
    auto db = std::move(*node::storage::MessageStore::open((million_dir / "messages.db").string()));
    Bytes data(1024, 0x42);
    std::vector<node::storage::StoreRequest> batch;
    std::int64_t t = now_ms();
    for (std::uint32_t i = 0; i < 1'000'000; ++i) {
      node::storage::MessageHash h{};
      base::store_be(h.data(), i);
      h[31] = 0x4d;
      batch.push_back({*base::from_hex_fixed<33>(owners[i % 1000].id), 0, h, t, t + 86'400'000, data});
      if (batch.size() == 10'000) {
        if (!db->store_batch(batch)) return 1;
        batch.clear();
      }
    }
  }
  double fill_s = secs(SteadyClock::now() - fill_start);
  long million_idle = 0, million_loaded = 0;
  Load r_million;
  {
    Node big(million_dir.string(), extra_config);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    million_idle = big.rss_kb();
    r_million = drive(big.port, conns, seconds, 0, [&](std::uint64_t i) { return retrieve_body_cached(owners[(i * 7919) % 1000]); });
    million_loaded = big.rss_kb();
  }

  std::printf("\nnode_rpc: one sotto-node, loopback HTTPS, %d keep-alive connections, 1 KiB messages, %.0f s per phase\n", conns, seconds);
  std::printf("  ceiling (same run, one thread): %8.0f stores/s (hash + sign + insert, own transaction)\n", ceil_store);
  std::printf("                                  %8.0f retrieves/s (verify + select 10)\n", ceil_retrieve);
  std::printf("  stores, closed loop:            %8.0f /s = %.0f%% of ceiling; p50 %.1f ms, p99 %.1f ms; errors %llu\n", peak.rate(),
              100 * peak.rate() / ceil_store, 1e3 * peak.pct(0.5), 1e3 * peak.pct(0.99), static_cast<unsigned long long>(peak.errors));
  std::printf("  longest WAL at a checkpoint during the store phases: %.0f frames (%.1f MB)\n", wal_max, wal_max * 4096 / 1e6);
  for (auto& h : halves)
    std::printf("  stores at half that rate:       %8.0f /s; p50 %.1f ms, p99 %.1f ms; errors %llu; the node's own view: %.1f%% within 10 ms, "
                "%.1f%% within 20 ms; %.0f of %.0f commits took over 25 ms\n",
                h.load.rate(), 1e3 * h.load.pct(0.5), 1e3 * h.load.pct(0.99), static_cast<unsigned long long>(h.load.errors), h.node_10ms,
                h.node_20ms, h.slow_commits, h.commits);
  for (auto& h : halves) std::printf("    commits: %s\n    stores (node's view): %s\n", h.commit_shape.c_str(), h.store_shape.c_str());
  std::printf("  retrieves of 10, mailbox 100:   %8.0f /s; p99 %.1f ms\n", r_small.rate(), 1e3 * r_small.pct(0.99));
  std::printf("  retrieves of 10, mailbox 10000: %8.0f /s; p99 %.1f ms (ratio to mailbox 100: %.2f)\n", r_large.rate(),
              1e3 * r_large.pct(0.99), r_large.rate() / r_small.rate());
  std::printf("  node resident memory: idle %.1f MB, after the load %.1f MB\n", static_cast<double>(idle_rss) / 1024,
              static_cast<double>(loaded_rss) / 1024);
  std::printf("  with 1,000,000 stored messages (written in %.0f s): idle %.1f MB; %.0f retrieves/s of 10 from 1,000 accounts "
              "(p99 %.1f ms), then %.1f MB\n",
              fill_s, static_cast<double>(million_idle) / 1024, r_million.rate(), 1e3 * r_million.pct(0.99),
              static_cast<double>(million_loaded) / 1024);

  sotto::bench::Report report("node_rpc");
  report.figure("stores/s through HTTPS, closed loop", peak.rate(), "/s", "ceiling: hash + sign + insert in one thread", ceil_store, true);
  report.figure("retrieves/s of 10 through HTTPS, mailbox 100", r_small.rate(), "/s", "ceiling: verify + select in one thread", ceil_retrieve, true);
  report.figure("retrieves/s of 10, mailbox 10,000", r_large.rate(), "/s", "mailbox 100", r_small.rate(), true);
  std::vector<double> half_p99;
  for (auto& h : halves) half_p99.push_back(1e3 * h.load.pct(0.99));
  std::sort(half_p99.begin(), half_p99.end());
  report.figure("store p99 at half the peak rate (median of 3 runs)", half_p99[1], "ms", "store p99 at the peak rate", 1e3 * peak.pct(0.99), false);
  report.target("store p99 under 20 ms at half the peak rate (median of 3 runs)", half_p99[1] < 20);
  report.figure("retrieves/s of 10 with 1,000,000 messages stored", r_million.rate(), "/s", "mailbox 100 on a small database", r_small.rate(), true);
  report.fact("node resident memory, idle, empty", static_cast<double>(idle_rss) / 1024, "MB");
  report.fact("node resident memory with 1,000,000 messages, after retrieves", static_cast<double>(million_loaded) / 1024, "MB");
  // [messages, MB]: an empty node just started, after its load, a node of 1,000,000 messages
  // just started, the same after retrieves (scripts/bench-report.py plots the two states).
  report.data("memory_vs_messages", nlohmann::json::array({{0, static_cast<double>(idle_rss) / 1024},
                                                           {loaded_messages, static_cast<double>(loaded_rss) / 1024},
                                                           {1'000'000, static_cast<double>(million_idle) / 1024},
                                                           {1'000'000, static_cast<double>(million_loaded) / 1024}}));
  std::filesystem::remove_all(tmp);
  std::filesystem::remove(tmp.string() + ".toml");
  return report.write() ? 0 : 1;
}
