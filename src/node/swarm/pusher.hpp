#pragma once
// Membership pushes (docs/node.md, "In a network"): when a new consensus moves accounts to
// another swarm or brings new members into this node's swarm, this node sends each
// account's messages where plan_pushes (membership.hpp) says; a push that fails is tried
// again at each of the next kPushAttempts epochs while the receiver still belongs to the
// account's swarm. Sans-IO over a PeerLink and a MessageStore reader. Not thread-safe: the
// daemon's swarm worker owns it.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "directory/consensus.hpp"
#include "node/storage/message_store.hpp"
#include "node/swarm/peer_link.hpp"
#include "node/swarm/swarm_view.hpp"

namespace sotto::node {

inline constexpr int kPushAttempts = 10;  // epochs a failed push is retried for

struct PushStats {
  std::size_t accounts = 0, sent = 0, failed = 0;  // push_moved: accounts planned, pushes sent / failed
  std::size_t waiting = 0, abandoned = 0;          // retry: still waiting, given up
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

  // Sends every message of `account` this node holds to `to`, in batches: Sent when `to`
  // took them all, Refused when it answered otherwise (about this account), Unreachable
  // when it did not answer (about every account: try it later).
  enum class Outcome { Sent, Refused, Unreachable };
  Outcome push_account(storage::MessageStore& reader, const storage::AccountKey& account, const NodeAddress& to, std::optional<std::int64_t> epoch);

 private:
  struct Pending {
    storage::AccountKey account{};
    crypto::Ed25519Public to;
    int attempts = 0;
  };
  const crypto::Keypair& keys_;
  const base::Clock& clock_;
  PeerLink& link_;
  std::vector<Pending> pending_;
};

}  // namespace sotto::node
