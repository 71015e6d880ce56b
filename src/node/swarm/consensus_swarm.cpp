#include "node/swarm/consensus_swarm.hpp"

#include "proto/swarm_space.hpp"

namespace sotto::node {

void ConsensusSwarm::update(const directory::Consensus& c) {
  auto s = std::make_shared<Snapshot>();
  s->epoch = c.epoch;
  s->ids = c.swarm_ids();
  for (const auto& n : c.nodes) {
    if (n.swarm_id == directory::kUnassigned) continue;
    s->members[n.swarm_id].push_back({n.ed25519, n.x25519, n.ip, n.port_https});
    if (n.ed25519 == self_) s->own = n.swarm_id;
  }
  std::lock_guard lock(mu_);
  snap_ = std::move(s);
}

std::shared_ptr<const ConsensusSwarm::Snapshot> ConsensusSwarm::get() const {
  std::lock_guard lock(mu_);
  return snap_;
}

std::optional<std::uint64_t> ConsensusSwarm::swarm_of(std::span<const std::uint8_t, 33> pubkey, std::span<const std::uint64_t> ids) {
  return proto::nearest_swarm(ids, proto::swarm_space(pubkey.subspan<1, 32>()));
}

bool ConsensusSwarm::is_ours(std::span<const std::uint8_t, 33> pubkey) const {
  auto s = get();
  if (!s || !s->own) return false;
  return swarm_of(pubkey, s->ids) == s->own;
}

SwarmInfo ConsensusSwarm::swarm_for(std::span<const std::uint8_t, 33> pubkey) const {
  auto s = get();
  if (!s) return {};
  auto id = swarm_of(pubkey, s->ids);
  if (!id) return {};
  return {*id, s->members.at(*id)};
}

std::optional<std::uint64_t> ConsensusSwarm::own_swarm() const {
  auto s = get();
  return s ? s->own : std::nullopt;
}

SwarmInfo ConsensusSwarm::own_members() const {
  auto s = get();
  if (!s || !s->own) return {};
  return {*s->own, s->members.at(*s->own)};
}

std::optional<std::int64_t> ConsensusSwarm::epoch() const {
  auto s = get();
  if (!s) return std::nullopt;
  return s->epoch;
}

}  // namespace sotto::node
