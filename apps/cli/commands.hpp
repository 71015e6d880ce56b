#pragma once
// The CLI's commands, over libsotto's public API (include/sotto/). Each returns the
// process exit code.

#include <cstdint>
#include <optional>
#include <string>

#include "cli/output.hpp"
#include "sotto/secret.hpp"

namespace sotto::cli {

struct PassphraseOptions {
  std::string file;  // --passphrase-file
  bool ask = false;  // --ask-passphrase (init/restore: prompt for a new one)
};

// The profile directory: --profile, or the default one.
Outcome<std::string> profile_dir(const Options& opt);
// The passphrase of the profile's key file: from --passphrase-file, else asked on the
// terminal when the key file is encrypted (nothing when it is not).
Outcome<std::optional<Secret>> unlock(const Options& opt, const PassphraseOptions& pp);

int cmd_init(const Options& opt, const PassphraseOptions& pp);
int cmd_restore(const Options& opt, const PassphraseOptions& pp);
int cmd_whoami(const Options& opt, const PassphraseOptions& pp);
int cmd_recovery_phrase(const Options& opt, const PassphraseOptions& pp);
int cmd_dev_encrypt(const Options& opt, const PassphraseOptions& pp, const std::string& to, const std::optional<std::string>& text);
int cmd_dev_decrypt(const Options& opt, const PassphraseOptions& pp, const std::optional<std::string>& data);
// How dev store / fetch / rpc reach the nodes: --node (that node), --direct (straight to
// a swarm member), or else through an onion path to one.
struct DevRoute {
  std::string node_url;
  bool direct = false;
};
int cmd_dev_store(const Options& opt, const DevRoute& how, const std::string& to, const std::string& data);
int cmd_dev_fetch(const Options& opt, const PassphraseOptions& pp, const DevRoute& how);
int cmd_dev_rpc(const Options& opt, const DevRoute& how, const std::string& method, const std::string& params);
// How send / listen / retry reach the network: --network FILE (a network.json, kept in the
// profile for later commands) and --direct (straight to swarm members, no onion path).
struct MessageOptions {
  std::string network_file;
  bool direct = false;
};
int cmd_send(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, const std::string& to, const std::string& text,
             std::uint32_t disappear_s);
int cmd_retry(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, std::int64_t id);
int cmd_listen(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, std::int64_t count, std::int64_t timeout_s);
int cmd_history(const Options& opt, const std::string& who, std::int64_t limit);
// action: add (who = account ID, nickname), list, remove, block, unblock (who = account ID or nickname).
int cmd_contacts(const Options& opt, const std::string& action, const std::string& who, const std::string& nickname);
int cmd_backup_now(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo);
// after_account_restore: right after `sotto restore` made the account, a swarm without a
// backup is no failure, and any other failure says the account itself is restored.
int cmd_backup_restore(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, bool after_account_restore = false);
// Shows the last backup; with auto_minutes, sets how often automatic backups run (0: off).
int cmd_backup_status(const Options& opt, std::optional<std::int64_t> auto_minutes);
int cmd_network_use(const Options& opt, const std::string& file);
int cmd_network_update(const Options& opt, const std::string& from);
int cmd_network_status(const Options& opt);

}  // namespace sotto::cli
