#pragma once
// A profile's local side, without its key (docs/client.md): contacts, the history kept in
// its database, its backup settings, and the network it uses (network.json and the
// newest consensus it accepted). None of these needs the passphrase. Not thread-safe: one
// object per thread; two processes on one profile work side by side. Public API.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sotto/outcome.hpp"
#include "sotto/transport.hpp"

namespace sotto {

struct Message {
  std::int64_t id = 0;
  std::string peer;             // the other account's ID
  bool outgoing = false;
  std::string body;
  std::int64_t timestamp_ms = 0;  // the sender's
  std::string hash;             // its storage hash
  std::string state;            // "sending", "sent", "failed" (outgoing) or "received"
  int confirmations = 0, swarm_size = 0;  // outgoing
  std::optional<std::int64_t> expires_ms;  // a disappearing message: deleted after this
};

struct Contact {
  std::string account_id;
  std::string nickname;
  bool blocked = false;
};

struct LastBackup {
  std::int64_t seq = 0, created_ms = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;
  std::size_t chunks = 0;
};
struct BackupStatus {
  std::optional<LastBackup> last;  // the last backup made or restored here
  std::int64_t auto_minutes = 30;  // automatic backups after changes, at most this often (0: off)
  std::size_t messages_here = 0;
};

struct NetworkInfo {
  std::string network_id;
  std::size_t authorities = 0, seed_nodes = 0;
};
struct ConsensusInfo {
  std::int64_t epoch = 0;
  std::size_t nodes = 0, swarms = 0, unassigned = 0;
  std::int64_t valid_after = 0, valid_until = 0;  // unix seconds
};
struct NetworkStatus {
  std::string network_id;
  std::optional<std::int64_t> held_epoch;  // the newest accepted, even if no longer current
  std::optional<ConsensusInfo> consensus;  // the current one, if any
};
// What `update_network` took, or why each source gave nothing.
struct NetworkUpdate {
  std::optional<ConsensusInfo> consensus;  // the one accepted now, or the one held when up_to_date
  std::string from;                        // where the accepted one came from
  bool up_to_date = false;                 // no source had a newer one than the one held
  std::vector<std::pair<std::string, std::string>> refused;  // (source, why nothing was taken from it)
  std::optional<std::int64_t> held_epoch;  // the newest held before
};

class Profile {
 public:
  // The profile at `dir`, which create_account or restore_account made (its contacts and
  // history work before an account exists; a missing directory fails them with "io").
  static Outcome<std::unique_ptr<Profile>> open(const std::string& dir);
  ~Profile();
  Profile(const Profile&) = delete;
  Profile& operator=(const Profile&) = delete;
  const std::string& dir() const;

  // --- Contacts and history ---
  Outcome<std::vector<Contact>> contacts();
  // `account_id`: 05 + 64 hex; `nickname` one word of at most 64 bytes that does not look
  // like an account ID (empty: none).
  Outcome<Contact> add_contact(const std::string& account_id, const std::string& nickname);
  // `peer`: an account ID or a contact's nickname.
  Outcome<Contact> set_blocked(const std::string& peer, bool blocked);
  Outcome<Contact> remove_contact(const std::string& peer);
  // The account ID `peer` names ("bad_account_id", "unknown_contact").
  Outcome<std::string> resolve(const std::string& peer);
  // The contact's nickname, if it has one.
  std::optional<std::string> nickname_of(const std::string& account_id);
  // The last `limit` messages with `peer`, oldest first (disappeared ones purged first).
  Outcome<std::vector<Message>> history(const std::string& peer, std::size_t limit);
  // One message by its id ("io" if there is none).
  Outcome<Message> message(std::int64_t id);

  // --- Backups (the settings; making and restoring one is Messenger's) ---
  Outcome<BackupStatus> backup_status();
  Outcome<Ok> set_auto_backup(std::int64_t minutes);  // 0: off

  // --- The network ---
  // Keeps the network.json at `path` in the profile (a different network forgets the
  // consensus held for the old one).
  Outcome<NetworkInfo> use_network(const std::string& path);
  Outcome<NetworkStatus> network_status();
  // Fetches the newest consensus from `from` (https://HOST:PORT: an authority or any
  // node), or else from the authorities and then the seed nodes, checks it (a majority of
  // the authorities' signatures, current, newer than the one held) and keeps it. When no
  // source gave one, `consensus` is empty and `refused` says why for each. Failures:
  // "bad_url" (before anything is fetched), "no_network"; `transport`: libsotto's own when
  // null; `refused`, if given, is told each refusal as it happens (source, why).
  Outcome<NetworkUpdate> update_network(const std::string& from = {}, Transport* transport = nullptr,
                                        const std::function<void(const std::string&, const std::string&)>& refused = {});

 private:
  struct Impl;
  friend class Messenger;
  explicit Profile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto
