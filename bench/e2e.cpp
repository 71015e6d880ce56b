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
#include "api/https_transport.hpp"
#include "proto/signed_strings.hpp"
#include "devnet/devnet_fixture.hpp"
#include "devnet/person.hpp"
#include "report.hpp"
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

std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

int main(int argc, char** argv) {
  int messages = 1000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--messages") messages = std::max(1, std::atoi(argv[i + 1]));

  try {
    devnet::Devnet dn;  // 3 authorities, 12 nodes; down when it goes out of scope
    test::TempDir& tmp = dn.tmp;
    std::string network_json = read_all(dn.dir + "/network.json");
    devnet::Person alice("alice", tmp.sub("alice"), network_json);
    devnet::Person bob("bob", tmp.sub("bob"), network_json);
    devnet::Person carol("carol", tmp.sub("carol"), network_json);  // the baseline's account
    auto bob_id = *crypto::AccountId::parse(bob.id());

    // Bob listens in a thread of his own, with a Messenger of his own on his profile (as
    // `sotto listen` beside a `sotto send`).
    base::SystemRng lrng;
    base::SystemClock lclock;
    api::HttpsTransport ltransport{std::chrono::seconds(40)};
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
    sotto::bench::Report report("e2e");
    report.figure("delivery latency, p50 (send to the recipient's client, 3-hop paths both ways)", percentile(e2e, 0.5), "ms",
                  "direct store + retrieve at one member, p50", percentile(base_rt, 0.5), false);
    report.figure("delivery latency, p99", percentile(e2e, 0.99), "ms", "direct store + retrieve at one member, p99", percentile(base_rt, 0.99), false);
    report.target("delivery p50 under 100 ms", percentile(e2e, 0.5) < 100);
    report.target("delivery p99 under 500 ms", percentile(e2e, 0.99) < 500);
    report.target("nothing lost, nothing duplicated", lost == 0 && duplicates == 0);
    report.fact("messages lost", lost, "");
    report.fact("messages duplicated", duplicates, "");
    json cdf = json::array(), base_cdf = json::array();
    for (int p = 0; p <= 100; ++p) cdf.push_back(percentile(e2e, p / 100.0)), base_cdf.push_back(percentile(base_rt, p / 100.0));
    report.data("latency_percentiles_ms", cdf);
    report.data("baseline_percentiles_ms", base_cdf);
    if (!report.write()) return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "e2e: %s\n", e.what());
    return 1;
  }
  return 0;
}
