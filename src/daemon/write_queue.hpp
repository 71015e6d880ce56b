#pragma once
// The node's writes, on its one storage thread (docs/node.md, "Behaviour an operator can
// rely on"). The I/O threads check and sign a write (node::rpc::prepare); it waits here
// while the storage thread works. The storage thread takes up to kMaxGroup of them, runs
// them in one transaction and answers them only after that transaction's COMMIT is on disk
// (group commit): if the commit fails, every answer in the group becomes a 500, so nothing
// is acknowledged that was not stored. WAL checkpoints run between groups, after their
// answers. Thread-safe to push to.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "net/executor.hpp"
#include "node/metrics.hpp"
#include "node/rpc/handler.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::daemon {

class WriteQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(node::rpc::Reply)>;
  static constexpr std::size_t kMaxGroup = 256;
  static constexpr std::size_t kMaxQueuedBytes = 64 * 1024 * 1024;  // beyond: the caller answers 503
  // Checkpoints: every kCheckpointEvery under load (up to kCheckpointAtMost while more
  // writes are queued), so that each copies little and its fsync never runs beside a
  // commit's (SQLite's own checkpoint inside a commit stays a backstop).
  static constexpr auto kCheckpointEvery = std::chrono::milliseconds(10), kCheckpointAtMost = std::chrono::milliseconds(50);

  // `ctx` (its store the writer), `storage` and `metrics` must outlive the queue. `answer`
  // answers a write (it counts it for the metrics first); `after_write` runs on the storage
  // thread after each group (wakes the retrieves that wait). A group starts no sooner than
  // `commit_interval` after the last commit ended (one fsync per interval at most).
  WriteQueue(node::rpc::Context& ctx, net::SerialExecutor& storage, node::Metrics& metrics,
             std::function<void(const Done&, node::rpc::Reply, Clock::time_point)> answer, std::function<void()> after_write,
             std::chrono::milliseconds commit_interval);

  // Queues `work`, which holds about `bytes` of memory; `done` gets its answer after the
  // commit. False (nothing queued) when the queue already holds kMaxQueuedBytes.
  bool push(node::rpc::Pending work, std::size_t bytes, Done done, Clock::time_point start);
  // A WAL checkpoint now, and its gauge (on the storage thread).
  void checkpoint();

 private:
  struct Queued {
    node::rpc::Pending work;
    std::size_t bytes;  // what it holds in memory (about), counted against kMaxQueuedBytes
    Done done;
    Clock::time_point start;
  };
  void drain();  // on the storage thread
  std::vector<node::rpc::Reply> apply_group(std::vector<Queued>& group);

  node::rpc::Context& ctx_;
  net::SerialExecutor& storage_;
  node::Metrics& metrics_;
  std::function<void(const Done&, node::rpc::Reply, Clock::time_point)> answer_;
  std::function<void()> after_write_;
  const std::chrono::milliseconds commit_interval_;
  std::mutex mu_;
  std::vector<Queued> queue_;     // guarded by mu_
  std::size_t queued_bytes_ = 0;  // guarded by mu_
  bool drain_posted_ = false;     // guarded by mu_
  Clock::time_point last_commit_;      // the storage thread's
  Clock::time_point last_checkpoint_;  // the storage thread's
};

}  // namespace sotto::daemon
