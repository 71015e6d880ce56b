#pragma once
// Membership pushes (docs/node.md, "In a network"): when a new consensus moves accounts to
// another swarm or brings new members into this node's swarm, this node sends each
// account's messages where plan_pushes (membership.hpp) says; a push that fails is tried
// again every epoch for as long as the receiver belongs to the account's swarm (the new
// swarm may have no other source). The receiver refuses messages one by one, never a
// batch (peer_wire.hpp to_store); refusals are counted. Sans-IO over a PeerLink and a MessageStore reader. Not thread-safe: the
// daemon's swarm worker owns it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "directory/consensus.hpp"
#include "node/storage/message_store.hpp"
#include "node/swarm/peer_link.hpp"
#include "node/swarm/swarm_view.hpp"

namespace sotto::node {

// A push that failed, waiting to be tried again. The node keeps them on disk between runs
// (encode_pending): a restart must not forget an account the new swarm has nowhere else.
struct PendingPush {
  storage::AccountKey account{};
  crypto::Ed25519Public to;
  int attempts = 0;
};
inline constexpr std::size_t kMaxPendingPushesFile = 400'000;  // lines a pending file may hold (about 55 MiB)
// One line a push: "<66 hex account> <64 hex receiver> <attempts>\n".
std::string encode_pending(const std::vector<PendingPush>& pending);
// Malformed (naming the line) on anything else, or over kMaxPendingPushesFile lines.
Result<std::vector<PendingPush>> decode_pending(std::string_view text);

struct PushStats {
  std::size_t accounts = 0, sent = 0, failed = 0;  // push_moved: accounts planned, pushes sent / failed
  std::size_t waiting = 0;                         // retry: still waiting
  std::size_t refused = 0;                         // messages the receivers refused (each alone)
  std::string first_refusal;                       // why the first of them was
};

class Pusher {
 public:
  // All must outlive the object.
  Pusher(const crypto::Keypair& keys, const base::Clock& clock, PeerLink& link) : keys_(keys), clock_(clock), link_(link) {}

  // The pushes the change from `before` to `after` asks of this node, for the accounts
  // `reader` holds; `epoch` is the consensus this node now holds (named in each push).
  // Failures wait for retry().
  PushStats push_moved(const directory::Consensus* before, const directory::Consensus& after, storage::MessageStore& reader,
                       const std::function<bool()>& stopping);
  // The failed pushes once more (one receiver that does not answer costs one attempt a
  // round, not one per account). `swarm` says who belongs to each account's swarm now.
  PushStats retry(storage::MessageStore& reader, const SwarmView& swarm, std::optional<std::int64_t> epoch, const std::function<bool()>& stopping);
  std::size_t pending() const { return pending_.size(); }
  const std::vector<PendingPush>& pending_pushes() const { return pending_; }
  // Pushes kept from an earlier run, to be retried with the others.
  void add_pending(const std::vector<PendingPush>& more) { pending_.insert(pending_.end(), more.begin(), more.end()); }

  // Sends every message of `account` this node holds to `to`, in batches: Sent when `to`
  // took them all, Refused when it answered otherwise (about this account), Unreachable
  // when it did not answer (about every account: try it later).
  enum class Outcome { Sent, Refused, Unreachable };
  // Refusals of single messages are added to `stats`.
  Outcome push_account(storage::MessageStore& reader, const storage::AccountKey& account, const NodeAddress& to, std::optional<std::int64_t> epoch,
                       PushStats& stats);

 private:
  const crypto::Keypair& keys_;
  const base::Clock& clock_;
  PeerLink& link_;
  std::vector<PendingPush> pending_;
};

}  // namespace sotto::node
