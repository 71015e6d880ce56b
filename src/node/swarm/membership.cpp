#include "node/swarm/membership.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "node/swarm/consensus_swarm.hpp"

namespace sotto::node {

namespace {

struct Swarms {
  std::vector<std::uint64_t> ids;
  std::map<std::uint64_t, std::vector<NodeAddress>> members;
  std::optional<std::uint64_t> own;
};

Swarms swarms_of(const directory::Consensus& c, const crypto::Ed25519Public& self) {
  Swarms s;
  s.ids = c.swarm_ids();
  for (const auto& n : c.nodes) {
    if (n.swarm_id == directory::kUnassigned) continue;
    s.members[n.swarm_id].push_back({n.ed25519, n.x25519, n.ip, n.port_https});
    if (n.ed25519 == self) s.own = n.swarm_id;
  }
  return s;
}

}  // namespace

std::vector<Push> plan_pushes(const directory::Consensus* before, const directory::Consensus& after,
                              const crypto::Ed25519Public& self, std::span<const storage::AccountKey> accounts) {
  std::vector<Push> out;
  Swarms now = swarms_of(after, self);
  if (now.ids.empty()) return out;
  // The members of self's swarm now that were not with self before, and those that were
  // (the stayers, self included, in key order): each stayer sends the joiners its share.
  std::vector<NodeAddress> joined;
  std::vector<crypto::Ed25519Public> stayers;
  if (before && now.own) {
    Swarms was = swarms_of(*before, self);
    if (was.own) {
      std::set<crypto::Ed25519Public> old_peers;
      for (const auto& m : was.members.at(*was.own)) old_peers.insert(m.ed25519);
      for (const auto& m : now.members.at(*now.own))
        if (!old_peers.contains(m.ed25519)) joined.push_back(m);
        else stayers.push_back(m.ed25519);
      std::sort(stayers.begin(), stayers.end());
    }
  }
  const auto rank = static_cast<std::uint64_t>(std::find(stayers.begin(), stayers.end(), self) - stayers.begin());
  // Shares only between consecutive consensuses: a stayer that skipped one may see other
  // stayers than its peers do, so it sends everything rather than risk a gap.
  const bool shared = before && after.epoch == before->epoch + 1;
  for (const auto& a : accounts) {
    auto id = ConsensusSwarm::swarm_of(a, now.ids);
    if (!id) continue;
    if (id != now.own) {
      out.push_back({a, now.members.at(*id)});
    } else if (!joined.empty() && (!shared || (rank < stayers.size() && share_of(a, stayers.size()) == rank))) {
      out.push_back({a, joined});
    }
  }
  return out;
}

std::uint64_t share_of(const storage::AccountKey& account, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 1; i < 9; ++i) v = (v << 8) | account[i];  // the key after its prefix byte
  return n == 0 ? 0 : v % n;
}

}  // namespace sotto::node
