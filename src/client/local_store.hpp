#pragma once
// A profile's local state (docs/client.md, "Local state"): an SQLite database,
// profile.db (0600) in the profile's directory, with contacts, conversations, messages
// (both directions, with their delivery state), the hashes already received (so that a
// message fetched again from another swarm member is not shown twice) and the last hash
// read from each node. Sans-IO apart from the file; not thread-safe (one LocalStore per
// thread; several processes may open the same profile: SQLite serializes their writes).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace sotto::db {
class Db;
}

namespace sotto::client {

enum class Direction { Incoming = 0, Outgoing = 1 };
// Outgoing: Sending until the store is answered, then Sent (stored on `confirmations` of
// `swarm_size` members) or Failed (may be retried). Incoming: Received.
enum class DeliveryState { Sending = 0, Sent = 1, Failed = 2, Received = 3 };
const char* to_string(DeliveryState s);

struct Contact {
  std::string account;   // 05 + 64 hex
  std::string nickname;  // may be empty
  bool blocked = false;
};

struct StoredMessage {
  std::int64_t id = 0;
  std::string peer;  // the other account
  Direction direction = Direction::Incoming;
  std::string body;
  std::int64_t timestamp_ms = 0;  // the Content's timestamp (the sender's clock)
  std::int64_t local_ms = 0;      // when this profile sent or received it
  std::string hash;               // the storage hash (43 base64)
  DeliveryState state = DeliveryState::Sending;
  int confirmations = 0, swarm_size = 0;
  std::optional<std::int64_t> expires_ms;  // disappearing: deleted here after this time
  std::string data;                        // outgoing, not yet stored: the base64 storage data (for a retry)
  std::int64_t ttl_ms = 0;                 // outgoing: the TTL it is stored with
};

class LocalStore {
 public:
  static constexpr const char* kFileName = "profile.db";
  // Opens (creating, 0600) the profile's database and brings its schema up to date.
  // Errors: Io (with SQLite's reason), or db::Errc::Corrupt for a damaged file or one
  // from a newer sotto.
  static Result<std::unique_ptr<LocalStore>> open(const std::filesystem::path& profile_dir);
  ~LocalStore();
  LocalStore(const LocalStore&) = delete;
  LocalStore& operator=(const LocalStore&) = delete;

  // Contacts. add: a new one, or a new nickname for a known one (an empty one keeps the
  // old); a nickname is unique (AlreadyUsed otherwise).
  Result<void> add_contact(const std::string& account, const std::string& nickname);
  // false: not a contact. A blocked one stays blocked (it loses only its nickname).
  Result<bool> remove_contact(const std::string& account);
  Result<void> set_blocked(const std::string& account, bool blocked);
  Result<std::vector<Contact>> contacts();
  Result<std::optional<Contact>> contact_by_nickname(const std::string& nickname);
  Result<std::optional<Contact>> contact(const std::string& account);

  // An outgoing message before it goes out (state Sending, `data` kept for retries);
  // returns its id.
  Result<std::int64_t> add_outgoing(const StoredMessage& m);
  // The outcome of a send: Sent with its confirmations (the data is then dropped), or
  // Failed.
  Result<void> set_outcome(std::int64_t id, DeliveryState state, int confirmations, int swarm_size);
  Result<std::optional<StoredMessage>> message(std::int64_t id);
  Result<std::optional<StoredMessage>> message_by_hash(const std::string& hash);

  // One batch of a retrieve from `node`: the incoming messages to keep, every hash the
  // batch held (readable or not, `until_ms` its expiry on the node) and the node's new
  // last hash, in one transaction. Messages whose hash was seen before are skipped; the
  // ones kept are returned (with their ids).
  struct Seen {
    std::string hash;
    std::int64_t until_ms = 0;
  };
  Result<std::vector<StoredMessage>> add_incoming(const std::vector<StoredMessage>& messages, const std::vector<Seen>& seen,
                                                  const std::string& node, std::int64_t ns, const std::string& last_hash);
  Result<bool> seen(const std::string& hash);
  Result<std::string> last_hash(const std::string& node, std::int64_t ns);

  // The conversation with `peer`: its last `limit` messages, oldest first (by timestamp,
  // then arrival).
  Result<std::vector<StoredMessage>> history(const std::string& peer, std::size_t limit);
  // Everything, for a backup: messages by peer then local order; conversations by peer.
  Result<std::vector<StoredMessage>> all_messages();
  Result<std::vector<std::pair<std::string, std::int64_t>>> conversations();  // (peer, updated_ms)
  // A restore: contacts, conversations and messages in one transaction. A contact or
  // conversation already here is kept (a restore never overrides the profile; a restored
  // contact whose nickname another one has here comes without it, blocked as it was); a
  // message whose hash is here already is skipped. Returns how many messages it added.
  Result<std::size_t> import(const std::vector<Contact>& contacts, const std::vector<std::pair<std::string, std::int64_t>>& conversations,
                             const std::vector<StoredMessage>& messages);
  // A counter that grows with every change to contacts and messages (triggers keep it):
  // a backup records it, and a later one is due only if it moved.
  Result<std::int64_t> changes();
  // Small settings (key -> text), e.g. the backup's last manifests.
  Result<std::optional<std::string>> setting(const std::string& key);
  Result<void> set_setting(const std::string& key, const std::string& value);
  // Reads a setting and writes what `change` makes of it in one transaction, so another
  // process's change in between is not lost; an error from `change` writes nothing.
  using SettingChange = std::function<Result<std::string>(const std::optional<std::string>&)>;
  Result<void> update_setting(const std::string& key, const SettingChange& change);

  // Deletes disappearing messages whose time is up, and forgets seen hashes no node keeps
  // any more. Returns how many messages it deleted.
  Result<std::size_t> purge(std::int64_t now_ms);

 private:
  explicit LocalStore(std::unique_ptr<db::Db> db);
  Result<void> migrate();
  std::unique_ptr<db::Db> db_;
};

}  // namespace sotto::client
