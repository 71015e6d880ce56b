#pragma once
// 1:1 messaging end to end (docs/client.md, "Messaging"): a message goes out as Session's
// 1:1 format (Content -> padding -> encryption -> Envelope -> WebSocketMessage), stored in
// the recipient's swarm (namespace 0) through an onion path; the members' signed receipts
// are checked and counted. Messages come in through a retrieve of the own swarm that waits
// (sotto's long-poll extension), through an onion path; each is decrypted, checked,
// deduplicated by hash and kept in the profile's LocalStore. Blocking; not thread-safe
// (one Messenger per thread; a `listen` and a `send` may run in two processes).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "client/backup.hpp"
#include "client/guards.hpp"
#include "client/local_store.hpp"
#include "client/network_view.hpp"
#include "client/onion_client.hpp"
#include "client/profile.hpp"
#include "client/transport.hpp"
#include "crypto/account_id.hpp"
#include "crypto/keys.hpp"

namespace sotto::client {

// Network time (docs/client.md, "Clock"): the last kTimeSamples nodes' times give the
// offset; one under kClockSlackMs is taken as none. A store's timestamp may be at most
// kStoreFutureMs ahead of a node's time (docs/wire/storage-rpc.md).
inline constexpr std::size_t kTimeSamples = 5;
inline constexpr std::int64_t kClockSlackMs = 2'000;
inline constexpr std::int64_t kStoreFutureMs = 10'000;
inline constexpr std::uint64_t kLatestTimestampMs = 4'000'000'000'000;  // year 2096: no sum with it overflows

// The offset (network time minus this clock) that a few nodes' samples give: their median
// (of two middle ones, the one nearer this clock first), when a second sample agrees with
// it within kClockSlackMs; under kClockSlackMs, 0. Nothing when no two agree.
std::optional<std::int64_t> clock_offset(std::vector<std::int64_t> samples);

struct SendReport {
  std::int64_t id = 0;      // in the LocalStore
  std::string hash;
  int confirmations = 0;    // swarm members whose signed receipt verified
  int swarm_size = 0;
  std::int64_t timestamp_ms = 0;
  int attempts = 0;
  std::vector<std::string> path;  // of the attempt that succeeded
};

struct BackupReport {
  std::int64_t seq = 0;
  std::size_t chunks = 0, new_chunks = 0;
  std::size_t bytes = 0, new_bytes = 0;  // of encrypted chunks: in all, and uploaded now
  std::size_t parts_uploaded = 0, deleted = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;
  std::string cleanup_error;  // superseded parts that could not be deleted (they expire anyway)
};

struct RestoreReport {
  std::int64_t seq = 0;           // the manifest restored
  std::int64_t created_ms = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;  // in the backup
  std::size_t added = 0;          // messages new to this profile
  std::vector<std::string> skipped;  // newer manifests that failed, and why
};

// Progress of a long operation: `done` of `total` steps (chunks).
using Progress = std::function<void(std::size_t done, std::size_t total)>;

struct MessengerOptions {
  bool onion = true;             // false: straight to swarm members (they see this address)
  int send_attempts = 5;         // per message, with back-off, across the swarm's members
  std::int64_t default_ttl_ms = 14LL * 86'400'000;  // Session's: 14 days
  // Told what went wrong in the background without failing a request (the profile's
  // guard record could not be saved); a CLI prints it on stderr.
  std::function<void(const std::string&)> warn;
};

class Messenger {
 public:
  // `transport`, `rng` and `clock` must outlive the Messenger. Opens the profile's
  // LocalStore and its network view (NoNetwork if the profile has none).
  static Result<std::unique_ptr<Messenger>> open(const Profile& profile, crypto::Keypair keys, Transport& transport,
                                                 base::Rng& rng, const base::Clock& clock, MessengerOptions options = {});

  const crypto::AccountId& me() const { return me_; }
  LocalStore& store() { return *store_; }
  OnionClient& onion() { return onion_; }  // its paths (tests pick nodes to kill by them)

  // Fetches a newer consensus from the authorities, then the seed nodes, when the one
  // held is missing or older than `max_age_s` (0: always). NoNetwork if none gave one.
  Result<void> refresh_consensus(std::int64_t max_age_s);

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

  // An encrypted backup of this profile in the account's swarm (docs/wire/backup.md):
  // only the chunks that changed are uploaded; what the last two backups do not use is
  // deleted.
  Result<BackupReport> backup_now(const Progress& progress = {});
  // Restores the newest intact backup from the swarm into this profile (a chunk that
  // fails names itself, and the previous backup is tried). NoBackup if there is none.
  Result<RestoreReport> restore_backup(const Progress& progress = {});
  // The last backup made or restored here, if any.
  Result<std::optional<backup::Manifest>> last_backup();
  // True when contacts or messages changed since the last backup began, and no backup
  // was attempted in the last `every_ms` (a failed one counts, so failures back off).
  Result<bool> backup_due(std::int64_t every_ms);

 private:
  Messenger(Profile profile, crypto::Keypair keys, Transport& transport, base::Rng& rng, const base::Clock& clock,
            MessengerOptions options, std::unique_ptr<LocalStore> store, NetworkView view);
  struct Call {
    int status = 0;
    std::string body;
    std::vector<std::string> path;
    std::string node;  // Ed25519 hex of the member that answered
  };
  // The storage RPC `payload` at `member`, through a path (or straight there).
  Result<Call> rpc(const directory::ConsensusNode& member, const std::string& payload);
  Result<SendReport> deliver(const StoredMessage& m, const crypto::AccountId& to);
  // A 1:1 message's bytes (Session's format), stamped `timestamp_ms`.
  Result<Bytes> encode_outgoing(const crypto::AccountId& to, const std::string& text, std::int64_t timestamp_ms, std::uint32_t disappear_after_s);
  Result<std::vector<StoredMessage>> receive_once(int wait_s);
  std::vector<directory::ConsensusNode> swarm_of(const crypto::AccountId& who);
  // A signed store into this account's own swarm; the storage hash once a member confirmed.
  Result<std::string> store_own(std::int64_t ns, ByteView data, std::int64_t ttl_ms);
  // Every message of this account in `ns` whose hash is its data's: (hash, data).
  // (At most 100,000 items and 1 GiB: what a node's quota lets an account hold.) `start`:
  // which member is asked first.
  Result<std::vector<std::pair<std::string, Bytes>>> retrieve_all(std::int64_t ns, std::size_t start = 0);
  // The highest seq of the account's backups that verify, in the swarm (0: none).
  Result<std::int64_t> highest_backup_seq();
  Result<std::size_t> delete_own(const std::vector<std::string>& hashes);
  // The storage RPC at the members of this account's swarm in turn until one answers 200.
  // `payload` makes the request afresh (a 406 syncs the clock and has it made again).
  Result<Call> own_swarm_call(const std::function<std::string()>& payload, std::size_t start = 0);
  void sleep_ms(std::int64_t ms);
  // The network's time: this machine's clock corrected by what the nodes said ("Clock"
  // in docs/client.md). Signed requests and new messages are stamped with it.
  std::int64_t network_now_ms() const { return clock_.now_ms() + offset_ms_; }
  // A reply's "t" (the node's time) as one more sample of the offset.
  void learn_time(const std::string& node_hex, const std::string& body);
  // After a 406 (a timestamp too far from the node's time): asks `first` its time, then
  // other `members`, until two agree. True when the offset moved, so that a request made
  // again may pass.
  bool sync_clock(const std::vector<directory::ConsensusNode>& members, const directory::ConsensusNode& first);
  // Adds the guards of the paths held that had a success to the profile's record (docs/
  // client.md, "Guards"), merged with what another process added meanwhile. A failure to
  // save is said through options_.warn and tried again after the next request.
  void remember_guards();
  // Guards whose lifetime ended while this process ran (a long `listen`): their paths go.
  void retire_expired_guards();

  Profile profile_;
  crypto::Keypair keys_;
  crypto::AccountId me_;
  Transport& transport_;
  base::Rng& rng_;
  const base::Clock& clock_;
  MessengerOptions options_;
  std::unique_ptr<LocalStore> store_;
  NetworkView view_;
  OnionClient onion_;
  std::size_t poll_member_ = 0;  // which member of the own swarm receive() asks
  std::vector<RememberedGuard> guards_;  // the profile's record, as last read or written
  std::int64_t offset_ms_ = 0;          // network time minus this clock
  std::vector<std::pair<std::string, std::int64_t>> time_samples_;  // (node, its t minus this clock), newest last
};

// The number of `members` (the recipient's swarm by the consensus) whose signed receipt
// in a store reply (`swarm` of docs/wire/storage-rpc.md) verifies for `hash`, and how
// many of them the reply names; other keys in the reply count for nothing.
struct Receipts {
  int verified = 0;
  int members = 0;
};
Receipts count_receipts(const std::string& reply_json, const std::string& hash, const std::vector<directory::ConsensusNode>& members);

// A node's retrieve reply (untrusted): the items with a well-formed hash (43 base64
// characters), in the node's order, each with its data (nullopt if not base64) and
// expiration (`default_expiry_ms` if missing or not an integer), and `more`. Errors
// (Io): not JSON, or no `messages` array.
struct RetrievedItem {
  std::string hash;
  std::int64_t expiration_ms = 0;
  std::optional<Bytes> data;
};
struct RetrieveReply {
  std::vector<RetrievedItem> items;
  bool more = false;
};
Result<RetrieveReply> parse_retrieve_reply(std::string_view body, std::int64_t default_expiry_ms);

// Hex that is long or starts with 05: meant as an account ID, never a nickname.
bool looks_like_account_id(const std::string& s);
// An account ID (BadAccountId if it looks like one but is not), or a contact's nickname
// (UnknownContact if none has it).
Result<crypto::AccountId> resolve_peer(LocalStore& store, const std::string& who);
// A nickname is one word of 1-64 bytes that does not look like an account ID (BadNickname).
Result<void> check_nickname(const std::string& nickname);

// The last backup made or restored in this profile, if any.
Result<std::optional<backup::Manifest>> last_backup(LocalStore& store);

// Parses "https://HOST:PORT" (the form of network.json's URLs).
Result<std::pair<std::string, std::uint16_t>> parse_node_url(const std::string& url);

}  // namespace sotto::client
