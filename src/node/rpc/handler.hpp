#pragma once
// The storage RPC on a node, sans-IO: a request body in, the status and body of the reply
// out (docs/wire/storage-rpc.md). The body is decoded once (proto/storage_rpc.hpp) into a
// typed request; each method (node/rpc/methods.hpp) checks and runs it against
// Context's store, clock and swarm.
//
// Two phases, so that the node's one storage thread does only what must be serial:
//   prepare(): any thread. Answers at once whatever writes nothing: malformed requests,
//     info, get_swarm, and retrieve, get_expiries and revoked_subaccounts (also in
//     batches), which only read ctx.store (a reader is enough). A single store is
//     checked, its signature verified (and its subaccount token looked up in the
//     revocations), its message hash computed and its receipt signed here too, so that
//     apply() only inserts it. Other writes (delete, expire, the bulk methods, revoke and
//     unrevoke_subaccount, batches holding a write) are decoded here and checked whole
//     in apply().
//   apply(): the storage thread, ctx.store the writer. Runs a request that writes.
// handle() is prepare() then apply() with one Context, and writes the reply.

#include <memory>
#include <optional>
#include <string_view>

#include "node/rpc/context.hpp"

namespace sotto::node::rpc {

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
// prepare() then apply(), with the reply's body written (Reply::swarm rendered).
Reply handle(Context& ctx, std::string_view body);

}  // namespace sotto::node::rpc
