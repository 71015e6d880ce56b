// sotto-loadgen's run: the accounts, their listeners, the workers that send what is due,
// and the steps of offered load, open loop (main.cpp).

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "api/https_transport.hpp"
#include "base/clock.hpp"
#include "base/rng.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "client/profile.hpp"
#include "loadgen/loadgen.hpp"

namespace sotto::loadgen {

namespace {

namespace fs = std::filesystem;

Clock::duration seconds(double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); }

// What a failed send is counted under: the error's token, and for a refusal the first HTTP
// status its message names (the rest of the message is the node's text: not a key).
std::string failure_key(const Error& e) {
  std::string key = e.token();
  if (e.is(client::Errc::Refused)) {
    std::string m = e.message();
    auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(m[i])) != 0; };
    for (std::size_t i = 0; i + 3 <= m.size(); ++i)
      if (m[i] >= '1' && m[i] <= '5' && digit(i + 1) && digit(i + 2) && (i == 0 || !digit(i - 1)) && (i + 3 == m.size() || !digit(i + 3)))
        return key + " " + m.substr(i, 3);
  }
  return key;
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

// A temporary directory, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/sotto-loadgen-XXXXXX";
    if (::mkdtemp(tmpl)) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

class Run {
 public:
  Run(const Options& o, Results& r) : o_(o), r_(r) {}

  bool go() {
    measure_idle();
    if (!make_accounts()) return false;
    start_listeners();
    start_workers();
    warm_up();
    for (double rate : o_.rates)
      if (!step(rate)) break;
    finish();
    return true;
  }

 private:
  // The network's own background work (consensus, gossip, sweeps), before any account exists.
  void measure_idle() {
    if (o_.idle_s > 0) {
      std::map<int, double> c0;
      for (const auto& p : r_.procs)
        if (auto c = cpu_seconds(p.pid)) c0[p.pid] = *c;
      std::this_thread::sleep_for(std::chrono::duration<double>(o_.idle_s));
      for (const auto& p : r_.procs)
        if (auto c = cpu_seconds(p.pid); c && c0.count(p.pid)) r_.idle_cores[p.role] += (*c - c0[p.pid]) / o_.idle_s;
    }
    for (const auto& p : r_.procs)
      if (p.role == "nodes") r_.rss_before.push_back(rss_kb(p.pid));
  }

  // The accounts, each with its own keys, profile, paths and listener.
  bool make_accounts() {
    if (tmp_.path.empty()) {
      std::fprintf(stderr, "sotto-loadgen: cannot make a temporary directory\n");
      return false;
    }
    auto start = Clock::now();
    try {
      for (int i = 0; i < o_.accounts; ++i) people_.push_back(std::make_unique<Account>(tmp_.path / ("a" + std::to_string(i)), o_.network_json));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sotto-loadgen: setting up the accounts: %s\n", e.what());
      return false;
    }
    std::fprintf(stderr, "sotto-loadgen: %d accounts ready in %.1f s\n", o_.accounts, std::chrono::duration<double>(Clock::now() - start).count());
    return true;
  }

  // Listeners: every account waits on its own swarm; a body is "lg <n>".
  void start_listeners() {
    for (auto& who : people_) listeners_.emplace_back([this, a = who.get()] { listen(*a); });
  }
  void listen(Account& a) {
    while (!stop_) {
      auto r = a.listener->receive(2);
      auto now = Clock::now();
      if (!r) {
        ++receive_errors_;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      std::lock_guard lock(mu_);
      for (const auto& m : *r) {
        if (m.body.rfind("lg-warm ", 0) == 0) {
          ++warmed_;
          continue;
        }
        std::size_t n = 0;
        if (std::sscanf(m.body.c_str(), "lg %zu", &n) != 1 || n >= r_.samples.size()) {
          ++strangers_;
          continue;
        }
        Sample& s = r_.samples[n];
        if (!s.delivered) s.delivered = now;
        ++s.arrivals;
      }
      cv_.notify_all();
    }
  }

  // Workers: take the due messages in order and send each from its account.
  void start_workers() {
    for (int w = 0; w < o_.workers; ++w) pool_.emplace_back([this] { work(); });
  }
  void work() {
    for (;;) {
      std::size_t n = 0;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_workers_ || !queue_.empty(); });
        if (queue_.empty()) return;
        n = queue_.front();
        queue_.pop_front();
      }
      Account& from = *people_[n % people_.size()];
      std::size_t hop = 1 + (n / people_.size()) % (people_.size() - 1);  // every pair in turn
      Account& to = *people_[(n + hop) % people_.size()];
      std::string failure;
      bool confirmed = false;
      {
        std::lock_guard sending(from.sending);
        auto r = from.sender->send(to.id, "lg " + std::to_string(n));
        if (!r) failure = failure_key(r.error());
        else if (r->confirmations == 0) failure = "no receipt";
        else confirmed = true;
      }
      std::lock_guard lock(mu_);
      r_.samples[n].confirmed = confirmed;
      if (confirmed) r_.samples[n].confirmed_at = Clock::now();
      r_.samples[n].failure = failure;
      cv_.notify_all();
    }
  }

  // Warm-up, not measured: every account sends one message to the next, so every sender
  // has built its paths and every listener waits, as in a messenger that has been running.
  void warm_up() {
    std::vector<std::thread> warm;
    std::atomic<int> failures{0};
    for (std::size_t i = 0; i < people_.size(); ++i)
      warm.emplace_back([&, i] {
        Account& from = *people_[i];
        std::lock_guard sending(from.sending);
        if (!from.sender->send(people_[(i + 1) % people_.size()]->id, "lg-warm " + std::to_string(i))) ++failures;
      });
    for (auto& t : warm) t.join();
    auto until = Clock::now() + std::chrono::seconds(30);
    while (warmed_ < static_cast<long>(people_.size()) - failures && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::fprintf(stderr, "sotto-loadgen: warm-up: %ld of %zu messages delivered, %d sends failed\n", warmed_.load(), people_.size(), failures.load());
  }

  // One rate: the messages due, offered on time; the CPU used while they were; the drain.
  // False when under half arrived (past saturation: higher rates are skipped).
  bool step(double rate) {
    Step st;
    st.rate = rate;
    st.duration = o_.duration;
    st.count = static_cast<std::size_t>(std::llround(rate * o_.duration));  // checked by main
    std::map<int, double> cpu0;
    auto w0 = Clock::now();
    for (const auto& p : r_.procs)
      if (auto c = cpu_seconds(p.pid)) cpu0[p.pid] = *c;
    auto m0 = machine_cpu();
    schedule(st);
    std::fprintf(stderr, "sotto-loadgen: %.1f messages/s for %.0f s (%zu messages)\n", rate, o_.duration, st.count);
    for (std::size_t i = 0; i < st.count; ++i) {
      std::this_thread::sleep_until(r_.samples[st.first + i].due);
      std::lock_guard lock(mu_);
      queue_.push_back(st.first + i);
      cv_.notify_all();
    }
    // The step's CPU figures cover the offered load (from the first reading to the last,
    // after the last message was due), not the drain.
    std::this_thread::sleep_until(r_.samples[st.first + st.count - 1].due + (r_.samples[st.first + 1].due - r_.samples[st.first].due));
    for (const auto& p : r_.procs)
      if (auto c = cpu_seconds(p.pid); c && cpu0.count(p.pid)) st.cpu[p.name] = *c - cpu0[p.pid];
    auto m1 = machine_cpu();
    st.elapsed = std::chrono::duration<double>(Clock::now() - w0).count();
    for (auto& [name, used] : st.cpu) used /= st.elapsed;
    double cores = static_cast<double>(std::thread::hardware_concurrency());
    if (m1.total > m0.total) {
      st.machine_busy = (m1.busy - m0.busy) / (m1.total - m0.total) * cores;
      st.machine_iowait = (m1.iowait - m0.iowait) / (m1.total - m0.total) * cores;
    }
    std::size_t delivered = drain(st);
    r_.steps.push_back(st);
    if (delivered * 2 < st.count) {
      std::fprintf(stderr, "sotto-loadgen: under half of the messages were delivered at %.1f/s: past saturation, higher rates skipped\n", rate);
      return false;
    }
    return true;
  }

  // The step's samples, each with its due time.
  void schedule(Step& st) {
    std::lock_guard lock(mu_);
    st.first = r_.samples.size();
    st.t0 = Clock::now() + std::chrono::milliseconds(50);
    for (std::size_t i = 0; i < st.count; ++i) {
      Sample s;
      s.due = st.t0 + seconds(static_cast<double>(i) / st.rate);
      r_.samples.push_back(s);
    }
  }

  // Waits until every confirmed message of the step arrived and every send finished, or
  // the drain is up. Returns how many were delivered.
  std::size_t drain(Step& st) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, Clock::now() + seconds(o_.drain), [&] {
      if (!queue_.empty()) return false;
      for (std::size_t i = st.first; i < st.first + st.count; ++i) {
        const Sample& s = r_.samples[i];
        bool sent = s.confirmed || !s.failure.empty();
        if (!sent || (s.confirmed && !s.delivered)) return false;
      }
      return true;
    });
    // Messages still queued after the drain were never offered to the network: the
    // generator drops them (counted as failed: "queued past the drain") rather than carry
    // them into the next step.
    for (std::size_t n : queue_) r_.samples[n].failure = "queued past the drain (never sent)";
    queue_.clear();
    st.end = Clock::now();
    std::size_t delivered = 0;
    for (std::size_t i = st.first; i < st.first + st.count; ++i) {
      if (!r_.samples[i].confirmed && r_.samples[i].failure.empty()) ++st.unfinished;
      if (r_.samples[i].delivered) ++delivered;
    }
    return delivered;
  }

  // The workers end; a last wait, while the listeners still listen, for confirmed messages
  // that did not arrive within their step's drain: they arrive late, or never (lost).
  void finish() {
    {
      std::lock_guard lock(mu_);
      stop_workers_ = true;  // the queue is empty: each worker ends after the send it is in
      cv_.notify_all();
    }
    for (auto& t : pool_) t.join();
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, Clock::now() + seconds(o_.drain), [&] {
        for (const auto& smp : r_.samples)
          if (smp.confirmed && !smp.delivered) return false;
        return true;
      });
    }
    stop_ = true;
    for (auto& t : listeners_) t.join();
    r_.receive_errors = receive_errors_.load();
    r_.strangers = strangers_.load();
  }

  const Options& o_;
  Results& r_;
  TempDir tmp_;
  std::vector<std::unique_ptr<Account>> people_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::size_t> queue_;  // due message numbers, under mu_
  bool stop_workers_ = false;      // under mu_
  std::atomic<bool> stop_{false};  // the listeners
  std::atomic<long> receive_errors_{0}, strangers_{0}, warmed_{0};
  std::vector<std::thread> listeners_, pool_;
};

}  // namespace

bool run(const Options& options, Results& results) { return Run(options, results).go(); }

}  // namespace sotto::loadgen
