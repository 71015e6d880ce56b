#pragma once
// Per-client token buckets (Session's storage server: 600 tokens, refilled at 300/s per
// client IP). Sans-IO: the time is passed in. Thread-safe.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sotto::net {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double tokens_per_second, double burst, std::size_t max_clients = 100'000)
      : rate_(tokens_per_second), burst_(burst), max_clients_(max_clients) {}
  // Takes one token for `client`; false when its bucket is empty (answer 429).
  bool allow(const std::string& client, Clock::time_point now);
  std::size_t clients() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  void evict_idle(Clock::time_point now);
  double rate_, burst_;
  std::size_t max_clients_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace sotto::net
