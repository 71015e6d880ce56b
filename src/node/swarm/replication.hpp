#pragma once
// Replication of a client's write (docs/node.md, "In a network"): the node that took it
// sends the request as it came to every other member of the swarm (POST
// /sotto/v1/replicate, signed) and answers with every member's signed result under
// "swarm". Sans-IO over a PeerLink. Thread-safe.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "node/swarm/peer_link.hpp"
#include "proto/storage_rpc_replies.hpp"

namespace sotto::node {

// The entry of member `peer_hex` (its Ed25519 key in hex) for the reply: its own entry in
// its answer (a JSON object within limits), or {"failed": true, "timeout": true} when it
// did not answer, {"failed": true, "reason": "no connection"} when it could not be asked,
// or {"failed": status != 200, "code", "reason": the answer's first 200 bytes} when its
// answer holds no entry of its own.
std::string peer_entry(const std::string& peer_hex, const Result<PeerReply>& answer);

// Sends `body` (a client's write this node applied) to every one of `peers` and calls
// `done` once, when each has answered or failed, with each peer's entry (peer_entry),
// keyed by its Ed25519 key in hex. With no peers, `done` runs at once.
using Entries = std::vector<std::pair<std::string, std::string>>;
void replicate(PeerLink& link, const crypto::Keypair& keys, const base::Clock& clock, const std::vector<NodeAddress>& peers,
               const std::string& body, std::function<void(Entries)> done);

}  // namespace sotto::node
