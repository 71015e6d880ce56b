#include "proto/swarm_space.hpp"

#include <algorithm>

#include "base/bytes.hpp"

namespace sotto::proto {

std::uint64_t swarm_space(std::span<const std::uint8_t, 32> key) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 32; i += 8) v ^= base::load_be<std::uint64_t>(key.data() + i);
  return v;
}

std::optional<SwarmId> nearest_swarm(std::span<const SwarmId> ids, std::uint64_t v) {
  if (ids.empty()) return std::nullopt;
  auto it = std::lower_bound(ids.begin(), ids.end(), v);
  SwarmId right = it == ids.end() ? ids.front() : *it;
  SwarmId left = it == ids.begin() ? ids.back() : *(it - 1);
  // Wrapping u64 distances around the ring; an exact tie goes left.
  return (right - v) < (v - left) ? right : left;
}

}  // namespace sotto::proto
