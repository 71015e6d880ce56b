#pragma once
// The swarms of the network as the current consensus assigns them, seen from one node
// (docs/wire/directory.md; session-v1.md §4.1): which accounts its swarm serves, and the
// members of any account's swarm. Thread-safe: the I/O threads read it while a new
// consensus replaces the old one.

#include <memory>
#include <mutex>
#include <optional>

#include "directory/consensus.hpp"
#include "node/swarm/swarm_view.hpp"

namespace sotto::node {

class ConsensusSwarm final : public SwarmView {
 public:
  explicit ConsensusSwarm(crypto::Ed25519Public self) : self_(self) {}

  // Takes the swarms of `c` (an accepted consensus).
  void update(const directory::Consensus& c);

  bool is_ours(std::span<const std::uint8_t, 33> pubkey) const override;
  SwarmInfo swarm_for(std::span<const std::uint8_t, 33> pubkey) const override;

  // This node's swarm (nullopt: not in the consensus, or unassigned), and its members.
  std::optional<std::uint64_t> own_swarm() const;
  SwarmInfo own_members() const;
  std::optional<std::int64_t> epoch() const;

  // The swarm id of an account under a set of ascending swarm ids (nullopt: none).
  static std::optional<std::uint64_t> swarm_of(std::span<const std::uint8_t, 33> pubkey, std::span<const std::uint64_t> ids);

 private:
  struct Snapshot {
    std::int64_t epoch = 0;
    std::vector<std::uint64_t> ids;  // ascending
    std::map<std::uint64_t, std::vector<NodeAddress>> members;
    std::optional<std::uint64_t> own;
  };
  std::shared_ptr<const Snapshot> get() const;

  crypto::Ed25519Public self_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snap_;
};

}  // namespace sotto::node
