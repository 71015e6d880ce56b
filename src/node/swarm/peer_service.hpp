#pragma once
// What a node answers to other nodes (docs/node.md, "In a network"): POST
// /sotto/v1/replicate, /push, /summary, /hashes and /fetch. Each request is signed by its
// sender (peer_auth.hpp) and taken only from a node that may send it: a member of this
// node's swarm, or for a push, a node that holds or held the account's swarm. Sans-IO: the
// node's state comes through Hooks, and the answer goes to a callback (once). Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "node/storage/message_store.hpp"
#include "node/swarm/anti_entropy.hpp"
#include "node/swarm/peer_auth.hpp"

namespace sotto::node {

struct PeerAnswer {
  int status = 200;
  std::string body;
  bool json = true;  // else a sentence
};

class PeerService {
 public:
  struct Hooks {
    // `k` is a member of this node's swarm now.
    std::function<bool(const crypto::Ed25519Public& k)> is_swarm_member;
    // `k` holds or held `account`'s swarm (the current consensus or one of the few before).
    std::function<bool(const crypto::Ed25519Public& k, const storage::AccountKey& account)> held_account;
    // `account` maps to this node's swarm.
    std::function<bool(const storage::AccountKey& account)> is_ours;
    // The epoch of the consensus this node holds (none yet: -1), and the one the clock is in.
    std::function<std::int64_t()> epoch;
    std::function<std::int64_t()> clock_epoch;
    // A push named a consensus newer than this node's (once per epoch): fetch it now.
    std::function<void(std::int64_t epoch)> newer_epoch;
    // A client's write another member took, run here as the storage RPC would (never
    // forwarded again); its answer goes back as this member's.
    std::function<void(std::string body, std::function<void(PeerAnswer)> reply)> replicated;
    StoreMessages store;
    // A store to read from (a reader of its own in the daemon; the node's store in a
    // simulation), for the duration of one request.
    std::function<Result<std::shared_ptr<storage::MessageStore>>()> open_reader;
  };

  PeerService(const base::Clock& clock, Hooks hooks) : clock_(clock), hooks_(std::move(hooks)) {}

  // The POST to `target` with its X-Sotto-Node header `auth`: false when `target` is not a
  // node-to-node endpoint; else answered through `reply`.
  bool handle(std::string_view target, const std::string& body, std::string_view auth, std::function<void(PeerAnswer)> reply);

 private:
  Result<crypto::Ed25519Public> verify(std::string_view target, const std::string& body, std::string_view auth,
                                       const std::optional<storage::AccountKey>& holder_of);
  void push(const std::string& body, std::string_view auth, const std::function<void(PeerAnswer)>& reply);
  PeerAnswer anti_entropy(std::string_view target, const std::string& body);

  const base::Clock& clock_;
  Hooks hooks_;
  PeerVerifier verifier_;
  std::mutex mu_;
  std::int64_t fetch_now_epoch_ = -1;  // the newest epoch a push made this node fetch for (mu_)
};

}  // namespace sotto::node
