#pragma once
// How a node reaches another node's node-to-node endpoints (docs/node.md, "In a network").
// The requests are signed by the caller (signed_call, peer_auth.hpp); a PeerLink only
// carries them: over HTTPS in the daemon (daemon/peer_link), in memory in the simulation
// (tests/sim). Implementations are thread-safe.

#include <functional>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "node/swarm/swarm_view.hpp"

namespace sotto::node {

struct PeerReply {
  int status = 0;
  std::string body;
};

class PeerLink {
 public:
  virtual ~PeerLink() = default;
  // POSTs `body` to `to`'s `path` with the X-Sotto-Node header `auth` and waits for the
  // answer. An error when none came (the node down, slow, or unreachable).
  virtual Result<PeerReply> call(const NodeAddress& to, const std::string& path, const std::string& body, const std::string& auth) = 0;
  // The same without waiting: `done` runs once, on any thread (replication).
  virtual void post(const NodeAddress& to, const std::string& path, std::string body, std::string auth,
                    std::function<void(Result<PeerReply>)> done) = 0;
};

// A call signed by this node now.
Result<PeerReply> signed_call(PeerLink& link, const crypto::Keypair& keys, const base::Clock& clock, const NodeAddress& to,
                              const std::string& path, const std::string& body);

}  // namespace sotto::node
