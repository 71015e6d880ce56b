// store and retrieve on the node (docs/wire/storage-rpc.md, "Methods"; sotto's `wait`
// extension, "Waiting for messages").

#include <algorithm>

#include "node/rpc/methods.hpp"
#include "proto/message_hash.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::node::rpc {

using namespace proto::rpc;

Result<StorePlan> plan_store(Context& ctx, Store&& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  const std::int64_t exp = r.expiry_ms();  // the decoder checked that it does not overflow
  std::int64_t ttl_ms = 0;
  if (__builtin_sub_overflow(exp, r.timestamp, &ttl_ms) || ttl_ms < proto::kTtlMinMs || ttl_ms > proto::max_ttl_ms(r.ns))
    return Error(Errc::Forbidden, "Provided expiry/TTL is not valid.");
  if (r.timestamp > now + proto::kStoreToleranceMs || exp < now - proto::kStoreToleranceMs)
    return Error(Errc::NotAcceptable, "Timestamp error: check your clock");
  if (!proto::is_public_inbox(r.ns)) {
    if (!r.auth.signature) return Error(Errc::Unauthorized, "store: signature required to store to namespace " + std::to_string(r.ns));
    std::int64_t st = r.sig_timestamp.value_or(r.timestamp);
    if (st < now - proto::kSignatureToleranceMs || st > now + proto::kSignatureToleranceMs)
      return Error(Errc::NotAcceptable, "store signature timestamp too far from current time");
    std::uint8_t need = proto::is_public_outbox(r.ns) ? kWrite | kDelete : kWrite;  // an outbox store replaces
    if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_store(r.ns, st), "store", need); !v) return std::move(v).error();
  }
  StorePlan plan{r.pubkey, r.ns, proto::message_hash_raw(r.pubkey, r.ns, r.data), {}, r.timestamp, exp, std::move(r.data)};
  plan.receipt = crypto::sign(ctx.node_keys.ed25519_secret(), as_bytes(hash_text(plan.hash)));
  return plan;
}

Out commit_store(Context& ctx, const StorePlan& plan, std::int64_t now) {
  auto stored = ctx.store.store({plan.pk, plan.ns, plan.hash, plan.timestamp, plan.expiry, plan.data});
  Out out;
  if (stored) {
    StoreReceipt receipt{plan.hash, plan.receipt, stored->expiry_ms, stored->already, now};
    out.swarm = own_reply(ctx, encode_member(receipt), now);
    out.swarm->hash = plan.hash;
  } else {
    out.swarm = own_reply(ctx, encode_member(MemberFailure{true, stored.error().message(), {}, false}), now);
    out.status = 500;  // no member stored it
  }
  return out;
}

R retrieve(Context& ctx, const Retrieve& r, std::int64_t now) {
  if (auto s = check_swarm(ctx, r.pubkey); !s) return std::move(s).error();
  if (r.is_signed()) {
    if (auto w = check_window(*r.timestamp, now, "retrieve"); !w) return std::move(w).error();
    // A member removed from a group still reads its removal notice: -(100k + 11).
    if (auto v = verify(ctx, r.pubkey, r.auth, proto::signed_retrieve(r.ns, *r.timestamp), "retrieve", kRead,
                        !proto::is_unrevocable_retrieve(r.ns));
        !v)
      return std::move(v).error();
  }
  std::int64_t count = r.max_count.value_or(0);  // <= 0: no count limit
  std::optional<std::int64_t> size = r.max_size;
  if (size && *size == 0) size.reset();
  if (count <= 0 && !size) size = -5;
  if (size && *size < -proto::kRetrieveMaxBytes) size = -proto::kRetrieveMaxBytes;  // -INT64_MIN would overflow
  std::int64_t bytes = !size ? proto::kRetrieveMaxBytes : *size < 0 ? proto::kRetrieveMaxBytes / -*size : std::min(*size, proto::kRetrieveMaxBytes);
  std::size_t n_max = static_cast<std::size_t>(count > 0 ? std::min<std::int64_t>(count, 1'000'000) : 1'000'000);
  auto got = ctx.store.retrieve(r.pubkey, r.ns, r.last_hash, n_max, static_cast<std::size_t>(std::max<std::int64_t>(bytes, 1)), now);
  if (!got) return Error(Errc::Internal, "Internal Server Error. Could not retrieve messages");
  // Only a signed retrieve waits: a stranger's unsigned one (namespace -10, public
  // outboxes) answers at once, so it cannot fill or evict the node's waiting room.
  if (got->messages.empty() && ctx.may_wait && r.is_signed() && r.wait.value_or(0) > 0) {
    Out out;
    out.wait = WaitFor{wait_key(r.pubkey, r.ns), *r.wait * 1000};
    return out;
  }
  std::vector<MessageView> views;
  views.reserve(got->messages.size());
  for (const auto& m : got->messages) views.push_back({m.hash, m.timestamp_ms, m.expiry_ms, m.data});
  Out out;
  out.body = encode_retrieve_reply(views, got->more, now);
  return out;
}

}  // namespace sotto::node::rpc
