#include "daemon/swarm_worker.hpp"

#include "base/log.hpp"

namespace sotto::daemon {

SwarmWorker::SwarmWorker(const crypto::Keypair& keys, const base::Clock& clock, node::PeerLink& link, const node::ConsensusSwarm& swarm,
                         std::string reader_path, node::StoreMessages store)
    : keys_(keys),
      swarm_(swarm),
      reader_path_(std::move(reader_path)),
      pusher_(keys, clock, link),
      anti_entropy_(keys, clock, link, std::move(store)) {}

SwarmWorker::~SwarmWorker() { stop(); }

void SwarmWorker::start() { thread_ = std::thread([this] { run(); }); }

void SwarmWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SwarmWorker::stopping() const {
  std::lock_guard lock(mu_);
  return stop_;
}

void SwarmWorker::consensus_changed(const directory::Consensus* before, const directory::Consensus& after) {
  {
    std::lock_guard lock(mu_);
    if (!work_.after) work_.before = before ? std::optional<directory::Consensus>(*before) : std::nullopt;  // the oldest before
    work_.after = after;  // the newest after
  }
  cv_.notify_all();
}

void SwarmWorker::epoch_began(bool sync_all) {
  {
    std::lock_guard lock(mu_);
    work_.tick = true;
    work_.sync_all = work_.sync_all || sync_all;
  }
  cv_.notify_all();
}

void SwarmWorker::run() {
  for (;;) {
    Work w;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || work_.tick || work_.after; });
      if (stop_) return;
      w = std::move(work_);
      work_ = Work{};
    }
    do_work(std::move(w));
  }
}

void SwarmWorker::do_work(Work w) {
  auto stop = [this] { return stopping(); };
  auto reader = node::storage::MessageStore::open_reader(reader_path_);
  if (!reader) return log::error("swarm_work_failed", {log::kv("reason", base::Plain(reader.error().message()))});
  if (w.tick) {  // earlier failures first; new ones wait for the next tick
    auto s = pusher_.retry(**reader, swarm_, swarm_.epoch(), stop);
    if (s.sent || s.abandoned) log::info("push_retried", {log::kv("sent", s.sent), log::kv("waiting", s.waiting), log::kv("abandoned", s.abandoned)});
    if (s.abandoned)  // the receiver's swarm peers and anti-entropy are the remaining way in
      log::warn("push_abandoned", {log::kv("accounts", s.abandoned), log::kv("after_attempts", node::kPushAttempts)});
  }
  if (w.after) {
    auto s = pusher_.push_moved(w.before ? &*w.before : nullptr, *w.after, **reader, stop);
    if (s.accounts) log::info("pushed", {log::kv("accounts", s.accounts), log::kv("sent", s.sent), log::kv("failed", s.failed)});
  }
  if (!w.tick) return;
  std::vector<node::NodeAddress> peers;
  for (const auto& m : swarm_.own_members().members)
    if (m.ed25519 != keys_.ed25519_public()) peers.push_back(m);
  if (peers.empty()) return;
  std::vector<node::NodeAddress> with;
  if (w.sync_all) with = peers;
  else with.push_back(peers[round_++ % peers.size()]);
  auto ours = [this](const node::storage::AccountKey& a) { return swarm_.is_ours(a); };
  for (const auto& p : with) {
    if (stopping()) return;
    auto s = anti_entropy_.sync_with(p, **reader, ours, stop);
    if (!s.failure.empty()) log::debug("sync_failed", {log::kv("reason", base::Plain(s.failure))});
    if (s.sent || s.fetched)
      log::info("synced", {log::kv("peer", base::Plain(p.ed25519.hex().substr(0, 16))), log::kv("sent", s.sent), log::kv("fetched", s.fetched)});
  }
}

}  // namespace sotto::daemon
