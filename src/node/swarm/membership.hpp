#pragma once
// Membership changes (docs/node.md "Swarms"; session-v1.md §4.3): when a new consensus
// moves accounts between swarms or brings new members into this node's swarm, what this
// node must send, and to whom. Sans-IO: the node sends the pushes it is given.

#include <span>
#include <vector>

#include "directory/consensus.hpp"
#include "node/swarm/swarm_view.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::node {

struct Push {
  storage::AccountKey account{};
  std::vector<NodeAddress> to;  // every member of the account's swarm that needs it
};

// After the consensus went from `before` (nullptr: none held) to `after`, for the accounts
// this node `self` holds:
//  - an account that `after` maps to another swarm than self's goes to all of that swarm's
//    members (self's swarm dissolved, split, or self left it);
//  - an account of self's swarm goes to the members that were not in self's swarm in
//    `before` (a node joining a swarm receives its messages), when self was in it before,
//    from one of the members that stay: the stayers (self included) in key order share
//    the accounts, account a going from stayer share_of(a, #stayers), so a joiner gets each
//    account once instead of once per member (anti-entropy repairs a share whose stayer
//    failed to send it). Only when `after` directly follows `before`: across a gap every
//    stayer sends every account.
// Accounts that stay where they were with the same members need nothing. An account that
// moves to another swarm goes from every old holder: its new swarm has no other source.
std::vector<Push> plan_pushes(const directory::Consensus* before, const directory::Consensus& after,
                              const crypto::Ed25519Public& self, std::span<const storage::AccountKey> accounts);

// Which of `n` stayers sends `account` to a joiner: bytes 1..8 of the key (after its
// prefix byte) as a big-endian integer, mod n.
std::uint64_t share_of(const storage::AccountKey& account, std::size_t n);

}  // namespace sotto::node
