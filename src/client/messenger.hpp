#pragma once
// 1:1 messaging end to end (docs/client.md, "Messaging"): a message goes out as Session's
// 1:1 format (Content -> padding -> encryption -> Envelope -> WebSocketMessage), stored in
// the recipient's swarm (namespace 0) through an onion path; the members' signed receipts
// are checked and counted. Messages come in through a retrieve of the own swarm that waits
// (sotto's long-poll extension), through an onion path; each is decrypted, checked,
// deduplicated by hash and kept in the profile's LocalStore. The nodes are reached through
// a SwarmClient; backups are backup_flow.hpp's. Blocking; not thread-safe (one Messenger
// per thread; a `listen` and a `send` may run in two processes).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "client/backup_flow.hpp"
#include "client/local_store.hpp"
#include "client/peers.hpp"
#include "client/profile.hpp"
#include "client/swarm_client.hpp"
#include "client/transport.hpp"
#include "crypto/account_id.hpp"
#include "crypto/keys.hpp"

namespace sotto::client {

struct SendReport {
  std::int64_t id = 0;      // in the LocalStore
  std::string hash;
  int confirmations = 0;    // swarm members whose signed receipt verified
  int swarm_size = 0;
  std::int64_t timestamp_ms = 0;
  int attempts = 0;
  std::vector<std::string> path;  // of the attempt that succeeded
};

struct MessengerOptions {
  bool onion = true;             // false: straight to swarm members (they see this address)
  int send_attempts = 5;         // per message, with back-off, across the swarm's members
  std::int64_t default_ttl_ms = proto::kTtlMaxPublicInboxMs;  // Session's: 14 days
  // Told what went wrong in the background without failing a request (the profile's
  // guard record could not be saved); a CLI prints it on stderr.
  std::function<void(const std::string&)> warn;
  // Waits between attempts (back-off); a test passes one that does not sleep.
  std::function<void(std::int64_t ms)> sleep;
};

class Messenger {
 public:
  // `transport`, `rng` and `clock` must outlive the Messenger. Opens the profile's
  // LocalStore and its network view (NoNetwork if the profile has none).
  static Result<std::unique_ptr<Messenger>> open(const Profile& profile, crypto::Keypair keys, Transport& transport,
                                                 base::Rng& rng, const base::Clock& clock, MessengerOptions options = {});

  const crypto::AccountId& me() const { return nodes_->me(); }
  LocalStore& store() { return *store_; }
  SwarmClient& nodes() { return *nodes_; }
  OnionClient& onion() { return nodes_->onion(); }  // its paths (tests pick nodes to kill by them)

  // Fetches a newer consensus when the one held is missing or older than `max_age_s`
  // (SwarmClient::refresh_consensus).
  Result<void> refresh_consensus(std::int64_t max_age_s) { return nodes_->refresh_consensus(max_age_s); }

  // Sends `text` to `to`. `disappear_after_s` > 0: a disappearing message (deleted after
  // that long, on the nodes by its TTL and here by its timer). The message is in the
  // LocalStore before anything goes out; failures in transit are retried with back-off
  // on other members and paths. Errors: Unreachable (kept as Failed; retry() sends it
  // again), Refused (a member's status and reason), NoPath, NoNetwork.
  Result<SendReport> send(const crypto::AccountId& to, const std::string& text, std::uint32_t disappear_after_s = 0);
  // Sends a Failed (or stuck Sending) outgoing message again, byte for byte: the same
  // hash, so a member that has it already keeps one copy.
  Result<SendReport> retry(std::int64_t id);

  // One retrieve of this account's messages from a member of its swarm, waiting up to
  // `wait_s` (0 to 25) for one to arrive; every page that is there is read. Returns the
  // messages new to this profile (already in the LocalStore), oldest first. A member that
  // fails is left for the next one.
  Result<std::vector<StoredMessage>> receive(int wait_s);

  // Backups of this profile in the account's swarm (backup_flow.hpp).
  Result<BackupReport> backup_now(const Progress& progress = {});
  Result<RestoreReport> restore_backup(const Progress& progress = {});
  Result<std::optional<backup::Manifest>> last_backup() { return client::last_backup(*store_); }
  Result<bool> backup_due(std::int64_t every_ms) { return client::backup_due(*store_, clock_, every_ms); }

 private:
  Messenger(crypto::Keypair keys, base::Rng& rng, const base::Clock& clock, MessengerOptions options, std::unique_ptr<LocalStore> store);
  Result<SendReport> deliver(const StoredMessage& m, const crypto::AccountId& to);
  // A 1:1 message's bytes (Session's format), stamped `timestamp_ms`.
  Result<Bytes> encode_outgoing(const crypto::AccountId& to, const std::string& text, std::int64_t timestamp_ms, std::uint32_t disappear_after_s);
  Result<std::vector<StoredMessage>> receive_once(int wait_s);
  // Reads one retrieve's reply into the LocalStore: the messages new to this profile.
  Result<std::vector<StoredMessage>> take(const proto::rpc::RetrieveReply& reply, const std::string& node);

  crypto::Keypair keys_;
  base::Rng& rng_;
  const base::Clock& clock_;
  MessengerOptions options_;
  std::unique_ptr<LocalStore> store_;
  std::unique_ptr<SwarmClient> nodes_;
};

}  // namespace sotto::client
