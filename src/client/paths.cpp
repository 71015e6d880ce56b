#include "client/paths.hpp"

#include <algorithm>

#include "client/errc.hpp"

namespace sotto::client {

bool Path::contains(const crypto::Ed25519Public& k) const {
  return std::any_of(hops.begin(), hops.end(), [&](const directory::ConsensusNode& n) { return n.ed25519 == k; });
}

std::string subnet_of(const std::string& ip) {
  if (ip.find(':') != std::string::npos) return ip;
  auto dot = ip.rfind('.');
  return dot == std::string::npos ? ip : ip.substr(0, dot);
}

std::uint64_t PathPool::below(std::uint64_t n) {
  std::uint64_t r = 0;
  rng_.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&r), sizeof r));
  return r % n;  // the bias is negligible for the few dozen nodes drawn from
}

bool PathPool::dropped(const crypto::Ed25519Public& node) const {
  auto it = node_strikes_.find(node);
  return it != node_strikes_.end() && it->second >= kStrikes;
}

std::size_t PathPool::usable_nodes() const {
  return static_cast<std::size_t>(std::count_if(nodes_.begin(), nodes_.end(), [&](const auto& n) { return !dropped(n.ed25519); }));
}

void PathPool::set_nodes(std::vector<directory::ConsensusNode> nodes) {
  nodes_ = std::move(nodes);
  std::map<crypto::Ed25519Public, const directory::ConsensusNode*> by_key;
  for (const auto& n : nodes_) by_key[n.ed25519] = &n;
  // A path stays if all its nodes are still listed at the same address.
  std::erase_if(paths_, [&](Path& p) {
    for (auto& h : p.hops) {
      auto it = by_key.find(h.ed25519);
      if (it == by_key.end() || it->second->ip != h.ip || it->second->port_https != h.port_https || !(it->second->x25519 == h.x25519))
        return true;
    }
    return false;
  });
  std::erase_if(node_strikes_, [&](const auto& kv) { return !by_key.count(kv.first); });
}

std::optional<Path> PathPool::build(const crypto::Ed25519Public& destination, const std::set<crypto::Ed25519Public>& not_as_guard,
                                    const std::set<crypto::Ed25519Public>& exclude, const directory::ConsensusNode* guard) {
  std::vector<const directory::ConsensusNode*> cand;
  for (const auto& n : nodes_)
    if (!(n.ed25519 == destination) && !dropped(n.ed25519) && !exclude.count(n.ed25519) && !(guard && n.ed25519 == guard->ed25519))
      cand.push_back(&n);
  for (std::size_t i = cand.size(); i > 1; --i) std::swap(cand[i - 1], cand[below(i)]);  // Fisher-Yates
  if (guard) cand.insert(cand.begin(), guard);  // first, so it is the guard
  if (cand.size() < hops_) return std::nullopt;
  // Distinct /24s first; if the consensus has too few, distinct nodes.
  for (bool by_subnet : {true, false}) {
    for (bool fresh_guard : {true, false}) {
      Path p;
      std::set<std::string> subnets;
      std::set<crypto::Ed25519Public> used;
      for (const auto* n : cand) {
        if (p.hops.empty() && fresh_guard && not_as_guard.count(n->ed25519)) continue;
        if (used.count(n->ed25519) || (by_subnet && subnets.count(subnet_of(n->ip)))) continue;
        p.hops.push_back(*n);
        used.insert(n->ed25519);
        subnets.insert(subnet_of(n->ip));
        if (p.hops.size() == hops_) break;
      }
      if (p.hops.size() == hops_) {
        p.id = next_id_++;
        return p;
      }
    }
  }
  return std::nullopt;
}

std::optional<Path> PathPool::build_around_new_guard(const crypto::Ed25519Public& destination, const std::set<crypto::Ed25519Public>& avoid,
                                                     bool pool) {
  auto held = guards();
  for (const auto& g : preferred_) {
    // A pool path may stand around the destination of this request (it serves others;
    // this one takes another path): a preferred guard is not given up for one request.
    if ((!pool && g == destination) || held.count(g) || avoid.count(g) || dropped(g)) continue;
    auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](const directory::ConsensusNode& n) { return n.ed25519 == g; });
    if (it == nodes_.end()) continue;  // not listed now (it stays preferred for later)
    directory::ConsensusNode copy = *it;
    if (auto p = build(destination, held, avoid, &copy)) return p;
  }
  return build(destination, held, avoid);
}

std::vector<crypto::Ed25519Public> PathPool::confirmed_guards() const {
  std::vector<crypto::Ed25519Public> out;
  for (const auto& g : confirmed_)
    if (std::any_of(paths_.begin(), paths_.end(), [&](const Path& p) { return p.hops.front().ed25519 == g; })) out.push_back(g);
  return out;
}

void PathPool::retire_guard(const crypto::Ed25519Public& guard) {
  std::erase(preferred_, guard);
  std::erase(confirmed_, guard);
  std::erase_if(paths_, [&](const Path& p) { return p.hops.front().ed25519 == guard; });
}

std::set<crypto::Ed25519Public> PathPool::guards() const {
  std::set<crypto::Ed25519Public> g;
  for (const auto& p : paths_)
    if (!p.extra) g.insert(p.hops.front().ed25519);
  return g;
}

Result<Path> PathPool::path_for(const crypto::Ed25519Public& destination, const Avoid& avoid) {
  // Extra paths live only around a guard a pool path still has.
  std::erase_if(paths_, [held = guards()](const Path& p) { return p.extra && !held.count(p.hops.front().ed25519); });
  // Keep the pool full, each new path around a guard no other path has, if possible.
  auto pool_size = [&] { return static_cast<std::size_t>(std::count_if(paths_.begin(), paths_.end(), [](const Path& p) { return !p.extra; })); };
  while (pool_size() < want_) {
    auto p = build_around_new_guard(destination, avoid.nodes, true);
    if (!p) break;
    paths_.push_back(std::move(*p));
  }
  auto add_extra = [&](Path p) -> const Path& {
    p.extra = true;
    if (std::count_if(paths_.begin(), paths_.end(), [](const Path& x) { return x.extra; }) >= static_cast<std::ptrdiff_t>(kExtra))
      paths_.erase(std::find_if(paths_.begin(), paths_.end(), [](const Path& x) { return x.extra; }));  // the oldest extra
    paths_.push_back(std::move(p));
    return paths_.back();
  };
  auto unfit = [&](const Path& p) {
    return p.contains(destination) || std::any_of(avoid.nodes.begin(), avoid.nodes.end(), [&](const auto& k) { return p.contains(k); });
  };
  std::vector<const Path*> fit, fit_avoided;
  for (const auto& p : paths_) {
    if (unfit(p)) continue;
    (avoid.path && p.id == *avoid.path ? fit_avoided : fit).push_back(&p);
  }
  if (fit.empty()) {
    // None avoids the destination and what failed: an extra path around one of the
    // guards held (never a new guard), replacing the oldest extra.
    for (const auto& g : guards()) {
      if (g == destination || avoid.nodes.count(g) || dropped(g)) continue;
      const directory::ConsensusNode* guard = nullptr;
      for (const auto& p : paths_)
        if (p.hops.front().ed25519 == g) guard = &p.hops.front();
      directory::ConsensusNode copy = *guard;
      if (auto p = build(destination, {}, avoid.nodes, &copy)) return add_extra(std::move(*p));
    }
    // No guard held will do (every one failed or is the destination): only then a path
    // around a new guard.
    if (auto p = build_around_new_guard(destination, avoid.nodes, false)) return add_extra(std::move(*p));
  }
  if (!fit.empty()) return *fit[below(fit.size())];
  if (!fit_avoided.empty()) return *fit_avoided.front();
  return Error(Errc::NoPath, "no path could be built: a path needs " + std::to_string(hops_) + " usable nodes besides the destination, and the consensus has " +
                                 std::to_string(usable_nodes()) + " usable node(s) in all");
}

void PathPool::strike_node(const crypto::Ed25519Public& node) {
  if (++node_strikes_[node] < kStrikes) return;
  std::erase_if(paths_, [&](const Path& p) { return p.contains(node); });
}

void PathPool::strike_path(std::uint64_t id) {
  std::erase_if(paths_, [&](Path& p) { return p.id == id && ++p.strikes >= kStrikes; });
}

void PathPool::succeeded(std::uint64_t id) {
  for (auto& p : paths_)
    if (p.id == id) {
      if (std::find(confirmed_.begin(), confirmed_.end(), p.hops.front().ed25519) == confirmed_.end())
        confirmed_.push_back(p.hops.front().ed25519);
      p.strikes = 0;
      for (const auto& h : p.hops) node_strikes_.erase(h.ed25519);
    }
}

}  // namespace sotto::client
