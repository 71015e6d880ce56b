// An authority's epoch schedule and its reachability tests (docs/authority.md).

#include <chrono>
#include <thread>
#include <vector>

#include "base/log.hpp"
#include "base/rng.hpp"
#include "daemon/authority_parts.hpp"
#include "net/client.hpp"

namespace sotto::daemon {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool Sleeper::until(std::int64_t t_ms) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stop_) return false;
    std::int64_t left = t_ms - wall_ms();
    if (left <= 0) return true;
    cv_.wait_for(lock, std::chrono::milliseconds(left));
  }
}

void Sleeper::stop() {
  std::lock_guard lock(mu_);
  stop_ = true;
  cv_.notify_all();
}

namespace {

Result<net::HttpResponse> post(const AuthorityDaemon::Parts& p, const net::HostPort& at, const std::string& target, const std::string& body) {
  net::HttpClient c(at.host, at.port, true, p.call_timeout);
  return c.post(target, body);
}

Result<net::HttpResponse> get(const AuthorityDaemon::Parts& p, const net::HostPort& at, const std::string& target) {
  net::HttpClient c(at.host, at.port, true, p.call_timeout);
  return c.get(target);
}

// This authority's vote for epoch `e`, pushed to the others. One up for less than two
// epochs has not tested anyone yet: it abstains rather than vote every node down.
void vote(AuthorityDaemon::Parts& p, std::int64_t e) {
  if (wall_ms() - p.started_ms < 2 * p.net.epoch_seconds * 1000) return;
  std::string v;
  {
    std::lock_guard lock(p.mu);
    v = directory::to_json(p.engine->vote(e, wall_ms()));
  }
  for (const auto& o : p.others)
    if (auto r = post(p, o.at, "/directory/v1/vote", v); !r || r->status != 200)
      log::debug("vote_push_failed", {log::kv("to", base::Plain(o.key.hex().substr(0, 16)))});
}

// The votes of the others that did not arrive, pulled from their authors.
void pull_votes(AuthorityDaemon::Parts& p, std::int64_t e) {
  for (const auto& o : p.others) {
    {
      std::lock_guard lock(p.mu);
      if (p.engine->vote_json(e, o.key)) continue;
    }
    auto r = get(p, o.at, "/directory/v1/vote/" + std::to_string(e) + "/" + o.key.hex());
    if (r && r->status == 200) {
      std::lock_guard lock(p.mu);
      (void)p.engine->receive_vote(r->body, e);
    }
  }
}

// Missed an epoch (or just started)? The newest consensus the others hold first, so that
// this authority's document chains on the same one as theirs; then its signature for `e`,
// pushed to the others. False when there is no consensus to sign.
bool sign(AuthorityDaemon::Parts& p, std::int64_t e) {
  bool behind;
  {
    std::lock_guard lock(p.mu);
    behind = !p.engine->current() || p.engine->current()->epoch < e - 1;
  }
  if (behind)
    for (const auto& o : p.others)
      if (auto r = get(p, o.at, "/directory/v1/consensus"); r && r->status == 200) {
        std::lock_guard lock(p.mu);
        if (p.engine->adopt(r->body, wall_ms() / 1000)) log::info("consensus_adopted", {log::kv("epoch", p.engine->current()->epoch)});
      }
  Result<directory::ConsensusSignature> sig = Error(directory::Errc::NoConsensus, "");
  {
    std::lock_guard lock(p.mu);
    sig = p.engine->sign(e);
  }
  if (!sig) {
    log::warn("no_consensus", {log::kv("epoch", e), log::kv("reason", base::Plain(sig.error().detail()))});
    return false;
  }
  std::string body = directory::to_json(*sig);
  for (const auto& o : p.others) (void)post(p, o.at, "/directory/v1/signature", body);
  return true;
}

void pull_signatures(AuthorityDaemon::Parts& p, std::int64_t e) {
  for (const auto& o : p.others) {
    auto r = get(p, o.at, "/directory/v1/signature/" + std::to_string(e));
    if (r && r->status == 200) {
      std::lock_guard lock(p.mu);
      (void)p.engine->receive_signature(r->body);
    }
  }
  std::lock_guard lock(p.mu);
  if (p.engine->current() && p.engine->current()->epoch == e)
    log::info("consensus", {log::kv("epoch", e), log::kv("nodes", p.engine->current()->nodes.size()),
                            log::kv("swarms", p.engine->current()->swarm_ids().size())});
  else
    log::warn("consensus_unsigned", {log::kv("epoch", e)});
}

// One node's test: its /ping_test/v1 must answer with its own key and a signature over a
// fresh nonce.
bool ping(const AuthorityDaemon::Parts& p, const directory::Descriptor& n, base::Rng& rng) {
  Bytes raw(24);
  rng.fill(raw);
  std::string nonce = base::to_hex(raw);
  net::HttpClient c(n.ip, n.port_https, true, p.call_timeout);
  auto r = c.post("/ping_test/v1", nonce);
  if (!r || r->status != 200) return false;
  std::string key, sig;
  for (const auto& [k, val] : r->headers) {
    if (k == "X-Oxen-Snode-Pubkey") key = val;
    if (k == "X-Sotto-Ping-Signature") sig = val;
  }
  auto s = base::from_base64(sig);
  if (key != base::to_base64(n.ed25519.bytes) || !s || s->size() != 64) return false;
  crypto::Signature signature{};
  std::copy(s->begin(), s->end(), signature.begin());
  return crypto::verify(signature, as_bytes("sotto-ping-test-v1:" + nonce), n.ed25519);
}

}  // namespace

// The epoch schedule [DN §1]: vote at valid_after - (V + D), pull missing votes at
// valid_after - D - V/2, sign at valid_after - D, pull missing signatures at
// valid_after - D/2; V = D = epoch / 8.
void run_schedule(AuthorityDaemon::Parts& p) {
  const std::int64_t epoch_ms = p.net.epoch_seconds * 1000, genesis_ms = p.net.genesis * 1000;
  const std::int64_t v = epoch_ms / 8, d = epoch_ms / 8;
  for (std::int64_t e = std::max<std::int64_t>(0, p.epoch_at(wall_ms()) + 1);; ++e) {
    const std::int64_t va = genesis_ms + e * epoch_ms;
    if (!p.sleeper.until(va - v - d)) return;
    vote(p, e);
    if (!p.sleeper.until(va - d - v / 2)) return;
    pull_votes(p, e);
    if (!p.sleeper.until(va - d)) return;
    if (!sign(p, e)) continue;
    if (!p.sleeper.until(va - d / 2)) return;
    pull_signatures(p, e);
  }
}

// Each registered node is tested once an epoch, sooner then less often while it fails
// (the engine's schedule: Authority::tested / due_for_test); new nodes at once. Tests run
// kParallelTests at a time, and the engine picks the next ones anew after each round:
// thousands of unreachable registrations (each test up to call_timeout) cannot make an
// honest node wait for a pass through all of them.
constexpr std::size_t kParallelTests = 16;

void run_tests(AuthorityDaemon::Parts& p) {
  const std::int64_t tick = std::clamp<std::int64_t>(p.net.epoch_seconds * 100, 100, 1000);
  for (;;) {
    std::vector<directory::Descriptor> nodes;
    {
      std::lock_guard lock(p.mu);
      nodes = p.engine->due_for_test(wall_ms(), kParallelTests);
    }
    std::vector<std::thread> testers;
    testers.reserve(nodes.size());
    for (const auto& n : nodes)
      testers.emplace_back([&p, &n] {
        base::SystemRng rng;
        bool passed = ping(p, n, rng);
        std::lock_guard lock(p.mu);
        p.engine->tested(n.ed25519, n.ip, n.port_https, passed, wall_ms());
      });
    for (auto& t : testers) t.join();
    // More may be due when the round was full: no pause then (until() returns at once,
    // or false when the authority stops).
    if (!p.sleeper.until(nodes.size() == kParallelTests ? wall_ms() : wall_ms() + tick)) return;
  }
}

}  // namespace sotto::daemon
