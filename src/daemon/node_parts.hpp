#pragma once
// What a NodeDaemon is made of, and how the parts are put together (internal to
// daemon/node*.cpp). Construction order is the order of the members: what a part refers to
// is declared before it.

#include <memory>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "daemon/consensus_follower.hpp"
#include "daemon/long_poll.hpp"
#include "daemon/node.hpp"
#include "daemon/onion_relay.hpp"
#include "daemon/https_peer_link.hpp"
#include "daemon/reader_pool.hpp"
#include "daemon/storage_service.hpp"
#include "daemon/swarm_worker.hpp"
#include "daemon/write_queue.hpp"
#include "net/executor.hpp"
#include "net/server.hpp"
#include "net/tls_cert.hpp"
#include "node/metrics.hpp"
#include "node/rpc/handler.hpp"
#include "node/swarm/peer_service.hpp"

namespace sotto::daemon {

struct NodeDaemon::Parts {
  explicit Parts(const NodeOptions& o) : options(o) {}
  NodeOptions options;
  bool stopped = false;
  // The data dir.
  std::unique_ptr<crypto::Keypair> keys;
  bool key_created = false;
  net::CertificatePem cert;
  std::string db_path;
  std::unique_ptr<node::storage::MessageStore> store;  // the writer: the storage thread's alone
  std::unique_ptr<ReaderPool> readers;
  std::string announced_ip;
  // The service.
  base::SystemClock clock;
  node::Metrics metrics;
  net::SerialExecutor storage;  // the storage thread
  LongPolls polls;
  // In a network (all null alone).
  std::unique_ptr<ConsensusFollower> follower;
  std::unique_ptr<HttpsPeerLink> link;
  std::unique_ptr<node::PeerService> peers;
  std::unique_ptr<SwarmWorker> worker;
  // Alone: this node is the one swarm.
  std::unique_ptr<node::SingleNodeSwarm> single;
  std::unique_ptr<node::rpc::Context> writer_ctx;
  std::unique_ptr<WriteQueue> writes;
  std::unique_ptr<StorageService> rpc;
  std::unique_ptr<OnionRelay> onion;
  std::unique_ptr<net::Server> server;
  std::unique_ptr<net::Server> admin;

  const node::SwarmView& swarm() const;
};

// The follower, the peer link, what the node answers other nodes, and the swarm worker.
void build_network(NodeDaemon::Parts& p, directory::Network net);
// The write queue, the storage RPC, the onion relay, the HTTPS server (listening and
// serving) and the admin server (not yet started). Errors: an address in use or invalid.
Result<void> build_service(NodeDaemon::Parts& p);

}  // namespace sotto::daemon
