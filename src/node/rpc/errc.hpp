#pragma once
// Errors of the storage RPC. Handlers return these; only to_wire_status (status.hpp)
// turns them into HTTP status codes, at the edge.

#include "base/error.hpp"

namespace sotto::node::rpc {

enum class Errc {
  BadRequest = 1,  // malformed JSON or parameters, oversize data
  Unauthorized,    // missing or wrong signature, unsupported auth
  Forbidden,       // a TTL outside the namespace's limits
  NotFound,        // delete with required=true deleted nothing; unknown method
  NotAcceptable,   // a timestamp outside the allowed window
  WrongSwarm,      // the account belongs to another swarm (the body names it)
  Internal,        // the store failed on every member
};
SOTTO_DECLARE_ERRC(Errc)

int to_wire_status(Errc e);

}  // namespace sotto::node::rpc

SOTTO_REGISTER_ERRC(sotto::node::rpc::Errc)
