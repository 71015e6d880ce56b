#pragma once
// The storage RPC's methods on a node, one function each over its typed request
// (proto/storage_rpc.hpp), and the checks they share, in the order Session's storage
// server makes them: the swarm, a timestamp's window, the client's signature (with
// subaccounts). Internal to node/rpc (dispatch.cpp runs them); each returns what the
// node answers or the error it answers with.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/rpc/context.hpp"
#include "proto/storage_rpc.hpp"

namespace sotto::node::rpc {

// What a method answers: a body already written (JSON), a write's swarm reply (written
// later, when the peers' entries are in), or a wait (retrieve).
struct Out {
  int status = 200;
  std::string body;
  std::optional<proto::rpc::SwarmReply> swarm;
  std::optional<WaitFor> wait;
};
using R = Result<Out>;

// --- Shared checks ---

// WrongSwarm (421) naming the account's swarm, unless this node's swarm serves it.
Result<void> check_swarm(Context& ctx, const proto::rpc::AccountKey& pk);
// NotAcceptable (406) unless `ts` is within kSignatureToleranceMs of `now`.
Result<void> check_window(std::int64_t ts, std::int64_t now, const char* what);
// Verifies a.signature over `signed_string` for account `pk` (Unauthorized otherwise).
// With a subaccount token the request is signed by the token's key instead, and the token
// must be signed by the account's key, not revoked (unless `check_revoked` is false),
// meant for this account's prefix (or carry AnyPrefix), and grant every flag in `need`
// (session-v1.md §3.2).
Result<void> verify(Context& ctx, const proto::rpc::AccountKey& pk, const proto::rpc::Auth& a, std::string_view signed_string,
                    const char* method, std::uint8_t need, bool check_revoked = true);
// This node's signature (base64) over `message`.
std::string node_signature(Context& ctx, std::string_view message);
// A write's reply holding this node's entry (a JSON object).
proto::rpc::SwarmReply own_reply(Context& ctx, std::string entry, std::int64_t now);

// --- Methods ---

// A store, checked and signed, ready to commit: plan_store() makes it on any thread, the
// storage thread only inserts it (commit_store).
struct StorePlan {
  proto::rpc::AccountKey pk{};
  proto::Namespace ns = 0;
  proto::rpc::Hash hash{};
  crypto::Signature receipt{};  // this node's signature over the hash's text, sent once it is stored
  std::int64_t timestamp = 0, expiry = 0;
  Bytes data;
};
Result<StorePlan> plan_store(Context& ctx, proto::rpc::Store&& r, std::int64_t now);
Out commit_store(Context& ctx, const StorePlan& plan, std::int64_t now);

R retrieve(Context& ctx, const proto::rpc::Retrieve& r, std::int64_t now);
R delete_msgs(Context& ctx, const proto::rpc::Delete& r, std::int64_t now);
R delete_all(Context& ctx, const proto::rpc::DeleteAll& r, std::int64_t now);
R delete_before(Context& ctx, const proto::rpc::DeleteBefore& r, std::int64_t now);
R expire_all(Context& ctx, const proto::rpc::ExpireAll& r, std::int64_t now);
R expire(Context& ctx, const proto::rpc::Expire& r, std::int64_t now);
R get_expiries(Context& ctx, const proto::rpc::GetExpiries& r, std::int64_t now);
R revoke_subaccount(Context& ctx, const proto::rpc::RevokeSubaccount& r, std::int64_t now);
R unrevoke_subaccount(Context& ctx, const proto::rpc::UnrevokeSubaccount& r, std::int64_t now);
R revoked_subaccounts(Context& ctx, const proto::rpc::RevokedSubaccounts& r, std::int64_t now);
R get_swarm(Context& ctx, const proto::rpc::GetSwarm& r, std::int64_t now);
R info(Context& ctx, const proto::rpc::Info& r, std::int64_t now);

}  // namespace sotto::node::rpc
