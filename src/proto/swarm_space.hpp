#pragma once
// Pubkey -> swarm (docs/wire/swarm-space.md): the XOR of the four big-endian u64 words
// of the 32 key bytes (prefix byte ignored) is a point on the u64 ring; the account
// belongs to the nearest swarm id, ties going left. Thread-safe, sans-IO.

#include <cstdint>
#include <optional>
#include <span>

namespace sotto::proto {

using SwarmId = std::uint64_t;

std::uint64_t swarm_space(std::span<const std::uint8_t, 32> key);
// `sorted_ids` ascending and unique; nullopt when there is no swarm.
std::optional<SwarmId> nearest_swarm(std::span<const SwarmId> sorted_ids, std::uint64_t v);

}  // namespace sotto::proto
