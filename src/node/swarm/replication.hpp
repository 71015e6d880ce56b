#pragma once
// Replication of a client's write (docs/node.md, "In a network"): the node that took it
// sends the request as it came to every other member of the swarm (POST
// /sotto/v1/replicate) and answers with every member's signed result under "swarm". This
// is the sans-IO part: what a peer's answer adds to the reply. Thread-safe.

#include <string>

#include "base/result.hpp"
#include "proto/storage_rpc_replies.hpp"

namespace sotto::node {

struct PeerAnswer {
  int status = 0;
  std::string body;
};

// The entry of member `peer_hex` (its Ed25519 key in hex) for the reply: its own entry in
// its answer (a JSON object within limits), or {"failed": true, "timeout": true} when it
// did not answer, or {"failed": status != 200, "code", "reason": the answer's first 200
// bytes} when its answer holds no entry of its own.
std::string peer_entry(const std::string& peer_hex, const Result<PeerAnswer>& answer);

// The entry of a member that could not even be asked (no connection could be made).
std::string unreachable_entry();

}  // namespace sotto::node
