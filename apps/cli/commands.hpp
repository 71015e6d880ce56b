#pragma once
// The CLI's commands. Each returns the process exit code.

#include <optional>
#include <string>

#include "base/result.hpp"
#include "cli/output.hpp"
#include "client/profile.hpp"

namespace sotto::cli {

struct PassphraseOptions {
  std::string file;  // --passphrase-file
  bool ask = false;  // --ask-passphrase (init/restore: prompt for a new one)
};

Result<client::Profile> open_profile(const Options& opt);
// Loads the account's seed (or keys), asking for the passphrase on the terminal if the
// key file is encrypted and no --passphrase-file was given.
Result<crypto::Seed16> unlock_seed(const Options& opt, const PassphraseOptions& pp);
Result<crypto::Keypair> unlock(const Options& opt, const PassphraseOptions& pp);

int cmd_init(const Options& opt, const PassphraseOptions& pp);
int cmd_restore(const Options& opt, const PassphraseOptions& pp);
int cmd_whoami(const Options& opt, const PassphraseOptions& pp);
int cmd_recovery_phrase(const Options& opt, const PassphraseOptions& pp);
int cmd_dev_encrypt(const Options& opt, const PassphraseOptions& pp, const std::string& to,
                    const std::optional<std::string>& text);
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
int cmd_network_use(const Options& opt, const std::string& file);
int cmd_network_update(const Options& opt, const std::string& from);
int cmd_network_status(const Options& opt);

}  // namespace sotto::cli
