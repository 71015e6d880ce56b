#pragma once
// The node's pushes and anti-entropy (node::Pusher, node::AntiEntropy), on a worker thread
// of their own: under load they can take longer than an epoch, and a node that missed its
// registrations for them would drop out of the consensus. Work that piles up while it is
// busy is merged: consensus changes from the oldest `before` to the newest `after`, epoch
// ticks into one. Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "node/swarm/anti_entropy.hpp"
#include "node/swarm/consensus_swarm.hpp"
#include "node/swarm/pusher.hpp"

namespace sotto::daemon {

class SwarmWorker {
 public:
  // All must outlive the worker; `reader_path` is the message database (read-only here).
  // `pending_path` keeps the pushes waiting for retry between runs (node::encode_pending);
  // start() reads it, each round of work rewrites it.
  SwarmWorker(const crypto::Keypair& keys, const base::Clock& clock, node::PeerLink& link, const node::ConsensusSwarm& swarm,
              std::string reader_path, std::string pending_path, node::StoreMessages store);
  ~SwarmWorker();
  void start();
  void stop();

  // A newer consensus: its pushes.
  void consensus_changed(const directory::Consensus* before, const directory::Consensus& after);
  // An epoch began: retries of failed pushes, then anti-entropy with one swarm peer in
  // turn (with every peer when `sync_all`).
  void epoch_began(bool sync_all);

 private:
  struct Work {
    std::optional<directory::Consensus> before, after;  // a consensus change to push for
    bool tick = false;
    bool sync_all = false;
  };
  void run();
  void do_work(Work w);
  bool stopping() const;
  void load_pending();
  void save_pending();

  const crypto::Keypair& keys_;
  const node::ConsensusSwarm& swarm_;
  std::string reader_path_;
  std::string pending_path_;
  std::string saved_pending_;  // what pending_path_ holds now
  node::Pusher pusher_;
  node::AntiEntropy anti_entropy_;
  std::uint64_t round_ = 0;  // which peer anti-entropy picks next (the worker's)

  mutable std::mutex mu_;  // guards work_, stop_
  std::condition_variable cv_;
  Work work_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sotto::daemon
