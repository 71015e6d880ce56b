#pragma once
// The storage RPC, sans-IO: a request body in, the status and body of the reply out
// (docs/wire/storage-rpc.md). The time comes from the injected Clock, the messages from
// the MessageStore, the swarm from a SwarmView.
//
// Two phases, so that the node's one storage thread does only what must be serial:
//   prepare(): any thread. Answers at once whatever writes nothing: malformed requests,
//     info, get_swarm, and retrieve, get_expiries and revoked_subaccounts (also in
//     batches), which only read ctx.store (a reader is enough). A single store is
//     checked, its signature verified (and its subaccount token looked up in the
//     revocations), its message hash computed and its receipt signed here too, so that
//     apply() only inserts it. Other writes (delete, expire, the bulk methods, revoke and
//     unrevoke_subaccount, batches holding a write) are checked whole in apply().
//   apply(): the storage thread, ctx.store the writer. Runs a request that writes.
// handle() is prepare() then apply() with one Context.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "node/rpc/swarm_view.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::node::rpc {

// A retrieve that found nothing and asked to wait (sotto's long-poll extension,
// docs/wire/storage-rpc.md "Waiting for messages"): the caller may hold the request for
// up to `ms` and run it again (without waiting) once a message for `key` arrives.
struct WaitFor {
  std::string key;  // the account (hex) and namespace, "<66 hex>/<ns>"
  std::int64_t ms = 0;
};

struct Reply {
  int status = 200;
  std::string body;  // JSON on success, a sentence on failure
  bool json = true;
  std::string method;  // the method asked for, when the body named a known one (for metrics)
  std::optional<WaitFor> wait;  // only when Context::may_wait
};

// The key WaitFor names for an account and namespace.
std::string wait_key(std::span<const std::uint8_t> account, std::int64_t ns);

struct Context {
  storage::MessageStore& store;
  const base::Clock& clock;
  const crypto::Keypair& node_keys;  // signs store results and deletion receipts
  const SwarmView& swarm;
  // A retrieve with `wait` that finds nothing answers with Reply::wait set instead of an
  // empty list. Only a single top-level retrieve waits, never one in a batch.
  bool may_wait = false;
};

inline constexpr std::int64_t kMaxWaitSeconds = 25;

inline constexpr std::size_t kMaxBodyBytes = 10 * 1024 * 1024;

// A checked request that writes, waiting for apply(). Opaque; movable.
class Pending {
 public:
  struct Impl;
  explicit Pending(std::unique_ptr<Impl> impl);
  Pending(Pending&&) noexcept;
  Pending& operator=(Pending&&) noexcept;
  ~Pending();
  Impl& impl() { return *impl_; }
  bool is_single_store() const;

 private:
  std::unique_ptr<Impl> impl_;
};

// Either the finished reply or the work left for apply().
struct Prepared {
  std::optional<Reply> reply;
  std::optional<Pending> pending;
};

// One request body of POST /storage_rpc/v1. prepare() never writes to ctx.store.
Prepared prepare(Context& ctx, std::string_view body);
Reply apply(Context& ctx, Pending& work);
Reply handle(Context& ctx, std::string_view body);

}  // namespace sotto::node::rpc
