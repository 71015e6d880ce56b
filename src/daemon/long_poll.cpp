#include "daemon/long_poll.hpp"

#include <algorithm>
#include <utility>

namespace sotto::daemon {

LongPolls::LongPolls() : thread_([this] { run(); }) {}

LongPolls::~LongPolls() { stop(); }

std::function<void()> LongPolls::take(std::uint64_t id) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return {};
  auto erase_one = [id](auto& index, const auto& k) {
    auto [b, e] = index.equal_range(k);
    for (auto i = b; i != e; ++i)
      if (i->second == id) {
        index.erase(i);
        return;
      }
  };
  erase_one(by_key_, it->second.key);
  erase_one(by_deadline_, it->second.deadline);
  auto fire = std::move(it->second.fire);
  waiters_.erase(it);
  return fire;
}

std::uint64_t LongPolls::add(const std::string& key, Clock::time_point deadline, std::function<void()> fire) {
  std::function<void()> evicted;
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || waiters_.size() >= kMaxWaiting) return 0;
    if (by_key_.count(key) >= kMaxPerKey) {
      std::uint64_t oldest = UINT64_MAX;
      auto [b, e] = by_key_.equal_range(key);
      for (auto i = b; i != e; ++i) oldest = std::min(oldest, i->second);
      evicted = take(oldest);
    }
    id = next_id_++;
    waiters_.emplace(id, Waiter{key, deadline, std::move(fire)});
    by_key_.emplace(key, id);
    bool earliest = by_deadline_.empty() || deadline < by_deadline_.begin()->first;
    by_deadline_.emplace(deadline, id);
    if (earliest) cv_.notify_one();
  }
  if (evicted) evicted();
  return id;
}

bool LongPolls::cancel(std::uint64_t id) {
  std::lock_guard lock(mu_);
  return static_cast<bool>(take(id));
}

void LongPolls::notify(const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  bool any = false;
  for (const auto& k : keys) {
    std::vector<std::uint64_t> ids;
    auto [b, e] = by_key_.equal_range(k);
    for (auto i = b; i != e; ++i) ids.push_back(i->second);
    for (auto id : ids) ready_.push_back(take(id));
    any = any || !ids.empty();
  }
  if (any) cv_.notify_one();  // this object's thread runs them, not the caller's
}

void LongPolls::stop() {
  std::vector<std::function<void()>> due;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    std::vector<std::uint64_t> ids;
    for (const auto& [id, w] : waiters_) ids.push_back(id);
    for (auto id : ids) due.push_back(take(id));
    for (auto& f : ready_) due.push_back(std::move(f));
    ready_.clear();
    cv_.notify_all();
  }
  for (auto& f : due) f();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::size_t LongPolls::waiting() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

void LongPolls::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!ready_.empty()) {
      auto due = std::exchange(ready_, {});
      lock.unlock();
      for (auto& f : due) f();
      lock.lock();
      continue;
    }
    if (by_deadline_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = by_deadline_.begin()->first;
    if (Clock::now() < first) {
      cv_.wait_until(lock, first);
      continue;
    }
    std::vector<std::function<void()>> due;
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= Clock::now()) due.push_back(take(by_deadline_.begin()->second));
    lock.unlock();
    for (auto& f : due) f();
    lock.lock();
  }
}

}  // namespace sotto::daemon
