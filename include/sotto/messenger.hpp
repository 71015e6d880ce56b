#pragma once
// libsotto: a private 1:1 messenger over one profile (docs/client.md, "Messaging").
//
// Public API. It uses only the standard library: nothing of sotto's internals, asio,
// SQLite or libsodium shows through. A Messenger unlocks the profile's key and talks to
// the network, every request through a 3-hop onion path; what needs no key nor network is
// its Profile's. A Messenger is blocking and not thread-safe; open one per thread (two on
// the same profile, say a listener and a sender, work side by side).
//
//   sotto::OpenOptions o;
//   o.profile_dir = dir;                 // made by sotto::create_account (or `sotto init`)
//   o.network_json = "network.json";     // once; kept in the profile
//   auto m = sotto::Messenger::open(o);
//   if (!m) { std::cerr << m.failure().message << "\n"; return 1; }
//   auto sent = (*m)->send("bob", "hello");      // an account ID or a contact's nickname
//   auto in = (*m)->receive(25);                  // waits up to 25 s for messages

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sotto/outcome.hpp"
#include "sotto/profile.hpp"
#include "sotto/secret.hpp"
#include "sotto/transport.hpp"

namespace sotto {

struct Delivery {
  std::int64_t id = 0;          // the message's id in the profile
  std::string hash;             // its storage hash
  int confirmations = 0;        // swarm members whose signed receipt verified
  int swarm_size = 0;
  std::int64_t timestamp_ms = 0;
  int attempts = 0;
  std::vector<std::string> path;  // the onion path of the attempt that succeeded (Ed25519 hex, guard first)
};

struct BackupResult {
  std::int64_t seq = 0;
  std::size_t chunks = 0, new_chunks = 0;
  std::size_t bytes = 0, new_bytes = 0;  // of encrypted chunks: in all, and uploaded now
  std::size_t parts_uploaded = 0, deleted = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;
  std::string cleanup_error;  // superseded parts that could not be deleted (they expire anyway)
};

struct RestoreResult {
  std::int64_t seq = 0, created_ms = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;  // in the backup
  std::size_t added = 0;              // messages new to this profile
  std::vector<std::string> skipped;  // newer backups that failed, and why
};

// Progress of a long operation: `done` of `total` steps.
using Progress = std::function<void(std::size_t done, std::size_t total)>;

struct OpenOptions {
  std::string profile_dir;           // made by create_account / restore_account
  std::optional<Secret> passphrase;  // when the key file is encrypted
  std::string network_json;          // a network.json to use (kept in the profile); empty: the one kept
  bool onion = true;                 // false: straight to the nodes (they see this address)
  // The network: libsotto's own HTTPS transport when null. Shared with the Messenger;
  // give each Messenger its own (a Transport carries one request at a time).
  std::shared_ptr<Transport> transport;
  // Told what went wrong in the background without failing a call (a CLI prints it).
  std::function<void(const std::string&)> warn;
};

// Ok when `text` may be sent (Messenger::send checks the same first): "empty_message",
// "too_long" (over 60,000 bytes), "bad_disappear" (over 14 days).
constexpr std::size_t kMaxMessageText = 60'000;
constexpr std::uint32_t kMaxDisappearSeconds = 14 * 86'400;
Outcome<Ok> check_message(const std::string& text, std::uint32_t disappear_after_s = 0);

class Messenger {
 public:
  // Unlocks the key, and fetches a consensus when the one held is older than an hour.
  // Failures: "no_account", "passphrase_required", "wrong_passphrase", "no_network" (no
  // network.json yet), and the network's.
  static Outcome<std::unique_ptr<Messenger>> open(const OpenOptions& options);
  ~Messenger();
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  // The account's ID (05 + 64 hex).
  std::string account_id() const;
  // The profile's local side (contacts, history, settings, the network), valid as long as
  // this Messenger. A network changed through it (use_network, update_network) is the
  // one the next Messenger opened on the profile uses.
  Profile& profile();

  // `to`: an account ID (05 + 64 hex) or a contact's nickname; `text` as check_message says. Stored in the recipient's
  // swarm through an onion path; fails unless a member confirmed with a signed receipt
  // (the message then stays in the profile as failed: retry(id) sends it again).
  // `disappear_after_s` > 0: deleted that long after it is sent, here, there and on the nodes.
  Outcome<Delivery> send(const std::string& to, const std::string& text, std::uint32_t disappear_after_s = 0);
  Outcome<Delivery> retry(std::int64_t id);
  // Waits up to `wait_s` (0-25) for messages; returns those new to this profile, already
  // kept in it, oldest first.
  Outcome<std::vector<Message>> receive(int wait_s);

  // An encrypted backup of the profile in the account's swarm: only what changed is
  // uploaded. And the newest intact one brought back ("no_backup": the account has none;
  // "backup_damaged": none is intact, and why).
  Outcome<BackupResult> backup_now(const Progress& progress = {});
  Outcome<RestoreResult> restore_backup(const Progress& progress = {});
  // The automatic backup: made when something changed since the last one and none was
  // tried within the profile's setting (backup_status().auto_minutes; 0: off). Empty when
  // none was due.
  Outcome<std::optional<BackupResult>> backup_if_due();

 private:
  struct Impl;
  explicit Messenger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto
