#include "client/network_clock.hpp"

#include <algorithm>
#include <cstdlib>

namespace sotto::client {

std::optional<std::int64_t> clock_offset(std::vector<std::int64_t> samples) {
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  // The median; of two middle ones, the one nearer this clock first. It counts only when a
  // second sample agrees with it (within kClockSlackMs): one node alone never sets this
  // client's time. Under kClockSlackMs it is noise (a reply's travel) and counts as none.
  std::int64_t a = samples[(samples.size() - 1) / 2], b = samples[samples.size() / 2];
  auto agreed = [&](std::int64_t m) {
    return std::count_if(samples.begin(), samples.end(), [&](std::int64_t x) { return std::llabs(x - m) <= kClockSlackMs; }) >= 2;
  };
  std::int64_t first = std::llabs(a) <= std::llabs(b) ? a : b, second = first == a ? b : a;
  for (std::int64_t m : {first, second})
    if (agreed(m)) return std::llabs(m) < kClockSlackMs ? 0 : m;
  return std::nullopt;
}

bool NetworkClock::learn(const std::string& node_hex, std::int64_t node_ms, std::int64_t not_before_ms) {
  if (node_ms < not_before_ms || static_cast<std::uint64_t>(node_ms) > kLatestTimestampMs) return false;
  std::int64_t before = offset_ms_;
  std::int64_t sample = node_ms - clock_.now_ms();
  std::erase_if(samples_, [&](const auto& e) { return e.first == node_hex; });
  samples_.emplace_back(node_hex, sample);
  if (samples_.size() > kTimeSamples) samples_.erase(samples_.begin());
  std::vector<std::int64_t> v;
  for (const auto& e : samples_) v.push_back(e.second);
  if (auto o = clock_offset(std::move(v))) offset_ms_ = *o;
  return offset_ms_ != before;
}

}  // namespace sotto::client
