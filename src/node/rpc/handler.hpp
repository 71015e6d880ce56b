#pragma once
// The storage RPC, sans-IO: `handle` takes a request body and returns the status and body
// of the reply (docs/wire/storage-rpc.md). The time comes from the injected Clock, the
// messages from the MessageStore, the swarm from a SwarmView. Not thread-safe: the node
// calls it from its storage thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "node/rpc/swarm_view.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::node::rpc {

struct Reply {
  int status = 200;
  std::string body;  // JSON on success, a sentence on failure
  bool json = true;
  std::string method;  // the method asked for, when the body named a known one (for metrics)
};

struct Context {
  storage::MessageStore& store;
  const base::Clock& clock;
  const crypto::Keypair& node_keys;  // signs store results and deletion receipts
  const SwarmView& swarm;
};

inline constexpr std::size_t kMaxBodyBytes = 10 * 1024 * 1024;

// One request body of POST /storage_rpc/v1.
Reply handle(Context& ctx, std::string_view body);

}  // namespace sotto::node::rpc
