#include "daemon/write_queue.hpp"

#include <thread>

#include "base/log.hpp"

namespace sotto::daemon {

WriteQueue::WriteQueue(node::rpc::Context& ctx, net::SerialExecutor& storage, node::Metrics& metrics,
                       std::function<void(const Done&, node::rpc::Reply, Clock::time_point)> answer, std::function<void()> after_write,
                       std::chrono::milliseconds commit_interval)
    : ctx_(ctx),
      storage_(storage),
      metrics_(metrics),
      answer_(std::move(answer)),
      after_write_(std::move(after_write)),
      commit_interval_(commit_interval),
      last_commit_(Clock::now() - commit_interval),
      last_checkpoint_(Clock::now()) {}

bool WriteQueue::push(node::rpc::Pending work, std::size_t bytes, Done done, Clock::time_point start) {
  bool post = false;
  {
    std::lock_guard lock(mu_);
    if (queued_bytes_ + bytes > kMaxQueuedBytes) return false;
    queued_bytes_ += bytes;
    queue_.push_back({std::move(work), bytes, std::move(done), start});
    post = !drain_posted_;
    drain_posted_ = true;
  }
  if (post) storage_.post([this] { drain(); });
  return true;
}

void WriteQueue::checkpoint() {
  last_checkpoint_ = Clock::now();
  auto p = ctx_.store.checkpoint();
  if (!p) return log::error("checkpoint_failed", {log::kv("reason", base::Plain(p.error().message()))});
  metrics_.gauge("wal_frames", static_cast<double>(p->wal_frames));
}

// Always a group, even of one: the commit is then timed in one place. Once SQLite has
// rolled the group back, nothing more may run in it; a failed commit fails every answer.
std::vector<node::rpc::Reply> WriteQueue::apply_group(std::vector<Queued>& group) {
  static const node::rpc::Reply kFailed{500, "the node could not commit to its database", false, {}, {}, {}};
  bool grouped = static_cast<bool>(ctx_.store.begin_group());
  std::vector<node::rpc::Reply> replies;
  replies.reserve(group.size());
  for (auto& q : group) replies.push_back(grouped && ctx_.store.group_broken() ? kFailed : node::rpc::apply(ctx_, q.work));
  auto commit_start = Clock::now();
  if (grouped)
    if (auto c = ctx_.store.end_group(); !c) {
      log::error("group_commit_failed", {log::kv("requests", group.size()), log::kv("reason", base::Plain(c.error().message()))});
      for (auto& r : replies) {
        std::string method = std::move(r.method);
        r = kFailed;
        r.method = std::move(method);
      }
    }
  last_commit_ = Clock::now();
  double commit_s = std::chrono::duration<double>(last_commit_ - commit_start).count();
  if (grouped) metrics_.latency("commit", commit_s);
  if (commit_s > 0.05) log::warn("slow_commit", {log::kv("ms", static_cast<std::int64_t>(commit_s * 1000)), log::kv("requests", group.size())});
  metrics_.count("group_commits", "size", group.size() >= 64 ? "64+" : group.size() >= 8 ? "8-63" : group.size() > 1 ? "2-7" : "1");
  return replies;
}

void WriteQueue::drain() {
  if (auto wait = last_commit_ + commit_interval_ - Clock::now(); wait > wait.zero()) std::this_thread::sleep_for(wait);
  std::vector<Queued> group;
  bool more = false;
  {
    std::lock_guard lock(mu_);
    std::size_t n = std::min(queue_.size(), kMaxGroup);
    group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    for (const auto& q : group) queued_bytes_ -= q.bytes;
    more = !queue_.empty();
    drain_posted_ = more;
  }
  if (more) storage_.post([this] { drain(); });
  if (group.empty()) return;
  auto replies = apply_group(group);
  for (std::size_t i = 0; i < group.size(); ++i) answer_(group[i].done, std::move(replies[i]), group[i].start);
  after_write_();
  // More writes already waiting (a load near the peak): they go first, and the checkpoint
  // waits up to kCheckpointAtMost, so that it copies more at a time.
  auto since = Clock::now() - last_checkpoint_;
  bool waiting = false;
  if (since >= kCheckpointEvery && since < kCheckpointAtMost) {
    std::lock_guard lock(mu_);
    waiting = !queue_.empty();
  }
  if (since >= kCheckpointAtMost || (since >= kCheckpointEvery && !waiting)) checkpoint();
}

}  // namespace sotto::daemon
