#pragma once
// A node's part in its network's membership (docs/node.md, "In a network";
// docs/wire/directory.md): it registers with every authority at the middle of each epoch
// and fetches the consensus just after each epoch starts (at once when a push names a
// newer one), keeps the newest valid one and the few before it, knows its swarm from it,
// and tells the swarm worker of each change and each epoch. A thread of its own;
// thread-safe.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "crypto/keys.hpp"
#include "directory/authority.hpp"
#include "node/swarm/consensus_swarm.hpp"

namespace sotto::daemon {

class ConsensusFollower {
 public:
  struct Events {
    // A newer consensus was accepted (`before`: the one held until then, if any).
    std::function<void(const directory::Consensus* before, const directory::Consensus& after)> changed;
    // An epoch began; `sync_all` in the epoch after this node joined a swarm.
    std::function<void(bool sync_all)> epoch;
  };
  static constexpr std::size_t kPastConsensuses = 4;  // a push is taken from a holder in any of these

  ConsensusFollower(directory::Network net, const crypto::Keypair& keys, std::string announced_ip, Events events);
  ~ConsensusFollower();

  // Registers and fetches at once, then every epoch; `port` is where this node listens.
  void start(std::uint16_t port);
  void stop();

  const directory::Network& network() const { return net_; }
  node::ConsensusSwarm& swarm() { return swarm_; }
  bool has_consensus() const { return swarm_.epoch().has_value(); }
  std::int64_t epoch() const { return swarm_.epoch().value_or(-1); }
  std::int64_t clock_epoch() const;
  // The consensus held, as fetched (its signatures included), for GET /directory/v1/consensus.
  std::string consensus_json() const;
  // True if a node of the current consensus announces `ip`.
  bool is_node_ip(const std::string& ip) const;
  // The same, or an authority of network.json is at `ip` (its URL's host, as written).
  bool is_network_ip(const std::string& ip) const;
  // Where `node` listens, if the current consensus lists it.
  std::optional<node::NodeAddress> find_node(const crypto::Ed25519Public& node) const;
  // True if `node` holds or held `account`'s swarm (in the current consensus or one of the
  // kPastConsensuses before it: a busy sender's pushes can be late).
  bool holds_or_held(const crypto::Ed25519Public& node, const ByteArray<33>& account) const;
  // Fetches the consensus now (a push named a newer one than this node holds).
  void fetch_soon();

 private:
  void run();
  bool wait_until(std::int64_t t_ms);  // false when stopping; fetches meanwhile if asked
  void register_now();
  void fetch_consensus();
  // The consensus before `now` from an authority, checked against `now`'s prev_digest.
  std::optional<directory::Consensus> fetch_previous(const directory::Consensus& now);
  std::int64_t now_ms() const;

  directory::Network net_;
  const crypto::Keypair& keys_;
  std::string ip_;
  std::uint16_t port_ = 0;
  Events events_;
  node::ConsensusSwarm swarm_;

  mutable std::mutex mu_;  // guards holder_, past_, stop_, fetch_now_
  directory::ConsensusHolder holder_;
  std::deque<directory::Consensus> past_;  // the consensuses before holder_'s, newest first
  std::condition_variable cv_;
  bool stop_ = false;
  bool fetch_now_ = false;
  std::thread thread_;
};

}  // namespace sotto::daemon
