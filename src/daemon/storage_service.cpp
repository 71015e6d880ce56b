#include "daemon/storage_service.hpp"

#include "base/log.hpp"

namespace sotto::daemon {

void StorageService::answer(const Done& done, node::rpc::Reply r, WriteQueue::Clock::time_point start) {
  metrics_.request(r.method, r.status);
  if (r.method == "store" || r.method == "retrieve")
    metrics_.latency(r.method, std::chrono::duration<double>(WriteQueue::Clock::now() - start).count());
  done(std::move(r));
}

// rpc::prepare() with a reader of the pool; a 500 if none could be opened.
node::rpc::Prepared StorageService::prepare(std::string_view body, bool may_wait) {
  node::rpc::Prepared prepared;
  auto reader = readers_.take();
  if (!reader) {
    log::error("reader_failed", {log::kv("reason", base::Plain(reader.error().message()))});
    prepared.reply = node::rpc::Reply{500, "the node could not open its database", false, {}, {}, {}};
    return prepared;
  }
  node::rpc::Context ctx{**reader, clock_, keys_, *swarm_, may_wait};
  return node::rpc::prepare(ctx, body);
}

void StorageService::handle(std::string body, Done done, bool may_wait) {
  auto start = WriteQueue::Clock::now();
  // A held request keeps its body: only small ones (a retrieve is well under 1 KiB) wait.
  node::rpc::Prepared prepared = prepare(body, may_wait && body.size() <= proto::kMaxWaitingBodyBytes);
  if (prepared.reply && prepared.reply->wait) {
    // Held until a message for it is stored here or its time is up; then run again
    // (without waiting) and answered.
    auto deadline = LongPolls::Clock::now() + std::chrono::milliseconds(prepared.reply->wait->ms);
    auto id = polls_.add(prepared.reply->wait->key, deadline, [this, body, done] { handle(body, done, false); });
    if (id == 0) return handle(std::move(body), std::move(done), false);  // not held: answer now
    // A message stored between the first look and add() woke nobody: look once more.
    prepared = prepare(body, true);
    if (prepared.reply && prepared.reply->wait) return;  // still nothing: it waits
    if (!polls_.cancel(id)) return;                        // it fired meanwhile and answers
    metrics_.count("long_polls", "result", "raced");
  }
  if (prepared.reply) return answer(done, std::move(*prepared.reply), start);
  // A single store holds its data; another write its typed request, a few times its text.
  std::size_t cost = body.size() * (prepared.pending->is_single_store() ? 1 : 3);
  if (!writes_.push(std::move(*prepared.pending), cost, done, start)) {
    metrics_.count("rejected", "cause", "busy");
    done(node::rpc::Reply{503, "Service busy, try again later", false, {}, {}, {}});
  }
}

}  // namespace sotto::daemon
