#include "node/swarm/pusher.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "node/swarm/membership.hpp"
#include "node/swarm/peer_wire.hpp"

namespace sotto::node {

std::string encode_pending(const std::vector<PendingPush>& pending) {
  std::string out;
  out.reserve(pending.size() * 134);
  for (const auto& p : pending) out += base::to_hex(p.account) + " " + p.to.hex() + " " + std::to_string(p.attempts) + "\n";
  return out;
}

Result<std::vector<PendingPush>> decode_pending(std::string_view text) {
  std::vector<PendingPush> out;
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    auto bad = [&](const char* why) { return Error(PeerErrc::Malformed, "pending pushes, line " + std::to_string(line) + ": " + why); };
    if (out.size() == kMaxPendingPushesFile) return bad("more lines than a pending file may hold");
    auto end = text.find('\n');
    if (end == std::string_view::npos) return bad("not ended by a newline (a cut file)");
    std::string_view l = text.substr(0, end);
    text.remove_prefix(end + 1);
    // 66 hex, a space, 64 hex, a space, 1 to 9 digits.
    if (l.size() < 133 || l.size() > 141 || l[66] != ' ' || l[131] != ' ') return bad("not '<account> <receiver> <attempts>'");
    auto account = base::from_hex_fixed<33>(l.substr(0, 66));
    auto to = crypto::Ed25519Public::from_hex(l.substr(67, 64));
    std::string_view n = l.substr(132);
    if (!account || !to || n.empty() || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad("not '<account> <receiver> <attempts>'");
    PendingPush p;
    p.account = *account;
    p.to = *to;
    p.attempts = std::stoi(std::string(n));
    out.push_back(p);
  }
  return out;
}

Pusher::Outcome Pusher::push_account(storage::MessageStore& reader, const storage::AccountKey& account, const NodeAddress& to,
                                     std::optional<std::int64_t> epoch, PushStats& stats) {
  auto msgs = reader.messages_of(account, clock_.now_ms());
  if (!msgs) return Outcome::Refused;
  std::vector<const storage::Message*> batch;
  std::size_t bytes = 0;
  auto flush = [&] {
    auto r = signed_call(link_, keys_, clock_, to, "/sotto/v1/push", encode_push(account, epoch.value_or(-1), batch));
    batch.clear();
    bytes = 0;
    if (!r) return Outcome::Unreachable;
    if (r->status != 200) return Outcome::Refused;
    // The receiver stores what its rules allow and names what they refuse, one by one.
    if (auto took = decode_stored(r->body)) {
      stats.refused += took->refused;
      if (!took->refusals.empty() && stats.first_refusal.empty()) stats.first_refusal = took->refusals.front().why;
    }
    return Outcome::Sent;
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
        auto r = push_account(reader, p.account, to, after.epoch, stats);
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
            [](const PendingPush& a, const PendingPush& b) { return std::tie(a.to, a.account, a.attempts) < std::tie(b.to, b.account, b.attempts); });
  pending_.erase(std::unique(pending_.begin(), pending_.end(), [](const PendingPush& a, const PendingPush& b) { return a.to == b.to && a.account == b.account; }),
                 pending_.end());
  std::vector<PendingPush> again;
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
      auto r = push_account(reader, p.account, *to, epoch, stats);
      if (r == Outcome::Sent) {
        ++stats.sent;
        continue;
      }
      if (r == Outcome::Unreachable) failing.insert(p.to);  // a refusal is about this account only
    }
    ++p.attempts;
    again.push_back(p);  // never given up while the receiver belongs to the account's swarm
  }
  pending_ = std::move(again);
  stats.waiting = pending_.size();
  return stats;
}

}  // namespace sotto::node
