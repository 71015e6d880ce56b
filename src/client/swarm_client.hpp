#pragma once
// How a client reaches the nodes (docs/client.md): the profile's view of the network (the
// verified consensus, refreshed from the authorities and seed nodes), onion paths with the
// guards the profile remembers, the network's clock, and the storage RPC calls that a
// client makes of its own account's swarm (store, retrieve every page, delete), each reply
// decoded once with the codec (proto/storage_rpc*.hpp). Blocking; not thread-safe (one per
// Messenger; two processes on one profile work side by side).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "client/guards.hpp"
#include "client/local_store.hpp"
#include "client/network_clock.hpp"
#include "client/network_view.hpp"
#include "client/onion_client.hpp"
#include "client/profile.hpp"
#include "client/transport.hpp"
#include "crypto/account_id.hpp"
#include "crypto/keys.hpp"
#include "proto/storage_rpc_replies.hpp"

namespace sotto::client {

struct SwarmClientOptions {
  bool onion = true;  // false: straight to swarm members (they see this address)
  // Told what went wrong in the background without failing a request (the profile's
  // guard record could not be saved); a CLI prints it on stderr.
  std::function<void(const std::string&)> warn;
  // Waits between attempts (back-off); a test passes one that does not sleep.
  std::function<void(std::int64_t ms)> sleep;
};

// One storage RPC's answer, undecoded, and where it went.
struct Answer {
  int status = 0;
  std::string body;
  std::vector<std::string> path;  // the onion path's hops (Ed25519 hex, guard first), empty when direct
  std::string node;               // Ed25519 hex of the node that answered
};

// The number of `members` (the account's swarm by the consensus) whose signed receipt in
// a store's reply verifies for `hash`, and how many of them the reply names; other keys
// count for nothing, and each member counts once however its key is spelled.
struct Receipts {
  int verified = 0;
  int members = 0;
};
Receipts count_receipts(const proto::rpc::SwarmReply& reply, const proto::rpc::Hash& hash,
                        const std::vector<directory::ConsensusNode>& members);

class SwarmClient {
 public:
  // `store`, `transport`, `rng` and `clock` must outlive the client. Errors: NoNetwork (the
  // profile has none), Io (the profile's guard record is unreadable: the message says how
  // to start over).
  static Result<std::unique_ptr<SwarmClient>> open(const Profile& profile, const crypto::Keypair& keys, LocalStore& store,
                                                   Transport& transport, base::Rng& rng, const base::Clock& clock,
                                                   SwarmClientOptions options = {});

  const crypto::AccountId& me() const { return me_; }
  NetworkView& view() { return view_; }
  OnionClient& onion() { return onion_; }
  NetworkClock& clock() { return clock_; }
  void sleep_ms(std::int64_t ms);
  // Which member of this account's swarm is asked first (receive and own_swarm_call share
  // it): one that failed is passed over, next time too.
  std::size_t first_member() const { return next_member_; }
  void pass_over_member() { ++next_member_; }

  // Fetches a newer consensus from the authorities, then the seed nodes, when the one
  // held is missing or older than `max_age_s` (0: always). NoNetwork if none gave one.
  Result<void> refresh_consensus(std::int64_t max_age_s);
  // The members of `who`'s swarm by the consensus (a fresh one is fetched once when it
  // has no swarm for them).
  std::vector<directory::ConsensusNode> swarm_of(const crypto::AccountId& who);

  // The storage RPC `payload` at `member`, through an onion path (or straight there).
  // Errors: NoPath, Unreachable.
  Result<Answer> call(const directory::ConsensusNode& member, const std::string& payload);
  // A reply's time, when it has one, as one more sample of the network's clock.
  void learn_time(const std::string& node_hex, std::optional<std::int64_t> t);
  // After a 406 (a timestamp too far from the node's time): asks `first` its time, then
  // other `members`, until two agree. True when the offset moved, so that a request made
  // again may pass.
  bool sync_clock(const std::vector<directory::ConsensusNode>& members, const directory::ConsensusNode& first);

  // --- This account's own swarm ---

  // The storage RPC at the members of this account's swarm in turn until one answers 200.
  // `payload` makes the request afresh (a 406 syncs the clock and has it made again).
  // `start`: which member is asked first.
  Result<Answer> own_swarm_call(const std::function<std::string()>& payload, std::size_t start = 0);
  // A signed store into this account's own swarm; its hash once a member confirmed.
  Result<proto::rpc::Hash> store_own(proto::Namespace ns, ByteView data, std::int64_t ttl_ms);
  // Every message of this account in `ns` whose hash is its data's: (hash text, data).
  // (At most 100,000 items and 1 GiB: what a node's quota lets an account hold.)
  Result<std::vector<std::pair<std::string, Bytes>>> retrieve_all(proto::Namespace ns, std::size_t start = 0);
  // Deletes these messages of this account (signed, 1,000 a request); how many were asked.
  Result<std::size_t> delete_own(const std::vector<std::string>& hashes);
  // A signed retrieve of this account's `ns` after `last_hash`, waiting up to `wait_s`.
  std::string signed_retrieve(proto::Namespace ns, const std::string& last_hash, std::optional<std::int64_t> wait_s);

 private:
  SwarmClient(Profile profile, const crypto::Keypair& keys, LocalStore& store, Transport& transport, base::Rng& rng,
              const base::Clock& clock, SwarmClientOptions options, NetworkView view);
  // Adds the guards of the paths held that had a success to the profile's record (docs/
  // client.md, "Guards"), merged with what another process added meanwhile.
  void remember_guards();
  // Guards whose lifetime ended while this process ran (a long `listen`): their paths go.
  void retire_expired_guards();

  Profile profile_;
  const crypto::Keypair& keys_;
  crypto::AccountId me_;
  LocalStore& store_;
  Transport& transport_;
  base::Rng& rng_;
  NetworkClock clock_;
  SwarmClientOptions options_;
  NetworkView view_;
  OnionClient onion_;
  std::size_t next_member_ = 0;  // which member of the own swarm is asked first
  std::vector<RememberedGuard> guards_;  // the profile's record, as last read or written
};

}  // namespace sotto::client
