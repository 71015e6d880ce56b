// sotto-loadgen: drives a network (a devnet, usually) with many simulated accounts, each
// with its own keys, profile, onion paths and a listener waiting on its own swarm, at a
// chosen offered load, open loop: message i of a step is due at t0 + i/rate whatever
// happened to the ones before it, and its latency counts from when it was due. So an
// overloaded network shows up as latency and failures, never as a generator that slowed
// down to match it (docs/bench.md, "The load generator").
//
//   sotto-loadgen --devnet DIR [--accounts N] [--rates R1,R2,...] [--duration S]
//                 [--workers K] [--drain S] [--idle S] [--json FILE]
//
// For every rate it reports sent, confirmed (a swarm member's signed receipt verified),
// failed (and why), delivered (held by the recipient's listener by the end of the run),
// late (delivered after its step's drain), lost (confirmed, never delivered), duplicated,
// the latency percentiles from due time to delivery, and the CPU each process used (the
// generator itself, every node, every authority) and the machine's.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "client/profile.hpp"
#include "api/https_transport.hpp"

namespace {

using namespace sotto;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int fail(const std::string& why) {
  std::fprintf(stderr, "sotto-loadgen: %s\n", why.c_str());
  return 1;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// CPU time (user + system) a process used so far, in seconds; nullopt once it is gone.
std::optional<double> cpu_seconds(int pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The machine's CPU time so far (all cores), in seconds: busy, waiting for the disk, in all.
struct MachineCpu {
  double busy = 0, iowait = 0, total = 0;
};
MachineCpu machine_cpu() {
  std::istringstream in(read_file("/proc/stat"));
  std::string cpu;
  unsigned long long v[8] = {};  // user nice system idle iowait irq softirq steal
  in >> cpu;
  for (auto& x : v) in >> x;
  double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  unsigned long long total = 0;
  for (auto x : v) total += x;
  return {static_cast<double>(total - v[3] - v[4]) / tick, static_cast<double>(v[4]) / tick, static_cast<double>(total) / tick};
}

long rss_kb(int pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string k;
  long v = 0;
  while (in >> k)
    if (k == "VmRSS:" && in >> v) return v;
  return 0;
}

// What a failed send is counted under: the error's token, and for a refusal the first HTTP
// status its message names (the rest of the message is the node's text: not a key).
std::string failure_key(const Error& e) {
  std::string key = e.token();
  if (e.is(client::Errc::Refused)) {
    std::string m = e.message();
    for (std::size_t i = 0; i + 3 <= m.size(); ++i)
      if (m[i] >= '1' && m[i] <= '5' && std::isdigit(static_cast<unsigned char>(m[i + 1])) && std::isdigit(static_cast<unsigned char>(m[i + 2])) &&
          (i == 0 || !std::isdigit(static_cast<unsigned char>(m[i - 1]))) && (i + 3 == m.size() || !std::isdigit(static_cast<unsigned char>(m[i + 3]))))
        return key + " " + m.substr(i, 3);
  }
  return key;
}

// `v` sorted ascending.
double percentile(const std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  // Nearest rank: the smallest value with at least p of the values at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank > 0 ? rank - 1 : 0)];
}

// One simulated account: a profile of its own, a Messenger that sends (one send at a time)
// and another that listens in a thread of its own, each with its own transport and paths.
struct Account {
  client::Profile profile;
  base::SystemRng rng, listen_rng;
  base::SystemClock clock;
  api::HttpsTransport transport{std::chrono::seconds(40)}, listen_transport{std::chrono::seconds(40)};
  std::unique_ptr<client::Messenger> sender, listener;
  std::mutex sending;  // the sender's Messenger is not thread-safe
  crypto::AccountId id;

  Account(const fs::path& dir, const std::string& network_json) : profile(dir.string()), id(make(network_json)) {}

  crypto::AccountId make(const std::string& network_json) {
    crypto::Seed16 seed;
    rng.fill(seed.span());
    if (auto r = profile.create_account(seed, nullptr, crypto::PwhashParams::minimum(), rng); !r) throw std::runtime_error(r.error().message());
    if (auto r = client::NetworkView::use(profile, network_json); !r) throw std::runtime_error(r.error().message());
    auto open = [&](api::HttpsTransport& t, base::Rng& r) {
      auto m = client::Messenger::open(profile, std::move(*profile.load_keys(nullptr)), t, r, clock);
      if (!m) throw std::runtime_error(m.error().message());
      return std::move(*m);
    };
    sender = open(transport, rng);
    listener = open(listen_transport, listen_rng);
    if (auto r = sender->refresh_consensus(0); !r) throw std::runtime_error(r.error().message());
    return sender->me();
  }
};

struct Sample {
  Clock::time_point due;
  bool confirmed = false;
  std::optional<Clock::time_point> confirmed_at;  // when the send returned with a receipt
  std::optional<Clock::time_point> delivered;
  int arrivals = 0;
  std::string failure;  // why the send failed, if it did
};

struct Proc {
  std::string role, name;
  int pid = 0;
};

struct Step {
  double rate = 0, duration = 0;
  std::size_t first = 0, count = 0;  // samples [first, first + count)
  Clock::time_point t0, end;
  std::map<std::string, double> cpu;  // process name -> cores used (1.0 = one core busy)
  double machine_busy = 0;            // cores busy, all processes
  double machine_iowait = 0;          // cores idle while a disk request was pending
  double elapsed = 0;
  std::size_t unfinished = 0;  // sends still running when the drain ended
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sotto-loadgen: offered load against a sotto network, open loop"};
  std::string devnet_dir, json_out, rates_text = "5,10,20,40,80";
  int accounts = 20, workers = 32;
  double duration = 10, drain = 10;
  app.add_option("--devnet", devnet_dir, "a devnet's directory (its network.json and devnet.json)")->required();
  app.add_option("--accounts", accounts, "simulated accounts (default 20)")->check(CLI::Range(2, 1000));
  app.add_option("--rates", rates_text, "offered loads in messages/s, in order (default 5,10,20,40,80)");
  app.add_option("--duration", duration, "seconds of load per rate (default 10)")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--drain", drain, "seconds to wait for deliveries after a step's last message is due (default 10)")
      ->check(CLI::Range(1.0, 600.0));
  app.add_option("--workers", workers, "sends in flight at most (default 32)")->check(CLI::Range(1, 1000));
  app.add_option("--json", json_out, "also write the results here as JSON");
  double idle_s = 0;
  app.add_option("--idle", idle_s, "first measure the CPU the network uses with no load, for this many seconds")->check(CLI::Range(0.0, 600.0));
  CLI11_PARSE(app, argc, argv);

  std::vector<double> rates;
  {
    std::istringstream in(rates_text);
    std::string r;
    while (std::getline(in, r, ',')) {
      char* end = nullptr;
      double v = std::strtod(r.c_str(), &end);
      if (r.empty() || *end != '\0' || !(v > 0) || v > 100'000) return fail("--rates must be positive numbers of messages/s, e.g. 5,10,20");
      rates.push_back(v);
    }
    if (rates.empty()) return fail("--rates names no rate");
  }
  fs::path dir(devnet_dir);
  std::string network_json = read_file(dir / "network.json");
  json devnet = json::parse(read_file(dir / "devnet.json"), nullptr, false);
  if (network_json.empty() || devnet.is_discarded() || !devnet.is_object()) return fail(devnet_dir + " holds no running devnet (network.json, devnet.json)");
  std::vector<Proc> procs{{"loadgen", "sotto-loadgen", static_cast<int>(::getpid())}};
  for (const char* role : {"nodes", "authorities"})
    if (devnet.contains(role) && devnet[role].is_array())
      for (const auto& p : devnet[role])
        if (p.is_object() && p.contains("pid") && p["pid"].is_number_integer())
          procs.push_back({role, p.value("name", "?"), p["pid"].get<int>()});

  // The network's own background work (consensus, gossip, sweeps), before any account exists.
  std::map<std::string, double> idle_cores;  // role -> cores
  if (idle_s > 0) {
    std::map<int, double> c0;
    for (const auto& p : procs)
      if (auto c = cpu_seconds(p.pid)) c0[p.pid] = *c;
    std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
    for (const auto& p : procs)
      if (auto c = cpu_seconds(p.pid); c && c0.count(p.pid)) idle_cores[p.role] += (*c - c0[p.pid]) / idle_s;
  }
  std::vector<long> rss_before;
  for (const auto& p : procs)
    if (p.role == "nodes") rss_before.push_back(rss_kb(p.pid));

  // The accounts, each with its own keys, profile, paths and listener.
  char tmpl[] = "/tmp/sotto-loadgen-XXXXXX";
  if (!::mkdtemp(tmpl)) return fail("cannot make a temporary directory");
  fs::path tmp(tmpl);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{tmp};
  std::vector<std::unique_ptr<Account>> people;
  auto setup_start = Clock::now();
  try {
    for (int i = 0; i < accounts; ++i) people.push_back(std::make_unique<Account>(tmp / ("a" + std::to_string(i)), network_json));
  } catch (const std::exception& e) {
    return fail(std::string("setting up the accounts: ") + e.what());
  }
  std::fprintf(stderr, "sotto-loadgen: %d accounts ready in %.1f s\n", accounts,
               std::chrono::duration<double>(Clock::now() - setup_start).count());
  std::map<std::string, int> index_of;  // account hex -> index
  for (int i = 0; i < accounts; ++i) index_of[people[static_cast<std::size_t>(i)]->id.hex()] = i;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Sample> samples;  // by message number; a deque keeps references stable
  std::atomic<bool> stop{false};  // the listeners
  bool stop_workers = false;      // under mu
  std::atomic<long> receive_errors{0}, strangers{0}, warmed{0};

  // Listeners: every account waits on its own swarm; a body is "lg <n>".
  std::vector<std::thread> listeners;
  for (auto& who : people) {
    listeners.emplace_back([&, a = who.get()] {
      while (!stop) {
        auto r = a->listener->receive(2);
        auto now = Clock::now();
        if (!r) {
          ++receive_errors;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        std::lock_guard lock(mu);
        for (const auto& m : *r) {
          if (m.body.rfind("lg-warm ", 0) == 0) {
            ++warmed;
            continue;
          }
          std::size_t n = 0;
          if (std::sscanf(m.body.c_str(), "lg %zu", &n) != 1 || n >= samples.size()) {
            ++strangers;
            continue;
          }
          Sample& s = samples[n];
          if (!s.delivered) s.delivered = now;
          ++s.arrivals;
        }
        cv.notify_all();
      }
    });
  }

  // Workers: take the due messages in order and send each from its account.
  std::deque<std::size_t> queue;
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      for (;;) {
        std::size_t n = 0;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return stop_workers || !queue.empty(); });
          if (queue.empty()) return;
          n = queue.front();
          queue.pop_front();
        }
        Account& from = *people[n % people.size()];
        std::size_t hop = 1 + (n / people.size()) % (people.size() - 1);  // every pair in turn
        Account& to = *people[(n + hop) % people.size()];
        std::string failure;
        bool confirmed = false;
        {
          std::lock_guard sending(from.sending);
          auto r = from.sender->send(to.id, "lg " + std::to_string(n));
          if (!r) failure = failure_key(r.error());
          else if (r->confirmations == 0) failure = "no receipt";
          else confirmed = true;
        }
        std::lock_guard lock(mu);
        samples[n].confirmed = confirmed;
        if (confirmed) samples[n].confirmed_at = Clock::now();
        samples[n].failure = failure;
        cv.notify_all();
      }
    });
  }

  // Warm-up, not measured: every account sends one message to the next, so every sender
  // has built its paths and every listener waits, as in a messenger that has been running.
  {
    std::vector<std::thread> warm;
    std::atomic<int> warm_failures{0};
    for (std::size_t i = 0; i < people.size(); ++i)
      warm.emplace_back([&, i] {
        Account& from = *people[i];
        std::lock_guard sending(from.sending);
        if (!from.sender->send(people[(i + 1) % people.size()]->id, "lg-warm " + std::to_string(i))) ++warm_failures;
      });
    for (auto& t : warm) t.join();
    auto until = Clock::now() + std::chrono::seconds(30);
    while (warmed < static_cast<long>(people.size()) - warm_failures && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::fprintf(stderr, "sotto-loadgen: warm-up: %ld of %zu messages delivered, %d sends failed\n", warmed.load(), people.size(),
                 warm_failures.load());
  }

  std::vector<Step> steps;
  for (double rate : rates) {
    Step st;
    st.rate = rate;
    st.duration = duration;
    auto count = static_cast<std::size_t>(std::llround(rate * duration));
    if (count < 2 || count > 10'000'000) {
      std::fprintf(stderr, "sotto-loadgen: %.1f messages/s for %.0f s is %zu messages: give 2 to 10,000,000\n", rate, duration, count);
      return 1;
    }
    std::map<int, double> cpu0;
    auto w0 = Clock::now();
    for (const auto& p : procs)
      if (auto c = cpu_seconds(p.pid)) cpu0[p.pid] = *c;
    auto m0 = machine_cpu();
    {
      std::lock_guard lock(mu);
      st.first = samples.size();
      st.count = count;
      st.t0 = Clock::now() + std::chrono::milliseconds(50);
      for (std::size_t i = 0; i < count; ++i) {
        Sample s;
        s.due = st.t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(static_cast<double>(i) / rate));
        samples.push_back(s);
      }
    }
    std::fprintf(stderr, "sotto-loadgen: %.1f messages/s for %.0f s (%zu messages)\n", rate, duration, count);
    for (std::size_t i = 0; i < count; ++i) {
      std::this_thread::sleep_until(samples[st.first + i].due);
      std::lock_guard lock(mu);
      queue.push_back(st.first + i);
      cv.notify_all();
    }
    // The step's CPU figures cover the offered load (from the first reading to the last,
    // after the last message was due), not the drain.
    std::this_thread::sleep_until(samples[st.first + count - 1].due + (samples[st.first + 1].due - samples[st.first].due));
    for (const auto& p : procs)
      if (auto c = cpu_seconds(p.pid); c && cpu0.count(p.pid)) st.cpu[p.name] = *c - cpu0[p.pid];
    auto m1 = machine_cpu();
    st.elapsed = std::chrono::duration<double>(Clock::now() - w0).count();
    for (auto& [name, used] : st.cpu) used /= st.elapsed;
    double cores = static_cast<double>(std::thread::hardware_concurrency());
    if (m1.total > m0.total) {
      st.machine_busy = (m1.busy - m0.busy) / (m1.total - m0.total) * cores;
      st.machine_iowait = (m1.iowait - m0.iowait) / (m1.total - m0.total) * cores;
    }
    // Drain: until every confirmed message arrived and every send finished, or time is up.
    std::unique_lock lock(mu);
    cv.wait_until(lock, Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(drain)), [&] {
      if (!queue.empty()) return false;
      for (std::size_t i = st.first; i < st.first + st.count; ++i) {
        const Sample& s = samples[i];
        bool sent = s.confirmed || !s.failure.empty();
        if (!sent || (s.confirmed && !s.delivered)) return false;
      }
      return true;
    });
    // Messages still queued after the drain were never offered to the network: the
    // generator drops them (counted as failed: "queued past the drain") rather than carry
    // them into the next step.
    for (std::size_t n : queue) samples[n].failure = "queued past the drain (never sent)";
    queue.clear();
    st.end = Clock::now();
    for (std::size_t i = st.first; i < st.first + st.count; ++i)
      if (!samples[i].confirmed && samples[i].failure.empty()) ++st.unfinished;
    steps.push_back(st);
    std::size_t delivered = 0;
    for (std::size_t i = st.first; i < st.first + st.count; ++i)
      if (samples[i].delivered) ++delivered;
    if (delivered * 2 < st.count) {
      std::fprintf(stderr, "sotto-loadgen: under half of the messages were delivered at %.1f/s: past saturation, higher rates skipped\n", rate);
      break;
    }
  }
  {
    std::lock_guard lock(mu);
    stop_workers = true;  // the queue is empty: each worker ends after the send it is in
    cv.notify_all();
  }
  for (auto& t : pool) t.join();
  {
    // A last wait, while the listeners still listen, for confirmed messages that did not
    // arrive within their step's drain: they arrive late, or never (lost).
    std::unique_lock lock(mu);
    cv.wait_until(lock, Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(drain)), [&] {
      for (const auto& smp : samples)
        if (smp.confirmed && !smp.delivered) return false;
      return true;
    });
  }
  stop = true;
  for (auto& t : listeners) t.join();

  // The report.
  json out{{"accounts", accounts}, {"workers", workers}, {"duration_s", duration}, {"drain_s", drain},
           {"nodes", static_cast<int>(devnet.value("nodes", json::array()).size())}, {"steps", json::array()}};
  std::printf("sotto-loadgen: %d accounts on %zu nodes, open loop, %.0f s per rate; latency from when a message was due\n"
              "to when its recipient's listener held it (3-hop paths both ways). CPU in cores (2 = this whole machine).\n\n",
              accounts, devnet.value("nodes", json::array()).size(), duration);
  std::printf("%8s %6s %6s %6s %6s %6s %5s %9s %8s %8s %8s %8s  %s\n", "offered", "sent", "conf", "failed", "deliv", "lost", "dup",
              "deliv/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "CPU: machine (iowait), generator, nodes (busiest)");
  for (const auto& st : steps) {
    std::vector<double> lat;
    std::size_t confirmed = 0, failed = 0, delivered = 0, on_time = 0, late = 0, lost = 0, dup = 0;
    std::map<std::string, int> why;
    Clock::time_point last = st.t0, last_confirmed = st.t0;
    for (std::size_t i = st.first; i < st.first + st.count; ++i) {
      const Sample& s = samples[i];
      if (s.confirmed) ++confirmed, last_confirmed = std::max(last_confirmed, *s.confirmed_at);
      else if (!s.failure.empty()) ++failed, ++why[s.failure];
      if (s.delivered) {
        ++delivered;
        if (*s.delivered > st.end) ++late;
        else ++on_time, last = std::max(last, *s.delivered);
        lat.push_back(std::chrono::duration<double, std::milli>(*s.delivered - s.due).count());
      } else if (s.confirmed) {
        ++lost;
      }
      if (s.arrivals > 1) dup += static_cast<std::size_t>(s.arrivals - 1);
    }
    std::sort(lat.begin(), lat.end());
    double p50 = percentile(lat, 0.5), p90 = percentile(lat, 0.9), p99 = percentile(lat, 0.99), pmax = percentile(lat, 1.0);
    double span = std::chrono::duration<double>(last - st.t0).count();
    // Delivered per second: the deliveries within the step (and its drain) over the time
    // they took, at least the step's length; late ones are counted apart.
    double goodput = span > 0 ? static_cast<double>(on_time) / std::max(span, st.duration) : 0;
    // Stores the swarms confirmed per second: the network's store throughput at this load.
    double stores = static_cast<double>(confirmed) / std::max(std::chrono::duration<double>(last_confirmed - st.t0).count(), st.duration);
    double nodes_cpu = 0, busiest = 0;
    std::string busiest_name;
    json cpu = json::object();
    for (const auto& p : procs) {
      auto it = st.cpu.find(p.name);
      if (it == st.cpu.end()) continue;
      cpu[p.name] = it->second;
      if (p.role == "nodes") {
        nodes_cpu += it->second;
        if (it->second > busiest) busiest = it->second, busiest_name = p.name;
      }
    }
    double gen = st.cpu.count("sotto-loadgen") ? st.cpu.at("sotto-loadgen") : 0;
    std::printf("%8.1f %6zu %6zu %6zu %6zu %6zu %5zu %9.1f %8.1f %8.1f %8.1f %8.1f  %.2f (%.2f), %.2f, %.2f (%s %.2f)\n", st.rate, st.count,
                confirmed, failed, delivered, lost, dup, goodput, p50, p90, p99, pmax, st.machine_busy, st.machine_iowait, gen, nodes_cpu, busiest_name.c_str(), busiest);
    for (const auto& [w, n] : why) std::printf("%8s   failed %d: %s\n", "", n, w.c_str());
    if (st.unfinished) std::printf("%8s   %zu sends still running when the drain ended\n", "", st.unfinished);
    if (late) std::printf("%8s   %zu delivered after the step's drain (late, not lost)\n", "", late);
    json cdf = json::array();
    for (int p = 0; p <= 100; ++p) cdf.push_back(percentile(lat, p / 100.0));
    out["steps"].push_back({{"offered_per_s", st.rate},
                            {"sent", st.count},
                            {"confirmed", confirmed},
                            {"failed", failed},
                            {"failures", why},
                            {"unfinished", st.unfinished},
                            {"delivered", delivered},
                            {"late", late},
                            {"lost", lost},
                            {"duplicates", dup},
                            {"delivered_per_s", goodput},
                            {"confirmed_per_s", stores},
                            {"latency_ms", {{"p50", p50}, {"p90", p90}, {"p99", p99}, {"max", pmax}, {"percentiles", cdf}}},
                            {"cpu_cores", {{"machine", st.machine_busy}, {"iowait", st.machine_iowait}, {"generator", gen}, {"nodes", nodes_cpu}, {"busiest_node", busiest_name},
                                           {"busiest_node_cores", busiest}, {"by_process", cpu}}}});
  }
  long rss = 0, rss_max = 0;
  int alive = 0;
  for (const auto& p : procs)
    if (p.role == "nodes")
      if (long r = rss_kb(p.pid); r > 0) rss += r, ++alive, rss_max = std::max(rss_max, r);
  long before = 0;
  for (long r : rss_before) before += r;
  out["node_rss_kb_mean"] = alive ? rss / alive : 0;
  out["node_rss_kb_max"] = rss_max;
  out["node_rss_kb_mean_before"] = rss_before.empty() ? 0 : before / static_cast<long>(rss_before.size());
  if (idle_s > 0) {
    out["idle_cores"] = idle_cores;
    std::printf("with no load (%.0f s before the accounts existed): nodes used %.2f cores, authorities %.2f\n", idle_s, idle_cores["nodes"],
                idle_cores["authorities"]);
  }
  out["receive_errors"] = receive_errors.load();
  out["strangers"] = strangers.load();
  std::printf("\nnodes' resident memory: %.1f MB each on average before the load, %.1f MB after (%d nodes, largest %.1f MB); "
              "listener errors (retried): %ld\n",
              rss_before.empty() ? 0.0 : static_cast<double>(before) / static_cast<double>(rss_before.size()) / 1024,
              alive ? static_cast<double>(rss) / alive / 1024 : 0.0, alive, static_cast<double>(rss_max) / 1024, receive_errors.load());
  if (!json_out.empty()) {
    std::ofstream f(json_out);
    f << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    if (!f) return fail("cannot write " + json_out);
  }
  return 0;
}
