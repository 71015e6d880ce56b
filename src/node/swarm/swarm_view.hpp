#pragma once
// What a node needs to know of the network: which accounts this node's swarm serves, and
// the members of any account's swarm. ConsensusSwarm implements it from the consensus;
// SingleNodeSwarm serves a network of one swarm of one node.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/keys.hpp"

namespace sotto::node {

struct NodeAddress {
  crypto::Ed25519Public ed25519;
  crypto::X25519Public x25519;
  std::string ip;
  std::uint16_t https_port = 0;
};

struct SwarmInfo {
  std::uint64_t id = 0;
  std::vector<NodeAddress> members;
};

class SwarmView {
 public:
  virtual ~SwarmView() = default;
  // True if `pubkey` (33 bytes, prefix included) maps to this node's swarm.
  virtual bool is_ours(std::span<const std::uint8_t, 33> pubkey) const = 0;
  virtual SwarmInfo swarm_for(std::span<const std::uint8_t, 33> pubkey) const = 0;
};

class SingleNodeSwarm final : public SwarmView {
 public:
  explicit SingleNodeSwarm(NodeAddress self) : self_(std::move(self)) {}
  bool is_ours(std::span<const std::uint8_t, 33>) const override { return true; }
  SwarmInfo swarm_for(std::span<const std::uint8_t, 33>) const override { return {0, {self_}}; }

 private:
  NodeAddress self_;
};

}  // namespace sotto::node
