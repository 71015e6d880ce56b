#pragma once
// Anti-entropy between two members of a swarm (docs/node.md, "In a network"): compare
// per-account, per-namespace digests, then send the peer what it lacks and fetch what
// this node lacks. Also the answering side's summary. Sans-IO over a PeerLink and a
// MessageStore reader; the messages fetched go to the caller's store function (the
// daemon's storage thread). Not thread-safe: one sync at a time per object.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "node/storage/message_store.hpp"
#include "node/swarm/peer_link.hpp"
#include "node/swarm/peer_wire.hpp"

namespace sotto::node {

// Stores messages another node sent (`keep` owns the data the requests view), then calls
// `done` (the daemon: on its storage thread; a simulation: at once).
using StoreMessages =
    std::function<void(std::shared_ptr<std::vector<PeerMessage>> keep, std::vector<storage::StoreRequest> requests, std::function<void(Result<void>)> done)>;

// The digest of one account's namespace: BLAKE2b-256 (hex) of its unexpired messages'
// hashes, ascending.
std::string digest_of(const std::vector<storage::MessageHash>& hashes);
// The digests of every account `ours` accepts.
Result<Summary> summary_of(storage::MessageStore& reader, const std::function<bool(const storage::AccountKey&)>& ours, std::int64_t now_ms);

struct SyncStats {
  std::size_t sent = 0, fetched = 0;
  std::size_t refused = 0;    // messages one side's rules refused (each alone; the rest went on)
  std::string first_refusal;  // why the first of them was
  std::string failure;        // the first thing that went wrong (empty: nothing did)
};

class AntiEntropy {
 public:
  // All must outlive the object.
  AntiEntropy(const crypto::Keypair& keys, const base::Clock& clock, PeerLink& link, StoreMessages store)
      : keys_(keys), clock_(clock), link_(link), store_(std::move(store)) {}

  // One round with `peer` over the accounts `ours` accepts, reading this node's messages
  // from `reader`. `stopping` is asked between steps: true ends the round early.
  SyncStats sync_with(const NodeAddress& peer, storage::MessageStore& reader, const std::function<bool(const storage::AccountKey&)>& ours,
                      const std::function<bool()>& stopping);

 private:
  // One (account, namespace) whose digests differ: what the peer lacks is pushed, what this
  // node lacks fetched.
  void sync_one(const NodeAddress& peer, const storage::AccountKey& account, proto::Namespace ns, bool peer_has_it,
                const std::vector<storage::MessageHash>& mine, const std::vector<storage::Message>& messages, SyncStats& stats,
                const std::function<bool()>& stopping);
  Result<PeerReply> call(const NodeAddress& peer, const std::string& path, const std::string& body);

  const crypto::Keypair& keys_;
  const base::Clock& clock_;
  PeerLink& link_;
  StoreMessages store_;
};

}  // namespace sotto::node
