#pragma once
// The network's time (docs/client.md, "Clock"): this machine's clock corrected by what the
// nodes say their time is (every reply's "t"). One node alone never sets it: the offset is
// the median of the last kTimeSamples nodes' samples, taken only when a second sample
// agrees with it within kClockSlackMs; under kClockSlackMs it counts as none. Signed
// requests and new messages are stamped with it. Not thread-safe (one per Messenger).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.hpp"

namespace sotto::client {

inline constexpr std::size_t kTimeSamples = 5;
inline constexpr std::int64_t kClockSlackMs = 2'000;
inline constexpr std::uint64_t kLatestTimestampMs = 4'000'000'000'000;  // year 2096: no sum with it overflows

// The offset (network time minus this clock) that a few nodes' samples give: their median
// (of two middle ones, the one nearer this clock first), when a second sample agrees with
// it within kClockSlackMs; under kClockSlackMs, 0. Nothing when no two agree.
std::optional<std::int64_t> clock_offset(std::vector<std::int64_t> samples);

class NetworkClock {
 public:
  explicit NetworkClock(const base::Clock& clock) : clock_(clock) {}
  // This machine's clock, and the network's (it corrected).
  std::int64_t local_ms() const { return clock_.now_ms(); }
  std::int64_t now_ms() const { return clock_.now_ms() + offset_ms_; }
  std::int64_t offset_ms() const { return offset_ms_; }
  // One more sample: `node_ms` is what node `node_hex` said its time was. A time before
  // `not_before_ms` (the consensus it is listed in, less a day) or past kLatestTimestampMs
  // is ignored. True when the offset moved.
  bool learn(const std::string& node_hex, std::int64_t node_ms, std::int64_t not_before_ms);

 private:
  const base::Clock& clock_;
  std::int64_t offset_ms_ = 0;
  std::vector<std::pair<std::string, std::int64_t>> samples_;  // (node, its time minus this clock), newest last
};

}  // namespace sotto::client
