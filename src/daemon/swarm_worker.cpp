#include "daemon/swarm_worker.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd_io.hpp"
#include "base/log.hpp"

namespace sotto::daemon {

SwarmWorker::SwarmWorker(const crypto::Keypair& keys, const base::Clock& clock, node::PeerLink& link, const node::ConsensusSwarm& swarm,
                         std::string reader_path, std::string pending_path, node::StoreMessages store)
    : keys_(keys),
      swarm_(swarm),
      reader_path_(std::move(reader_path)),
      pending_path_(std::move(pending_path)),
      pusher_(keys, clock, link),
      anti_entropy_(keys, clock, link, std::move(store)) {}

SwarmWorker::~SwarmWorker() { stop(); }

void SwarmWorker::start() {
  load_pending();
  thread_ = std::thread([this] { run(); });
}

void SwarmWorker::load_pending() {
  int fd = ::open(pending_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) log::error("pending_pushes_unreadable", {log::kv("path", base::Plain(pending_path_)), log::kv("reason", base::Plain(std::strerror(errno)))});
    return;
  }
  auto text = base::read_all(fd, node::kMaxPendingPushesFile * 142, "the pending pushes " + pending_path_);
  ::close(fd);
  auto pending = text ? node::decode_pending({reinterpret_cast<const char*>(text->data()), text->size()})
                      : Result<std::vector<node::PendingPush>>(text.error());
  if (!pending) {
    // Kept aside for the operator, not overwritten: anti-entropy still repairs what the
    // lost pushes would have sent, but slower.
    std::string aside = pending_path_ + ".damaged";
    bool kept = ::rename(pending_path_.c_str(), aside.c_str()) == 0;
    log::error("pending_pushes_damaged", {log::kv("reason", base::Plain(pending.error().message())), log::kv("kept_as", base::Plain(kept ? aside : "(could not rename)"))});
    return;
  }
  saved_pending_.assign(reinterpret_cast<const char*>(text->data()), text->size());
  pusher_.add_pending(*pending);
  if (!pending->empty()) log::info("pending_pushes_loaded", {log::kv("pushes", pending->size())});
}

void SwarmWorker::save_pending() {
  std::string now = node::encode_pending(pusher_.pending_pushes());
  if (now == saved_pending_) return;
  if (now.empty()) {
    if (::unlink(pending_path_.c_str()) != 0 && errno != ENOENT)
      return log::error("pending_pushes_not_saved", {log::kv("reason", base::Plain(std::strerror(errno)))});
  } else if (auto w = base::write_file_atomic(pending_path_, now, 0600); !w) {
    return log::error("pending_pushes_not_saved", {log::kv("reason", base::Plain(w.error().message()))});  // tried again next round
  }
  saved_pending_ = std::move(now);
}

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
    save_pending();
  }
}

namespace {

// Messages a swarm peer's rules (or this node's) refused one by one: a sign of a peer with
// other rules, a clock far off, or a hostile peer. The reason names a rule, never content.
void log_refusals(std::size_t refused, const std::string& first) {
  if (refused) log::warn("messages_refused", {log::kv("count", refused), log::kv("first_reason", base::Plain(first))});
}

}  // namespace

void SwarmWorker::do_work(Work w) {
  auto stop = [this] { return stopping(); };
  auto reader = node::storage::MessageStore::open_reader(reader_path_);
  if (!reader) return log::error("swarm_work_failed", {log::kv("reason", base::Plain(reader.error().message()))});
  if (w.tick) {  // earlier failures first; new ones wait for the next tick
    auto s = pusher_.retry(**reader, swarm_, swarm_.epoch(), stop);
    if (s.sent || s.waiting) log::info("push_retried", {log::kv("sent", s.sent), log::kv("waiting", s.waiting)});
    log_refusals(s.refused, s.first_refusal);
  }
  if (w.after) {
    auto s = pusher_.push_moved(w.before ? &*w.before : nullptr, *w.after, **reader, stop);
    if (s.accounts) log::info("pushed", {log::kv("accounts", s.accounts), log::kv("sent", s.sent), log::kv("failed", s.failed)});
    log_refusals(s.refused, s.first_refusal);
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
    log_refusals(s.refused, s.first_refusal);
    if (s.sent || s.fetched)
      log::info("synced", {log::kv("peer", base::Plain(p.ed25519.hex().substr(0, 16))), log::kv("sent", s.sent), log::kv("fetched", s.fetched)});
  }
}

}  // namespace sotto::daemon
