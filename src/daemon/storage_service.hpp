#pragma once
// A storage RPC request on the node, from the socket's thread to its answer (docs/node.md):
// prepared on the I/O thread with a reader of the pool (node::rpc::prepare: reads are
// answered there), a retrieve that finds nothing and may wait is held in the long polls,
// and a write is queued for the storage thread (WriteQueue). Thread-safe.

#include <chrono>
#include <functional>
#include <string>

#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "daemon/long_poll.hpp"
#include "daemon/reader_pool.hpp"
#include "daemon/write_queue.hpp"
#include "node/metrics.hpp"
#include "node/swarm/swarm_view.hpp"

namespace sotto::daemon {

class StorageService {
 public:
  using Done = WriteQueue::Done;
  // Everything must outlive the service; the swarm view is set before the first request.
  StorageService(ReaderPool& readers, WriteQueue& writes, LongPolls& polls, node::Metrics& metrics, const base::Clock& clock,
                 const crypto::Keypair& keys)
      : readers_(readers), writes_(writes), polls_(polls), metrics_(metrics), clock_(clock), keys_(keys) {}
  void set_swarm(const node::SwarmView& swarm) { swarm_ = &swarm; }

  // One request body. `done` gets the answer once (after the commit, for a write; after a
  // wait, for a held retrieve). `may_wait`: a client's request, whose retrieve may wait.
  void handle(std::string body, Done done, bool may_wait);
  // Counts an answer for the metrics and gives it to `done`.
  void answer(const Done& done, node::rpc::Reply r, WriteQueue::Clock::time_point start);

 private:
  node::rpc::Prepared prepare(std::string_view body, bool may_wait);

  ReaderPool& readers_;
  WriteQueue& writes_;
  LongPolls& polls_;
  node::Metrics& metrics_;
  const base::Clock& clock_;
  const crypto::Keypair& keys_;
  const node::SwarmView* swarm_ = nullptr;
};

}  // namespace sotto::daemon
