// Subaccount revocations, get_expiries, get_swarm and info on the node
// (docs/wire/storage-rpc.md, "Methods" and "Subaccounts").

#include <nlohmann/json.hpp>

#include "node/rpc/methods.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::node::rpc {

namespace {

using nlohmann::json;
using namespace proto::rpc;

// The account's own key (never a subaccount) changes its revocations on this node, with a
// timestamp in the window.
template <class T>
Result<void> token_checks(Context& ctx, const T& r, const char* method, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  if (auto w = check_window(r.timestamp, now, method); !w) return std::move(w).error();
  if (r.auth.subaccount) return Error(Errc::Unauthorized, std::string(method) + ": only the account's own key may do this, not a subaccount");
  return {};
}

std::vector<Bytes> token_bytes(const std::vector<SubaccountToken>& tokens) {
  std::vector<Bytes> out;
  for (const auto& t : tokens) out.emplace_back(t.begin(), t.end());
  return out;
}

// revoke / unrevoke: verified, applied by `op` (which may add to this member's entry), and
// answered with this member's signature over pubkey ‖ timestamp ‖ the tokens' bytes.
template <class T, class Op>
R token_change(Context& ctx, const T& r, const char* method, std::int64_t now, const std::string& signed_string, Op&& op) {
  if (auto c = token_checks(ctx, r, method, now); !c) return std::move(c).error();
  if (auto v = verify(ctx, r.pubkey, r.auth, signed_string, method, 0); !v) return std::move(v).error();
  json me;
  if (auto applied = op(me); !applied) return std::move(applied).error();
  std::string signed_msg = base::to_hex(r.pubkey) + std::to_string(r.timestamp);
  for (const auto& t : r.tokens) signed_msg.append(t.begin(), t.end());
  me["signature"] = node_signature(ctx, signed_msg);
  Out out;
  out.swarm = own_reply(ctx, me.dump(), now);
  return out;
}

std::string with_misc(json body, std::int64_t now) {
  body["t"] = now;
  body["hf"] = {proto::kHardforkMajor, proto::kHardforkMinor};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

R revoke_subaccount(Context& ctx, const RevokeSubaccount& r, std::int64_t now) {
  auto raw = token_bytes(r.tokens);
  return token_change(ctx, r, "revoke_subaccount", now, proto::signed_revoke_subaccount(r.timestamp, raw), [&](json&) -> Result<void> {
    if (!ctx.store.revoke_subaccounts(r.pubkey, r.tokens)) return Error(Errc::Internal, "Internal Server Error. Could not revoke");
    return {};
  });
}

R unrevoke_subaccount(Context& ctx, const UnrevokeSubaccount& r, std::int64_t now) {
  auto raw = token_bytes(r.tokens);
  return token_change(ctx, r, "unrevoke_subaccount", now, proto::signed_unrevoke_subaccount(r.timestamp, raw), [&](json& me) -> Result<void> {
    auto n = ctx.store.unrevoke_subaccounts(r.pubkey, r.tokens);
    if (!n) return Error(Errc::Internal, "Internal Server Error. Could not unrevoke");
    me["count"] = *n;
    return {};
  });
}

R revoked_subaccounts(Context& ctx, const RevokedSubaccounts& r, std::int64_t now) {
  if (auto c = token_checks(ctx, r, "revoked_subaccounts", now); !c) return std::move(c).error();
  if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_revoked_subaccounts(r.timestamp), "revoked_subaccounts", 0); !v)
    return std::move(v).error();
  auto list = ctx.store.revoked_subaccounts(r.pubkey);
  if (!list) return Error(Errc::Internal, "Internal Server Error. Could not read revocations");
  json tokens = json::array();
  for (const auto& t : *list) tokens.push_back(base::to_base64(t));
  Out out;
  out.body = with_misc({{"revoked_subaccounts", std::move(tokens)}}, now);
  return out;
}

R get_expiries(Context& ctx, const GetExpiries& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  if (auto w = check_window(r.timestamp, now, "get_expiries"); !w) return std::move(w).error();
  if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_get_expiries(r.timestamp, hash_texts(r.messages)), "get_expiries", kRead); !v)
    return std::move(v).error();
  auto ex = ctx.store.get_expiries(r.pubkey, r.messages);
  if (!ex) return Error(Errc::Internal, "Internal Server Error. Could not read expiries");
  json e = json::object();
  for (const auto& [h, v] : *ex) e[hash_text(h)] = v;
  Out out;
  out.body = with_misc({{"expiries", std::move(e)}}, now);
  return out;
}

R get_swarm(Context& ctx, const GetSwarm& r, std::int64_t now) {
  auto info = ctx.swarm.swarm_for(r.pubkey);
  SwarmMembers members{info.id, {}};
  for (const auto& n : info.members) members.nodes.push_back({n.ed25519, n.x25519, n.ip, n.https_port});
  Out out;
  out.body = encode(members, now);
  return out;
}

R info(Context&, const Info&, std::int64_t now) {
  Out out;
  out.body = encode_info(now);
  return out;
}

}  // namespace sotto::node::rpc
