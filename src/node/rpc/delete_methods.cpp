// delete, delete_all, delete_before, expire_all and expire on the node
// (docs/wire/storage-rpc.md, "Methods"): each answers with this member's entry, signed over
// what it did.

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "node/rpc/methods.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::node::rpc {

namespace {

using nlohmann::json;
using namespace proto::rpc;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// delete_all / delete_before / expire_all answer with the touched hashes: a sorted list
// for one namespace, {ns: [...]} for all; the node signs pubkey ‖ value ‖ sorted hashes.
std::string affected_entry(Context& ctx, const char* key, std::vector<storage::Affected> touched, bool all, const AccountKey& pk,
                           std::int64_t value) {
  std::vector<std::pair<std::string, proto::Namespace>> named;
  for (const auto& t : touched) named.emplace_back(hash_text(t.hash), t.ns);
  std::sort(named.begin(), named.end());
  std::string signed_msg = base::to_hex(pk) + std::to_string(value);
  for (const auto& [h, ns] : named) signed_msg += h;
  json me{{"signature", node_signature(ctx, signed_msg)}};
  if (all) {
    json groups = json::object();
    for (const auto& [h, ns] : named) groups[std::to_string(ns)].push_back(h);
    me[key] = std::move(groups);
  } else {
    json list = json::array();
    for (const auto& [h, ns] : named) list.push_back(h);
    me[key] = std::move(list);
  }
  return dump(me);
}

// The bulk methods after their own time rule and signature (`op`): the store's answer
// signed, or Internal.
R bulk_reply(Context& ctx, const AccountKey& pk, NsOrAll ns, std::int64_t value, const char* reply_key, std::int64_t now,
             Result<std::vector<storage::Affected>> touched) {
  if (!touched) {
    if (touched.error().code().category() == errc_category(Errc::Internal)) return std::move(touched).error();
    return Error(Errc::Internal, "Internal Server Error. The message store failed");
  }
  Out out;
  out.swarm = own_reply(ctx, affected_entry(ctx, reply_key, std::move(*touched), !ns, pk, value), now);
  return out;
}

}  // namespace

R delete_msgs(Context& ctx, const Delete& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  const auto requested = hash_texts(r.messages);
  if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_delete(requested), "delete_msgs", kDelete); !v) return std::move(v).error();
  auto deleted = ctx.store.delete_hashes(r.pubkey, r.messages);
  if (!deleted) return Error(Errc::Internal, "Internal Server Error. Could not delete messages");
  std::vector<std::string> names = hash_texts(*deleted);
  std::sort(names.begin(), names.end());
  std::string signed_msg = base::to_hex(r.pubkey);
  for (const auto& h : requested) signed_msg += h;
  for (const auto& h : names) signed_msg += h;
  Out out;
  out.swarm = own_reply(ctx, dump(json{{"deleted", names}, {"signature", node_signature(ctx, signed_msg)}}), now);
  if (r.required && names.empty()) out.status = 404;
  return out;
}

R delete_all(Context& ctx, const DeleteAll& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  if (auto w = check_window(r.timestamp, now, "delete_all"); !w) return std::move(w).error();
  if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_delete_all(r.ns, r.timestamp), "delete_all", kDelete); !v)
    return std::move(v).error();
  return bulk_reply(ctx, r.pubkey, r.ns, r.timestamp, "deleted", now, ctx.store.delete_all(r.pubkey, r.ns));
}

R delete_before(Context& ctx, const DeleteBefore& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  if (r.before > now + proto::kSignatureToleranceMs) return Error(Errc::Unauthorized, "delete_before timestamp too far in the future");
  if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_delete_before(r.ns, r.before), "delete_before", kDelete); !v)
    return std::move(v).error();
  return bulk_reply(ctx, r.pubkey, r.ns, r.before, "deleted", now, ctx.store.delete_before(r.pubkey, r.ns, r.before));
}

R expire_all(Context& ctx, const ExpireAll& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  if (r.expiry < now - proto::kSignatureToleranceMs) return Error(Errc::NotAcceptable, "expire_all timestamp should be >= current time");
  if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_expire_all(r.ns, r.expiry), "expire_all", kDelete); !v)
    return std::move(v).error();
  return bulk_reply(ctx, r.pubkey, r.ns, r.expiry, "updated", now, ctx.store.expire_all(r.pubkey, r.ns, r.expiry));
}

// One expiry for every hash, or one per hash. Signed: pubkey ‖ the expiry (or each updated
// hash's, in the order of `updated`) ‖ the requested hashes ‖ the updated hashes ‖ each
// unchanged hash and its expiry.
R expire(Context& ctx, const Expire& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  for (auto e : r.expiries)
    if (e < now - proto::kSignatureToleranceMs) return Error(Errc::Unauthorized, "expire: timestamp should be >= current time");
  const auto requested = hash_texts(r.messages);
  auto signed_mode = r.shorten ? proto::ExpireMode::Shorten : r.extend ? proto::ExpireMode::Extend : proto::ExpireMode::Any;
  if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_expire(signed_mode, r.expiries, requested), "expire", kWrite); !v)
    return std::move(v).error();
  auto mode = r.shorten ? storage::ExpireMode::Shorten : r.extend ? storage::ExpireMode::Extend : storage::ExpireMode::Any;
  if (r.auth.subaccount && !((*r.auth.subaccount)[1] & kDelete)) {  // without Delete a token only extends
    if (r.shorten) return Error(Errc::BadRequest, "expire: shorten parameter cannot be used with this subaccount token (missing delete access)");
    mode = storage::ExpireMode::Extend;
  }
  std::vector<std::int64_t> used;  // each capped at the longest TTL
  for (auto e : r.expiries) used.push_back(std::min(e, now + proto::kTtlMaxPrivateMs));
  std::vector<std::int64_t> each = r.per_message() ? used : std::vector<std::int64_t>(r.messages.size(), used[0]);
  auto updated = ctx.store.expire_each(r.pubkey, r.messages, each, mode);
  if (!updated) return Error(Errc::Internal, "Internal Server Error. Could not update expiries");
  std::vector<std::pair<std::string, std::int64_t>> changed;  // by hash text, as Session sorts
  for (const auto& [h, e] : *updated) changed.emplace_back(hash_text(h), e);
  std::sort(changed.begin(), changed.end());
  std::map<std::string, std::int64_t> unchanged;
  if (r.shorten || r.extend) {
    std::vector<Hash> rest;
    for (std::size_t i = 0; i < r.messages.size(); ++i)
      if (!std::binary_search(changed.begin(), changed.end(), std::pair{requested[i], std::int64_t{0}},
                              [](const auto& x, const auto& y) { return x.first < y.first; }))
        rest.push_back(r.messages[i]);
    auto ex = ctx.store.get_expiries(r.pubkey, rest);
    if (!ex) return Error(Errc::Internal, "Internal Server Error. Could not read expiries");
    for (const auto& [h, e] : *ex) unchanged[hash_text(h)] = e;
  }
  json me;
  std::string signed_msg = base::to_hex(r.pubkey);
  json names = json::array(), expiries = json::array();
  if (r.per_message()) {
    for (const auto& [h, e] : changed) signed_msg += std::to_string(e), expiries.push_back(e);
    me["expiry"] = std::move(expiries);
  } else {
    signed_msg += std::to_string(used[0]);
    me["expiry"] = used[0];
  }
  for (const auto& h : requested) signed_msg += h;
  for (const auto& [h, e] : changed) signed_msg += h, names.push_back(h);
  for (const auto& [h, e] : unchanged) signed_msg += h + std::to_string(e);
  me["updated"] = std::move(names);
  if (r.shorten || r.extend) me["unchanged"] = unchanged;
  me["signature"] = node_signature(ctx, signed_msg);
  Out out;
  out.swarm = own_reply(ctx, dump(me), now);
  return out;
}

}  // namespace sotto::node::rpc
