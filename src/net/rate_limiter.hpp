#pragma once
// Per-client token buckets (Session's storage server: 600 tokens, refilled at 300/s per
// client IP). Sans-IO: the time is passed in. Thread-safe.

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sotto::net {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double tokens_per_second, double burst, std::size_t max_clients = 100'000)
      : rate_(tokens_per_second), burst_(burst), max_clients_(max_clients) {}
  // Takes one token for `client`; false when its bucket is empty (answer 429). At most
  // max_clients buckets are kept: a new client beyond that replaces the one seen least
  // recently (which, if it comes back, starts again with a full bucket), so memory and
  // time per call stay bounded however many addresses a flood comes from.
  bool allow(const std::string& client, Clock::time_point now);
  std::size_t clients() const;

 private:
  struct Bucket {
    std::string client;
    double tokens;
    Clock::time_point last;
  };
  double rate_, burst_;
  std::size_t max_clients_;
  mutable std::mutex mu_;
  std::list<Bucket> lru_;  // most recently seen first; guarded by mu_
  std::unordered_map<std::string_view, std::list<Bucket>::iterator> index_;  // keys view lru_'s strings
};

}  // namespace sotto::net
