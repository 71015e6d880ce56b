#pragma once
// A sotto-node, assembled (docs/node.md; docs/architecture.md follows one request through
// it): its identity, TLS certificate and message store in the data dir; the HTTPS server
// routing the storage RPC (StorageService), onion requests (OnionRelay) and, in a network,
// the node-to-node endpoints (node::PeerService) and the consensus; the storage thread
// with its group commits, sweeps and checkpoints; in a network the ConsensusFollower and
// the SwarmWorker; metrics on the admin port. start() returns once it serves; stop() (or
// the destructor) answers what is in flight and closes the database.

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "daemon/node_options.hpp"

namespace sotto::daemon {

class NodeDaemon {
 public:
  // Errors name what failed: the data dir, the key, the certificate, the database, the
  // network file, an address.
  static Result<std::unique_ptr<NodeDaemon>> start(const NodeOptions& options);
  ~NodeDaemon();
  NodeDaemon(const NodeDaemon&) = delete;
  NodeDaemon& operator=(const NodeDaemon&) = delete;

  // Stops accepting, answers what is in flight and what waits, closes the database.
  // Idempotent.
  void stop();

  std::uint16_t port() const;
  std::uint16_t admin_port() const;
  std::string ed25519_hex() const;
  std::string x25519_hex() const;
  bool key_created() const;

  struct Parts;  // what it is made of (node_parts.hpp)

 private:
  explicit NodeDaemon(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace sotto::daemon
