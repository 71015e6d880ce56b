#include "node/swarm/pusher.hpp"

#include <algorithm>
#include <set>

#include "node/swarm/membership.hpp"
#include "node/swarm/peer_wire.hpp"

namespace sotto::node {

Pusher::Outcome Pusher::push_account(storage::MessageStore& reader, const storage::AccountKey& account, const NodeAddress& to,
                                     std::optional<std::int64_t> epoch) {
  auto msgs = reader.messages_of(account, clock_.now_ms());
  if (!msgs) return Outcome::Refused;
  std::vector<const storage::Message*> batch;
  std::size_t bytes = 0;
  auto flush = [&] {
    auto r = signed_call(link_, keys_, clock_, to, "/sotto/v1/push", encode_push(account, epoch.value_or(-1), batch));
    batch.clear();
    bytes = 0;
    if (r && r->status == 200) return Outcome::Sent;
    return r ? Outcome::Refused : Outcome::Unreachable;
  };
  for (const auto& m : *msgs) {
    batch.push_back(&m);
    if ((bytes += m.data.size()) > kPushBatchBytes)
      if (auto res = flush(); res != Outcome::Sent) return res;
  }
  return batch.empty() ? Outcome::Sent : flush();
}

PushStats Pusher::push_moved(const directory::Consensus* before, const directory::Consensus& after, storage::MessageStore& reader,
                             const std::function<bool()>& stopping) {
  PushStats stats;
  auto accounts = reader.accounts();
  if (!accounts) return stats;
  auto pushes = plan_pushes(before, after, keys_.ed25519_public(), *accounts);
  stats.accounts = pushes.size();
  std::set<crypto::Ed25519Public> unreachable;  // one timeout per dead receiver, not one per account
  for (const auto& p : pushes)
    for (const auto& to : p.to) {
      if (to.ed25519 == keys_.ed25519_public()) continue;
      if (!stopping() && !unreachable.contains(to.ed25519)) {
        auto r = push_account(reader, p.account, to, after.epoch);
        if (r == Outcome::Sent) {
          ++stats.sent;
          continue;
        }
        if (r == Outcome::Unreachable) unreachable.insert(to.ed25519);
      }
      ++stats.failed;
      pending_.push_back({p.account, to.ed25519, 0});  // retried from the next epoch
    }
  return stats;
}

PushStats Pusher::retry(storage::MessageStore& reader, const SwarmView& swarm, std::optional<std::int64_t> epoch,
                        const std::function<bool()>& stopping) {
  PushStats stats;
  if (pending_.empty()) return stats;
  // One (account, receiver) once; a receiver that fails now is not tried again this round.
  std::sort(pending_.begin(), pending_.end(),
            [](const Pending& a, const Pending& b) { return std::tie(a.to, a.account, a.attempts) < std::tie(b.to, b.account, b.attempts); });
  pending_.erase(std::unique(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) { return a.to == b.to && a.account == b.account; }),
                 pending_.end());
  std::vector<Pending> again;
  std::set<crypto::Ed25519Public> failing;
  for (auto& p : pending_) {
    if (stopping()) return stats;
    // Still a member of the account's swarm (at its current address)? Else a newer
    // consensus's own pushes took over.
    std::optional<NodeAddress> to;
    for (const auto& m : swarm.swarm_for(p.account).members)
      if (m.ed25519 == p.to) to = m;
    if (!to) continue;
    if (!failing.contains(p.to)) {
      auto r = push_account(reader, p.account, *to, epoch);
      if (r == Outcome::Sent) {
        ++stats.sent;
        continue;
      }
      if (r == Outcome::Unreachable) failing.insert(p.to);  // a refusal is about this account only
    }
    if (++p.attempts < kPushAttempts) again.push_back(p);
    else ++stats.abandoned;
  }
  pending_ = std::move(again);
  stats.waiting = pending_.size();
  return stats;
}

}  // namespace sotto::node
