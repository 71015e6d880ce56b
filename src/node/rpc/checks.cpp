// The checks every storage RPC method shares, on the node (docs/wire/storage-rpc.md,
// "Common parameters" and "Subaccounts").

#include <algorithm>

#include "crypto/account_id.hpp"
#include "node/rpc/methods.hpp"

namespace sotto::node::rpc {

using proto::rpc::AccountKey;
using proto::rpc::Auth;

std::string wait_key(std::span<const std::uint8_t> account, std::int64_t ns) { return base::to_hex(account) + "/" + std::to_string(ns); }

std::string render(Reply&& r) {
  if (r.swarm) return proto::rpc::encode(*r.swarm);
  return std::move(r.body);
}

Result<void> check_swarm(Context& ctx, const AccountKey& pk) {
  if (ctx.swarm.is_ours(pk)) return {};
  auto info = ctx.swarm.swarm_for(pk);
  proto::rpc::SwarmMembers members{info.id, {}};
  for (const auto& n : info.members) members.nodes.push_back({n.ed25519, n.x25519, n.ip, n.https_port});
  return Error(Errc::WrongSwarm, proto::rpc::encode(members, std::nullopt));
}

Result<void> check_window(std::int64_t ts, std::int64_t now, const char* what) {
  if (ts < now - proto::kSignatureToleranceMs || ts > now + proto::kSignatureToleranceMs)
    return Error(Errc::NotAcceptable, std::string(what) + " timestamp too far from current time");
  return {};
}

Result<void> verify(Context& ctx, const AccountKey& pk, const Auth& a, std::string_view signed_string, const char* method,
                    std::uint8_t need, bool check_revoked) {
  using proto::rpc::kAnyPrefix;
  std::string m(method);
  if (!a.signature) return Error(Errc::Unauthorized, m + ": request signature required");
  crypto::Ed25519Public key;
  if (pk[0] == 0x05) {
    if (!a.pubkey_ed25519) return Error(Errc::Unauthorized, m + ": pubkey_ed25519 is required for 05 accounts");
    auto x = crypto::to_x25519(*a.pubkey_ed25519);
    if (!x || !std::equal(x->bytes.begin(), x->bytes.end(), pk.begin() + 1))
      return Error(Errc::Unauthorized, m + ": pubkey_ed25519 does not belong to pubkey");
    key = *a.pubkey_ed25519;
  } else {
    std::copy(pk.begin() + 1, pk.end(), key.bytes.begin());
  }
  if (a.subaccount) {
    const auto& t = *a.subaccount;
    auto refuse = [&](const char* why) { return Error(Errc::Unauthorized, m + " signature verification failed: " + why); };
    if (check_revoked) {
      auto revoked = ctx.store.is_revoked(pk, t);
      if (!revoked) return Error(Errc::Internal, "Internal Server Error. Could not check the subaccount");
      if (*revoked) return refuse("the subaccount token is revoked");
    }
    if (t[0] != pk[0] && !(t[1] & kAnyPrefix)) return refuse("the subaccount token is for another network prefix");
    if ((t[1] & need) != need) return refuse("the subaccount token lacks a permission this request needs");
    if (!a.subaccount_sig || !crypto::verify(*a.subaccount_sig, ByteView(t), key))
      return refuse("the subaccount token is not signed by the account's key");
    std::copy(t.begin() + 4, t.end(), key.bytes.begin());
  }
  if (!crypto::verify(*a.signature, as_bytes(signed_string), key)) return Error(Errc::Unauthorized, m + " signature verification failed");
  return {};
}

std::string node_signature(Context& ctx, std::string_view message) {
  return base::to_base64(crypto::sign(ctx.node_keys.ed25519_secret(), as_bytes(message)));
}

proto::rpc::SwarmReply own_reply(Context& ctx, std::string entry, std::int64_t now) {
  proto::rpc::SwarmReply r;
  r.members.emplace_back(ctx.node_keys.ed25519_public().hex(), std::move(entry));
  r.t = now;
  return r;
}

}  // namespace sotto::node::rpc
