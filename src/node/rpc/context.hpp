#pragma once
// What a storage RPC request runs in on a node, and what it answers (the node's side of
// docs/wire/storage-rpc.md). The time comes from the injected Clock, the messages from
// the MessageStore, the swarm from a SwarmView. Sans-IO.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "node/storage/message_store.hpp"
#include "node/swarm/swarm_view.hpp"
#include "proto/storage_rpc_replies.hpp"

namespace sotto::node::rpc {

using proto::rpc::Errc;
using node::NodeAddress;
using node::SingleNodeSwarm;
using node::SwarmInfo;
using node::SwarmView;

struct Context {
  storage::MessageStore& store;
  const base::Clock& clock;
  const crypto::Keypair& node_keys;  // signs store results and deletion receipts
  const SwarmView& swarm;
  // A retrieve with `wait` that finds nothing answers with Reply::wait set instead of an
  // empty list. Only a single top-level retrieve waits, never one in a batch.
  bool may_wait = false;
};

// A retrieve that found nothing and asked to wait (sotto's long-poll extension,
// docs/wire/storage-rpc.md "Waiting for messages"): the caller may hold the request for
// up to `ms` and run it again (without waiting) once a message for `key` arrives.
struct WaitFor {
  std::string key;  // the account (hex) and namespace, "<66 hex>/<ns>"
  std::int64_t ms = 0;
};
// The key WaitFor names for an account and namespace.
std::string wait_key(std::span<const std::uint8_t> account, std::int64_t ns);

struct Reply {
  int status = 200;
  std::string body;  // JSON on success, a sentence on failure (empty while `swarm` holds it)
  bool json = true;
  std::string method;  // the method asked for, when the body named a known one (for metrics)
  std::optional<WaitFor> wait;  // only when Context::may_wait
  // A write's reply, not yet written: this member's entry. A node in a network adds its
  // swarm peers' entries (node/swarm/replication) before the reply is written; render()
  // writes it as it is.
  std::optional<proto::rpc::SwarmReply> swarm;
};

// The body of `r`, written now if it was held as a swarm reply.
std::string render(Reply&& r);

}  // namespace sotto::node::rpc
