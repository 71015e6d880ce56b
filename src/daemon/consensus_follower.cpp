#include "daemon/consensus_follower.hpp"

#include <algorithm>
#include <chrono>

#include "base/log.hpp"
#include "net/address.hpp"
#include "net/client.hpp"
#include "net/errc.hpp"

namespace sotto::daemon {

ConsensusFollower::ConsensusFollower(directory::Network net, const crypto::Keypair& keys, std::string announced_ip, Events events)
    : net_(std::move(net)), keys_(keys), ip_(std::move(announced_ip)), events_(std::move(events)), swarm_(keys.ed25519_public()), holder_(net_) {}

ConsensusFollower::~ConsensusFollower() { stop(); }

std::int64_t ConsensusFollower::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t ConsensusFollower::clock_epoch() const { return (now_ms() / 1000 - net_.genesis) / net_.epoch_seconds; }

void ConsensusFollower::start(std::uint16_t port) {
  port_ = port;
  thread_ = std::thread([this] { run(); });
}

void ConsensusFollower::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string ConsensusFollower::consensus_json() const {
  std::lock_guard lock(mu_);
  return holder_.current_json();
}

bool ConsensusFollower::is_node_ip(const std::string& ip) const {
  std::lock_guard lock(mu_);
  const auto* c = holder_.current();
  return c && std::any_of(c->nodes.begin(), c->nodes.end(), [&](const directory::ConsensusNode& n) { return n.ip == ip; });
}

bool ConsensusFollower::is_network_ip(const std::string& ip) const {
  for (const auto& a : net_.authorities)
    if (auto at = net::parse_https_url(a.url); at && at->host == ip) return true;
  return is_node_ip(ip);
}

std::optional<node::NodeAddress> ConsensusFollower::find_node(const crypto::Ed25519Public& node) const {
  std::lock_guard lock(mu_);
  const auto* c = holder_.current();
  if (!c) return std::nullopt;
  auto it = std::find_if(c->nodes.begin(), c->nodes.end(), [&](const directory::ConsensusNode& n) { return n.ed25519 == node; });
  if (it == c->nodes.end()) return std::nullopt;
  return node::NodeAddress{it->ed25519, it->x25519, it->ip, it->port_https};
}

bool ConsensusFollower::holds_or_held(const crypto::Ed25519Public& node, const ByteArray<33>& account) const {
  std::lock_guard lock(mu_);
  std::vector<const directory::Consensus*> held{holder_.current()};
  for (const auto& c : past_) held.push_back(&c);
  for (const directory::Consensus* c : held) {
    if (!c) continue;
    auto id = node::ConsensusSwarm::swarm_of(account, c->swarm_ids());
    for (const auto& n : c->nodes)
      if (n.ed25519 == node && id && n.swarm_id == *id) return true;
  }
  return false;
}

void ConsensusFollower::fetch_soon() {
  {
    std::lock_guard lock(mu_);
    fetch_now_ = true;
  }
  cv_.notify_all();
}

bool ConsensusFollower::wait_until(std::int64_t t) {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (fetch_now_) {
      fetch_now_ = false;
      lock.unlock();
      fetch_consensus();
      lock.lock();
      continue;
    }
    std::int64_t left = t - now_ms();
    if (left <= 0) return true;
    cv_.wait_for(lock, std::chrono::milliseconds(left));
  }
  return false;
}

// Each epoch: register at its middle (before the authorities vote), fetch the consensus
// just after it starts; on start, both at once.
void ConsensusFollower::run() {
  const std::int64_t epoch_ms = net_.epoch_seconds * 1000, genesis_ms = net_.genesis * 1000;
  register_now();
  fetch_consensus();
  std::optional<std::uint64_t> last_own = swarm_.own_swarm();
  std::int64_t sync_all_epoch = -1;
  for (std::int64_t e = std::max<std::int64_t>(0, (now_ms() - genesis_ms) / epoch_ms) + 1;; ++e) {
    std::int64_t va = genesis_ms + e * epoch_ms;
    if (!wait_until(va - epoch_ms / 2)) return;
    register_now();
    if (!wait_until(va + epoch_ms / 10)) return;
    if (!has_consensus()) register_now();
    fetch_consensus();
    // The worker's epoch: retries, then anti-entropy with one swarm peer in turn, or with
    // every peer in the epoch after this node joined a swarm (what the stayers' pushes
    // missed, e.g. a stayer that died).
    auto own = swarm_.own_swarm();
    if (own && own != last_own) sync_all_epoch = e + 1;
    last_own = own;
    events_.epoch(e == sync_all_epoch);
  }
}

void ConsensusFollower::register_now() {
  const auto timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(net_.epoch_seconds * 250, 300, 5000));
  directory::Descriptor d{net_.network_id, keys_.ed25519_public(), keys_.x25519_public(), ip_, port_, "0.1.0", now_ms()};
  std::string body = directory::to_json(directory::sign_descriptor(d, keys_.ed25519_secret()));
  for (const auto& a : net_.authorities) {
    auto at = net::parse_https_url(a.url);
    if (!at) continue;
    // From the announced address, which the authority checks against the descriptor's;
    // a node behind NAT whose announced address is not on this host connects from what
    // the system picks (and the authority says so, 403, if it differs).
    net::HttpClient c(at->host, at->port, true, timeout);
    c.set_local_ip(net::outbound_ip(ip_, at->host));
    auto r = c.post("/directory/v1/register", body);
    if (!r && r.error().is(net::Errc::BindFailed)) {
      c.set_local_ip("");
      r = c.post("/directory/v1/register", body);
    }
    if (!r || (r->status != 200 && r->status != 429))
      log::warn("register_failed", {log::kv("authority", base::Plain(a.url)),
                                    log::kv("reason", base::Plain(r ? std::to_string(r->status) + " " + r->body.substr(0, 200) : r.error().message()))});
  }
}

// From the authorities, then the seed nodes: the document proves itself.
void ConsensusFollower::fetch_consensus() {
  const auto timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(net_.epoch_seconds * 250, 300, 5000));
  std::vector<std::string> sources;
  for (const auto& a : net_.authorities) sources.push_back(a.url);
  for (const auto& s : net_.seed_nodes) sources.push_back(s.url);
  for (const auto& url : sources) {
    auto at = net::parse_https_url(url);
    if (!at) continue;
    net::HttpClient c(at->host, at->port, true, timeout);
    auto r = c.get("/directory/v1/consensus");
    if (!r || r->status != 200) continue;
    std::optional<directory::Consensus> before;
    Result<const directory::Consensus*> got = Error(directory::Errc::Malformed, "");
    {
      std::lock_guard lock(mu_);
      if (holder_.current()) before = *holder_.current();
      got = holder_.offer(r->body, now_ms() / 1000);
    }
    if (!got) {
      if (!got.error().is(directory::Errc::Replayed))  // the same one again is normal
        log::warn("consensus_refused", {log::kv("from", base::Plain(url)), log::kv("reason", base::Plain(got.error().detail()))});
      continue;
    }
    directory::Consensus now = **got;
    // A node that did not hold the consensus before this one (it just joined, or missed an
    // epoch) fetches it: the nodes that held an account's swarm then push it now, and are
    // taken only if a consensus this node knows says they held it.
    std::optional<directory::Consensus> previous = before;
    if (now.prev_epoch >= 0 && (!before || before->epoch != now.prev_epoch))
      if (auto prev = fetch_previous(now)) {
        std::lock_guard lock(mu_);
        if (before) past_.push_front(*before);
        previous = std::move(*prev);
      }
    {
      std::lock_guard lock(mu_);
      if (previous) past_.push_front(*previous);
      while (past_.size() > kPastConsensuses) past_.pop_back();
    }
    swarm_.update(now);
    log::info("consensus_accepted", {log::kv("epoch", now.epoch), log::kv("nodes", now.nodes.size()), log::kv("in_swarm", swarm_.own_swarm().has_value())});
    if (before && before->prev_digest.size() && now.prev_epoch == before->epoch && now.prev_digest != directory::digest_hex(*before))
      log::error("consensus_chain_broken", {log::kv("epoch", now.epoch)});
    events_.changed(before ? &*before : nullptr, now);
    return;
  }
}

std::optional<directory::Consensus> ConsensusFollower::fetch_previous(const directory::Consensus& now) {
  const auto timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(net_.epoch_seconds * 250, 300, 5000));
  for (const auto& a : net_.authorities) {
    auto at = net::parse_https_url(a.url);
    if (!at) continue;
    net::HttpClient c(at->host, at->port, true, timeout);
    auto r = c.get("/directory/v1/consensus/" + std::to_string(now.prev_epoch));
    if (!r || r->status != 200) continue;
    // Signed by a majority, and the very document the newer one names as its previous.
    auto prev = directory::accept_consensus(r->body, net_, std::nullopt, now_ms() / 1000);
    if (prev && prev->epoch == now.prev_epoch && directory::digest_hex(*prev) == now.prev_digest) return *prev;
  }
  log::warn("previous_consensus_unavailable", {log::kv("epoch", now.prev_epoch)});
  return std::nullopt;
}

}  // namespace sotto::daemon
