#pragma once
// The node's message store (docs/storage/message-store.md): one SQLite database with a
// domain API. Callers pass the time in (sans-IO about time); the store never reads a
// clock. Not thread-safe: the node owns one MessageStore on its storage thread, and gives
// each I/O thread a reader (open_reader) for retrieve and get_expiries.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "node/storage/errc.hpp"
#include "proto/constants.hpp"

namespace sotto::db {
class Db;
}

namespace sotto::node::storage {

using db::Db;


using AccountKey = ByteArray<33>;     // prefix byte + 32-byte key
using MessageHash = ByteArray<32>;    // the raw bytes behind the 43-character hash
// A subaccount token: network prefix, flags, 2 reserved bytes, the subaccount's Ed25519 key.
using SubaccountToken = ByteArray<36>;
inline constexpr std::size_t kMaxRevokedPerAccount = 50;  // older revocations are dropped
using proto::Namespace;

struct Limits {
  std::uint64_t max_db_bytes = 3'500'000'000;         // Session's cap
  std::uint64_t max_account_messages = 100'000;
  std::uint64_t max_account_bytes = 1'000'000'000;    // bytes of message data
  // Unsigned stores (public inboxes: anyone may store) use at most this share of an
  // account's quota; beyond it, or when the whole quota is used, the oldest unsigned
  // messages make room. The rest is the signed namespaces' (backups, outboxes): a flood
  // of unsigned stores can neither silence an account nor stop its signed stores.
  std::uint64_t unsigned_share_percent = 50;
};


struct StoreRequest {
  AccountKey account{};
  Namespace ns = 0;
  MessageHash hash{};
  std::int64_t timestamp_ms = 0;
  std::int64_t expiry_ms = 0;
  ByteView data;
  // A copy from another node (replication, anti-entropy): in a public outbox it never
  // replaces a message at least as new.
  bool keep_newer = false;
};

struct StoreOutcome {
  bool already = false;       // the hash was stored before; its expiry may have been raised
  std::int64_t expiry_ms = 0; // the expiry now stored
};

struct Message {
  MessageHash hash{};
  Namespace ns = 0;
  std::int64_t timestamp_ms = 0;
  std::int64_t expiry_ms = 0;
  Bytes data;
};

struct RetrieveResult {
  std::vector<Message> messages;
  bool more = false;  // cut by max_count or max_bytes
};

enum class ExpireMode { Any, Shorten, Extend };

// A message a bulk operation touched.
struct Affected {
  MessageHash hash{};
  Namespace ns = 0;
  bool operator==(const Affected&) const = default;
};

struct Stats {
  std::uint64_t messages = 0;
  std::uint64_t data_bytes = 0;
  std::uint64_t db_bytes = 0;
};

class MessageStore {
 public:
  // Opens (or creates) the database and runs the migrations. ":memory:" for tests.
  static Result<std::unique_ptr<MessageStore>> open(const std::string& path, Limits limits = {});
  // A read-only connection to a database that open() has made, for another thread: WAL
  // lets it read beside the writer, and it sees every committed transaction. Only
  // retrieve, get_expiries, stats, is_revoked and revoked_subaccounts work on it; writes fail with Io.
  static Result<std::unique_ptr<MessageStore>> open_reader(const std::string& path);
  ~MessageStore();
  MessageStore(const MessageStore&) = delete;
  MessageStore& operator=(const MessageStore&) = delete;

  // Stores each request; all succeed or fail together in one transaction (the node's
  // group commit). Errors: QuotaExceeded, Full, Io.
  Result<std::vector<StoreOutcome>> store_batch(std::span<const StoreRequest> requests);
  Result<StoreOutcome> store(const StoreRequest& request);

  // Unexpired messages (expiry > now) after `last_hash`, at most max_count, and at most
  // max_bytes counted as reply_size() of each (their size in a JSON reply), but at least one.
  Result<RetrieveResult> retrieve(const AccountKey& account, Namespace ns, const std::optional<MessageHash>& last_hash,
                                  std::size_t max_count, std::size_t max_bytes, std::int64_t now_ms);

  // Each returns the hashes it deleted (of this account only).
  Result<std::vector<MessageHash>> delete_hashes(const AccountKey& account, std::span<const MessageHash> hashes);
  Result<std::vector<Affected>> delete_all(const AccountKey& account, std::optional<Namespace> ns);
  Result<std::vector<Affected>> delete_before(const AccountKey& account, std::optional<Namespace> ns,
                                              std::int64_t before_ms);

  // Sets the expiry of the given hashes (of this account); returns those changed.
  Result<std::map<MessageHash, std::int64_t>> expire(const AccountKey& account, std::span<const MessageHash> hashes,
                                                     std::int64_t expiry_ms, ExpireMode mode);
  // The same with one expiry per hash (expiries_ms[i] for hashes[i]).
  Result<std::map<MessageHash, std::int64_t>> expire_each(const AccountKey& account, std::span<const MessageHash> hashes,
                                                          std::span<const std::int64_t> expiries_ms, ExpireMode mode);
  // Shortens every message of the namespace (or all) that expires later than expiry_ms.
  Result<std::vector<Affected>> expire_all(const AccountKey& account, std::optional<Namespace> ns,
                                           std::int64_t expiry_ms);
  Result<std::map<MessageHash, std::int64_t>> get_expiries(const AccountKey& account,
                                                           std::span<const MessageHash> hashes);

  // For replication and membership changes: the accounts with messages stored, and every
  // unexpired message of one account (all namespaces, in the order stored).
  Result<std::vector<AccountKey>> accounts();
  Result<std::vector<Message>> messages_of(const AccountKey& account, std::int64_t now_ms);
  // The hashes of an account's unexpired messages by namespace, each list ascending
  // (anti-entropy compares them per account and namespace).
  Result<std::map<Namespace, std::vector<MessageHash>>> hashes_of(const AccountKey& account, std::int64_t now_ms);

  // Subaccount revocations of an account, kept whether or not it has messages stored;
  // revoking keeps the newest kMaxRevokedPerAccount (a token revoked again counts as new).
  Result<void> revoke_subaccounts(const AccountKey& account, std::span<const SubaccountToken> tokens);
  Result<std::uint64_t> unrevoke_subaccounts(const AccountKey& account, std::span<const SubaccountToken> tokens);
  // Both read only (they work on a reader). Oldest revocation first.
  Result<bool> is_revoked(const AccountKey& account, const SubaccountToken& token);
  Result<std::vector<SubaccountToken>> revoked_subaccounts(const AccountKey& account);

  // Group commit: between begin_group() and end_group() every call runs inside one
  // transaction, so many requests share one fsync. Nothing in the group is durable (and
  // no caller may be told it is) until end_group() succeeds; if it fails, the whole group
  // is rolled back. Not nestable.
  Result<void> begin_group();
  Result<void> end_group();
  // True once the group can no longer commit (SQLite rolled it back on FULL/IOERR): the
  // caller should stop adding work to it; end_group() will fail.
  bool group_broken() const;

  // Deletes at most max_rows messages with expiry <= now; returns how many. The node
  // calls it again while it returns max_rows, letting queued requests run in between.
  Result<std::uint64_t> sweep(std::int64_t now_ms, std::uint64_t max_rows = 1000);
  Result<Stats> stats();

  // Copies what the WAL holds into the database (a PASSIVE checkpoint on the writer's
  // connection: readers are never blocked). The node calls it on its storage thread
  // between groups, every few milliseconds under load, so that each copy (and the
  // database fsync after it) is small and never runs beside a commit's fsync.
  struct CheckpointProgress {
    std::int64_t wal_frames = 0;           // frames in the WAL
    std::int64_t checkpointed_frames = 0;  // of those, now in the database
  };
  Result<CheckpointProgress> checkpoint();

  // The (account, namespace) of every message newly inserted since the last call (not
  // those already stored), for the node to wake retrieves waiting for them. May name a
  // message whose transaction was rolled back afterwards: a waiter then finds nothing.
  std::vector<std::pair<AccountKey, Namespace>> take_fresh();
  // Unsigned messages evicted to make room (Limits::unsigned_share_percent) since open.
  std::uint64_t evicted() const { return evicted_; }

 private:
  MessageStore(std::unique_ptr<Db> db, Limits limits);
  Result<void> migrate();
  Result<std::int64_t> account_id(const AccountKey& account, bool create);
  Result<StoreOutcome> store_one(const StoreRequest& r);
  // Whether `r` fits the account's quota, after evicting the oldest unsigned messages when
  // `r` is unsigned itself. QuotaExceeded when it cannot.
  Result<void> make_room(std::int64_t account, const StoreRequest& r);
  // Deletes the `n` oldest unsigned messages of `account` (those of `ns` first); returns
  // how many messages and bytes went.
  Result<std::pair<std::uint64_t, std::uint64_t>> evict_unsigned(std::int64_t account, Namespace ns, std::uint64_t msgs, std::uint64_t bytes);
  Result<std::vector<Affected>> bulk(const AccountKey& account, std::optional<Namespace> ns, const char* sql_one_ns,
                                     const char* sql_all_ns, std::optional<std::int64_t> value);
  std::unique_ptr<Db> db_;
  Limits limits_;
  std::int64_t page_size_ = 4096;
  std::vector<std::pair<AccountKey, Namespace>> fresh_;
  std::uint64_t evicted_ = 0;
};

// A public outbox namespace (-1, -21, -41, ...) holds one message per account.
bool is_public_outbox(Namespace ns);

// What a message of `data_bytes` costs in a retrieve reply: its base64 plus the hash,
// timestamps and JSON around it (as Session budgets RETRIEVE_MAX_SIZE).
inline constexpr std::size_t kReplyOverheadPerMessage = 100;
std::size_t reply_size(std::size_t data_bytes);

}  // namespace sotto::node::storage
