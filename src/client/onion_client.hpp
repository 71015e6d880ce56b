#pragma once
// Storage RPCs through onion paths (docs/wire/onion-request.md): the path from PathPool,
// the layers from onion::build_request, one POST to the guard through the Transport, the
// reply opened with the request's keys. A failure in transit strikes the node or path it points at and
// the request goes once more on another path, with new layers. Blocking; not thread-safe
// (one request at a time per object).

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "client/paths.hpp"
#include "client/transport.hpp"
#include "directory/consensus.hpp"

namespace sotto::client {

struct OnionResult {
  int status = 0;             // the destination's storage RPC status
  std::string body;           // its body
  std::vector<std::string> path;  // the Ed25519 hex of the hops used, guard first
  std::string destination;    // Ed25519 hex
  int attempts = 0;           // 1, or 2 after a failure in transit
  std::vector<std::string> failures;  // what went wrong on the attempts that failed
};

class OnionClient {
 public:
  // `transport` and `rng` must outlive the client.
  OnionClient(Transport& transport, base::Rng& rng);
  OnionClient(const OnionClient&) = delete;
  OnionClient& operator=(const OnionClient&) = delete;

  void set_nodes(std::vector<directory::ConsensusNode> nodes) { pool_.set_nodes(std::move(nodes)); }
  PathPool& pool() { return pool_; }

  // Sends the storage RPC `payload` ({"method", "params"}) to `destination` through a
  // path. Errors: NoPath (too few nodes), Unreachable (both attempts failed in transit:
  // the message says what each attempt met).
  Result<OnionResult> rpc(const directory::ConsensusNode& destination, std::string_view payload);

 private:
  Transport& transport_;
  base::Rng& rng_;
  PathPool pool_;
};

}  // namespace sotto::client
