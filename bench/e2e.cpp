// bench/e2e: delivery latency of a 1:1 message, from the start of Alice's send to Bob's
// client holding it (what `sotto listen` prints), through 3-hop onion paths both ways on a
// loopback devnet (3 authorities, 12 nodes). Bob waits with a retrieve that waits (sotto's
// long-poll extension), as `sotto listen` does. One message at a time. Beside it, in the
// same run and interleaved: the round trip of a direct store and a direct retrieve of the
// same size at one swarm member (no paths, no encryption, no waiting), the floor a
// messenger on this network could reach.
//
//   e2e [--messages N]   (default 1000)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/rng.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "net/client.hpp"
#include "net/https_transport.hpp"
#include "proto/signed_strings.hpp"
#include "support/process.hpp"

namespace {

using namespace sotto;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

struct Person {
  client::Profile profile;
  std::optional<crypto::Keypair> keys;
  base::SystemRng rng;
  base::SystemClock clock;
  net::HttpsTransport transport{std::chrono::seconds(40)};
  std::unique_ptr<client::Messenger> m;
  Person(const std::string& dir, const std::string& network_json) : profile(dir) {
    crypto::Seed16 seed;
    rng.fill(seed.span());
    if (!profile.create_account(seed, nullptr, crypto::PwhashParams::minimum(), rng)) throw std::runtime_error("create_account");
    keys.emplace(std::move(*profile.load_keys(nullptr)));
    if (!client::NetworkView::use(profile, network_json)) throw std::runtime_error("network use");
    open();
  }
  void open() {  // a Messenger on this profile
    auto opened = client::Messenger::open(profile, std::move(*profile.load_keys(nullptr)), transport, rng, clock);
    if (!opened) throw std::runtime_error(opened.error().message());
    m = std::move(*opened);
    if (auto r = m->refresh_consensus(0); !r) throw std::runtime_error(r.error().message());
  }
  std::string id() const { return crypto::account_id_of(*keys).hex(); }
};

std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

int main(int argc, char** argv) {
  int messages = 1000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--messages") messages = std::max(1, std::atoi(argv[i + 1]));

  test::TempDir tmp;
  std::string dir = tmp.sub("devnet");
  auto up = test::run_process(SOTTO_DEVNET_BIN, {"up", "--dir", dir, "--nodes", "12", "--authorities", "3", "--wait", "120"});
  if (up.exit_code != 0) {
    std::fprintf(stderr, "sotto-devnet up failed: %s%s\n", up.out.c_str(), up.err.c_str());
    return 1;
  }
  struct Down {
    std::string dir;
    ~Down() { (void)test::run_process(SOTTO_DEVNET_BIN, {"down", "--dir", dir}); }
  } down{dir};
  std::string network_json = read_all(dir + "/network.json");

  try {
    Person alice(tmp.sub("alice"), network_json);
    Person bob(tmp.sub("bob"), network_json);
    Person carol(tmp.sub("carol"), network_json);  // the baseline's account
    auto bob_id = *crypto::AccountId::parse(bob.id());

    // Bob listens in a thread of his own, with a Messenger of his own on his profile (as
    // `sotto listen` beside a `sotto send`).
    base::SystemRng lrng;
    base::SystemClock lclock;
    net::HttpsTransport ltransport{std::chrono::seconds(40)};
    auto listener = client::Messenger::open(bob.profile, std::move(*bob.profile.load_keys(nullptr)), ltransport, lrng, lclock);
    if (!listener) throw std::runtime_error(listener.error().message());
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, Clock::time_point> arrived;  // body -> when the listener held it
    std::map<std::string, int> times;
    std::atomic<bool> stop{false};
    std::atomic<int> receive_errors{0};
    std::thread listen([&] {
      while (!stop) {
        auto r = (*listener)->receive(5);
        auto now = Clock::now();
        if (!r) {
          ++receive_errors;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        std::lock_guard lock(mu);
        for (const auto& msg : *r) {
          arrived.emplace(msg.body, now);
          ++times[msg.body];
        }
        cv.notify_all();
      }
    });

    // Baseline: a member of Carol's swarm, straight.
    client::NetworkView view = *client::NetworkView::open(carol.profile, base::SystemClock().now_ms() / 1000);
    auto members = view.swarm_of(crypto::AccountId::parse(carol.id())->bytes());
    if (members.empty()) throw std::runtime_error("no swarm for the baseline");
    net::HttpClient direct(members[0].ip, members[0].port_https, true, std::chrono::seconds(30));
    std::string filler_b64 = base::to_base64(Bytes(700, 0x42));  // about the size of a short DM's data
    std::string last_hash;

    std::vector<double> e2e, base_rt;
    int lost = 0, send_failures = 0, base_failures = 0;
    for (int i = 0; i < messages + 10; ++i) {  // the first 10 warm paths and connections up
      std::string body = "e2e " + std::to_string(i);
      auto start = Clock::now();
      auto s = alice.m->send(bob_id, body);
      if (!s) {
        ++send_failures;
        continue;
      }
      std::unique_lock lock(mu);
      bool got = cv.wait_for(lock, std::chrono::seconds(10), [&] { return arrived.count(body) > 0; });
      double latency = got ? std::chrono::duration<double, std::milli>(arrived[body] - start).count() : 0;
      lock.unlock();
      if (!got) ++lost;
      else if (i >= 10) e2e.push_back(latency);

      // The baseline, interleaved: store, then retrieve after the last hash, straight.
      auto b = Clock::now();
      std::int64_t ts = base::SystemClock().now_ms();
      json store{{"method", "store"},
                 {"params", {{"pubkey", carol.id()}, {"timestamp", ts}, {"ttl", 3'600'000}, {"namespace", 0},
                             {"data", base::to_base64(as_bytes(std::to_string(i) + filler_b64))}}}};
      auto st = direct.post("/storage_rpc/v1", store.dump());
      auto sig = crypto::sign(carol.keys->ed25519_secret(), as_bytes(proto::signed_retrieve(0, ts)));
      json retrieve{{"method", "retrieve"},
                    {"params", {{"pubkey", carol.id()}, {"pubkey_ed25519", carol.keys->ed25519_public().hex()}, {"namespace", 0},
                                {"timestamp", ts}, {"signature", base::to_base64(sig)}, {"last_hash", last_hash}}}};
      auto rt = direct.post("/storage_rpc/v1", retrieve.dump());
      double tb = ms_since(b);
      json rj = rt && rt->status == 200 ? json::parse(rt->body, nullptr, false) : json();
      if (!st || st->status != 200 || rj.is_discarded() || !rj.contains("messages") || rj["messages"].empty()) {
        ++base_failures;
        continue;
      }
      last_hash = rj["messages"].back()["hash"];
      if (i >= 10) base_rt.push_back(tb);
    }
    stop = true;
    listen.join();
    int duplicates = 0;
    for (const auto& [b, n] : times) duplicates += n - 1;

    std::printf("e2e delivery on the loopback devnet (3 authorities, 12 nodes, swarms of 6; %zu messages, one at a time):\n", e2e.size());
    std::printf("  send -> the recipient's client holds it (3-hop paths both ways, waiting retrieve):\n");
    std::printf("      p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms\n", percentile(e2e, 0.5), percentile(e2e, 0.99), percentile(e2e, 1.0));
    std::printf("  baseline, same run, interleaved: direct store + direct retrieve at one member:\n");
    std::printf("      p50 %7.1f ms   p99 %7.1f ms   (e2e = %.1fx and %.1fx the baseline)\n", percentile(base_rt, 0.5), percentile(base_rt, 0.99),
                percentile(e2e, 0.5) / percentile(base_rt, 0.5), percentile(e2e, 0.99) / percentile(base_rt, 0.99));
    std::printf("  target p50 < 100 ms: %s; p99 < 500 ms: %s\n", percentile(e2e, 0.5) < 100 ? "met" : "NOT met",
                percentile(e2e, 0.99) < 500 ? "met" : "NOT met");
    std::printf("  lost (not held within 10 s): %d, duplicates: %d, send failures: %d, receive errors: %d, baseline failures: %d\n", lost,
                duplicates, send_failures, receive_errors.load(), base_failures);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "e2e: %s\n", e.what());
    return 1;
  }
  return 0;
}
