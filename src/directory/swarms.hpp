#pragma once
// Swarm assignment of consensus method 1 (docs/wire/directory.md, "Consensus", step 3):
// a pure function of the included nodes, the previous assignment and a 32-byte seed, so
// that every authority computes the same swarms. Thread-safe, sans-IO.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "directory/network.hpp"

namespace sotto::directory {

// Session's UNASSIGNED_SWARM_ID: a node in no swarm.
inline constexpr std::uint64_t kUnassigned = UINT64_MAX;

// The deterministic randomness of the assignment: next() is the first 8 bytes (big-endian)
// of BLAKE2b-256(seed ‖ u64be(counter)); uniform(n) rejects the top partial range.
class SwarmRng {
 public:
  explicit SwarmRng(const ByteArray<32>& seed) : seed_(seed) {}
  std::uint64_t next();
  std::uint64_t uniform(std::uint64_t n);  // n >= 1; always draws at least once
  std::uint64_t counter() const { return counter_; }

 private:
  ByteArray<32> seed_;
  std::uint64_t counter_ = 0;
};

// The id of a new swarm among `sorted_ids` (ascending, unique): the midpoint of the largest
// gap on the u64 ring (2^63 with no swarm); nullopt when no gap is 2 or wider.
std::optional<std::uint64_t> new_swarm_id(std::span<const std::uint64_t> sorted_ids);

struct SwarmNode {
  ByteArray<32> key;  // Ed25519
  std::string ip;     // dotted IPv4
};

using Assignment = std::map<ByteArray<32>, std::uint64_t>;  // node key -> swarm id

// Assigns every node (any order; keys unique) to a swarm or kUnassigned. `previous`: the
// previous consensus's assignment (nodes absent from `nodes` are ignored).
Assignment assign_swarms(std::span<const SwarmNode> nodes, const Assignment& previous, const SwarmParams& params,
                         const ByteArray<32>& seed);

}  // namespace sotto::directory
