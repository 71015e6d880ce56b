#pragma once
// Retrieves that wait for a message (sotto's long-poll extension, docs/wire/storage-rpc.md
// "Waiting for messages"): each is held under its key (account and namespace) until a
// message for that key is stored here, or its time is up, and then fired once: the node
// runs it again and answers. One thread of its own keeps the deadlines. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sotto::daemon {

class LongPolls {
 public:
  using Clock = std::chrono::steady_clock;
  // Bounds: beyond kMaxWaiting in all, a new one is not held (add() returns 0: answer at
  // once); beyond kMaxPerKey for one key, the oldest of that key fires at once.
  static constexpr std::size_t kMaxWaiting = 10'000;
  static constexpr std::size_t kMaxPerKey = 8;

  LongPolls();
  ~LongPolls();
  LongPolls(const LongPolls&) = delete;
  LongPolls& operator=(const LongPolls&) = delete;

  // Holds `fire` under `key` until notify(key), the deadline, or stop(). Returns its id
  // (never 0), or 0 when it is not held (too many waiting, or stopped): the caller answers
  // at once. `fire` runs once: on this object's thread (after notify or the deadline), in
  // stop()'s caller, or in add()'s caller when a 9th waiter of its key evicts it.
  std::uint64_t add(const std::string& key, Clock::time_point deadline, std::function<void()> fire);
  // Takes a waiter back before it fired; false if it fired (or is firing) already.
  bool cancel(std::uint64_t id);
  // Fires every waiter of these keys (on this object's thread: the caller, the storage
  // thread, never runs the retrieves).
  void notify(const std::vector<std::string>& keys);
  // Fires every waiter now and refuses new ones (the node is stopping); joins the thread.
  void stop();
  std::size_t waiting() const;

 private:
  struct Waiter {
    std::string key;
    Clock::time_point deadline;
    std::function<void()> fire;
  };
  void run();
  // Removes a waiter (mu_ held) and returns its function.
  std::function<void()> take(std::uint64_t id);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::uint64_t, Waiter> waiters_;                   // by id (ids grow: oldest first)
  std::multimap<std::string, std::uint64_t> by_key_;
  std::multimap<Clock::time_point, std::uint64_t> by_deadline_;
  std::vector<std::function<void()>> ready_;  // taken by notify(), to run on the thread
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sotto::daemon
