#include "net/rate_limiter.hpp"

#include <algorithm>

namespace sotto::net {

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = index_.find(client);
  if (it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);  // now the most recent
  } else {
    if (lru_.size() >= std::max<std::size_t>(1, max_clients_)) {
      index_.erase(lru_.back().client);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{client, burst_, now});
    index_.emplace(lru_.front().client, lru_.begin());
  }
  Bucket& b = lru_.front();
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

std::size_t RateLimiter::clients() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace sotto::net
