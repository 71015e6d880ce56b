#pragma once
// Onion paths from the verified consensus (docs/wire/onion-request.md, "Client
// behaviour"): a few paths of 3 nodes, each around its own guard, every node of a path in
// a distinct /24 where the consensus has enough subnets; the destination is never on its
// own path (a path for such a destination keeps one of the guards and changes hops 2-3,
// so the client's address reaches no other guard). Nodes and paths collect strikes; 3
// drop them, and a dropped path is rebuilt around a new guard; a success clears the
// strikes of the path and its nodes. Sans-IO (randomness injected); not thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "directory/consensus.hpp"

namespace sotto::client {

struct Path {
  std::uint64_t id = 0;
  std::vector<directory::ConsensusNode> hops;  // hops[0] is the guard
  int strikes = 0;
  bool extra = false;  // built for a destination every pool path holds, around a guard held
  bool contains(const crypto::Ed25519Public& k) const;
};

// "a.b.c" for an IPv4 address a.b.c.d; the address itself otherwise.
std::string subnet_of(const std::string& ip);

class PathPool {
 public:
  static constexpr int kStrikes = 3;

  explicit PathPool(base::Rng& rng, std::size_t paths = 2, std::size_t hops = 3) : rng_(rng), want_(paths), hops_(hops) {}

  // The nodes of the current consensus. Paths through nodes no longer listed are dropped;
  // strikes of nodes still listed are kept.
  void set_nodes(std::vector<directory::ConsensusNode> nodes);

  // What a retry stays away from: the path a request just failed on (reused only if no
  // other is possible) and nodes that just failed (never used).
  struct Avoid {
    std::optional<std::uint64_t> path;
    std::set<crypto::Ed25519Public> nodes;
  };
  // A path that does not contain `destination`, built if there is none. Errors (NoPath):
  // too few usable nodes, and how many there are.
  Result<Path> path_for(const crypto::Ed25519Public& destination, const Avoid& avoid = {});

  // Guards this client used before (remembered in its profile), first preferred first: a
  // path needing a new guard takes the first of them that is listed, not dropped and
  // usable for the request, and a random node only when none is. This keeps the nodes
  // that see the client's address the same from run to run (docs/client.md, "Guards").
  void prefer_guards(std::vector<crypto::Ed25519Public> guards) { preferred_ = std::move(guards); }
  // The guards of the paths held now on which a request succeeded, in the order of their
  // first success (what a client remembers).
  std::vector<crypto::Ed25519Public> confirmed_guards() const;
  // A guard whose time is up: no longer preferred, and the paths around it are dropped
  // (the next request builds new ones).
  void retire_guard(const crypto::Ed25519Public& guard);

  // A node that failed (named in a 502, or a guard that cannot be reached).
  void strike_node(const crypto::Ed25519Public& node);
  // A path whose request timed out or whose reply did not decrypt.
  void strike_path(std::uint64_t path_id);
  // A request on this path succeeded: its strikes and its nodes' strikes are cleared.
  void succeeded(std::uint64_t path_id);
  // The guards of the paths held (the only nodes that see this client's address).
  std::set<crypto::Ed25519Public> guards() const;

  const std::vector<Path>& paths() const { return paths_; }
  bool dropped(const crypto::Ed25519Public& node) const;
  std::size_t usable_nodes() const;

 private:
  // A new path around `guard` (if set) or a guard not in `not_as_guard` (if possible).
  std::optional<Path> build(const crypto::Ed25519Public& destination, const std::set<crypto::Ed25519Public>& not_as_guard,
                            const std::set<crypto::Ed25519Public>& exclude, const directory::ConsensusNode* guard = nullptr);
  // A path around a guard not held yet: the first preferred guard that will do, else a
  // random one; never through a node of `avoid`. A `pool` path may have the destination as
  // its guard (if preferred); a path for this request never has it.
  std::optional<Path> build_around_new_guard(const crypto::Ed25519Public& destination, const std::set<crypto::Ed25519Public>& avoid,
                                             bool pool);
  std::uint64_t below(std::uint64_t n);

  base::Rng& rng_;
  std::size_t want_, hops_;
  std::vector<directory::ConsensusNode> nodes_;
  std::map<crypto::Ed25519Public, int> node_strikes_;
  std::vector<Path> paths_;  // want_ pool paths, and at most kExtra extra ones
  static constexpr std::size_t kExtra = 2;
  std::uint64_t next_id_ = 1;
  std::vector<crypto::Ed25519Public> preferred_, confirmed_;
};

}  // namespace sotto::client
