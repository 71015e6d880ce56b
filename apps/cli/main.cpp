// sotto: the command-line messenger. Parses arguments and calls the commands.

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "sotto/messenger.hpp"

int main(int argc, char** argv) {
  using namespace sotto::cli;
  Options opt;
  CLI::App app{"sotto: a private messenger. Your account is a keypair; no phone number, no e-mail."};
  app.set_version_flag("--version", "sotto 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--profile", opt.profile, "Profile directory (default ~/.local/share/sotto/default)");
  app.add_flag("--json", opt.json, "Print results as JSON (one object per line), errors as JSON on stderr");

  PassphraseOptions pp;
  auto add_unlock = [&](CLI::App* c) {
    c->add_option("--passphrase-file", pp.file, "Read the key file's passphrase from FILE")->check(CLI::ExistingFile);
  };

  auto* init = app.add_subcommand("init", "Create a new account and show its recovery phrase");
  init->add_option("--passphrase-file", pp.file, "Encrypt the key with the passphrase in FILE")->check(CLI::ExistingFile);
  init->add_flag("--ask-passphrase", pp.ask, "Encrypt the key with a passphrase asked on the terminal");

  auto* restore = app.add_subcommand("restore", "Restore an account from its 13-word recovery phrase (read from stdin)");
  restore->add_option("--passphrase-file", pp.file, "Encrypt the key with the passphrase in FILE")->check(CLI::ExistingFile);
  restore->add_flag("--ask-passphrase", pp.ask, "Encrypt the key with a passphrase asked on the terminal");

  auto* whoami = app.add_subcommand("whoami", "Show this profile's account ID (and a QR code on a terminal)");
  add_unlock(whoami);

  auto* phrase = app.add_subcommand("recovery-phrase", "Show this account's 13-word recovery phrase (keep it secret)");
  add_unlock(phrase);

  auto* dev = app.add_subcommand("dev", "Developer tools: Session-format messages as base64 storage data");
  dev->require_subcommand(1);
  std::string to;
  std::optional<std::string> text, data;
  auto* enc = dev->add_subcommand("encrypt", "Encrypt a 1:1 message for an account ID (text from stdin if not given)");
  enc->add_option("--to", to, "Recipient account ID (05 + 64 hex)")->required();
  enc->add_option("text", text, "Message text");
  add_unlock(enc);
  auto* dec = dev->add_subcommand("decrypt", "Decrypt a message addressed to this account (base64 from stdin if not given)");
  dec->add_option("data", data, "Base64 storage data (a WebSocketMessage or an Envelope)");
  add_unlock(dec);

  std::string store_data, rpc_method, rpc_params = "{}";
  DevRoute route;
  auto* st = dev->add_subcommand("store", "Store base64 data for an account at its swarm, and check each member's signed receipt");
  st->add_option("--node", route.node_url,
                 "Straight to this service node, https://HOST:PORT (a 421 is followed to the account's swarm); default: through an onion "
                 "path to a member of the account's swarm by the consensus this profile holds");
  st->add_flag("--direct", route.direct, "Straight to a swarm member, without an onion path (the node sees your address)");
  st->add_option("--to", to, "Recipient account ID (05 + 64 hex)")->required();
  st->add_option("data", store_data, "Base64 storage data (e.g. from dev encrypt)")->required();
  auto* fe = dev->add_subcommand("fetch", "Fetch this account's messages from its swarm (a signed retrieve) and decrypt them");
  fe->add_option("--node", route.node_url,
                 "Straight to this service node, https://HOST:PORT; default: through an onion path to a member of this account's swarm");
  fe->add_flag("--direct", route.direct, "Straight to a swarm member, without an onion path");
  add_unlock(fe);
  auto* rpc = dev->add_subcommand("rpc", "Any storage RPC through an onion path (to the swarm of params.pubkey, else to any node); prints the status and body");
  rpc->add_option("method", rpc_method, "The method, e.g. info, store, retrieve, get_swarm")->required();
  rpc->add_option("params", rpc_params, "The params as a JSON object (default {})");
  rpc->add_option("--node", route.node_url, "Straight to this service node, https://HOST:PORT");
  rpc->add_flag("--direct", route.direct, "Straight to the node, without an onion path");

  auto* network = app.add_subcommand("network", "The network this profile uses and its consensus (the list of nodes and swarms)");
  network->require_subcommand(1);
  std::string network_file, from_url;
  auto* use = network->add_subcommand("use", "Use the network described by a network.json (its authorities' keys and addresses)");
  use->add_option("file", network_file, "The network's network.json")->required();
  auto* update = network->add_subcommand("update", "Fetch the newest consensus, check its signatures and keep it");
  update->add_option("--from", from_url, "Fetch from this node or authority, https://HOST:PORT (default: the authorities, then the seed nodes)");
  auto* nstatus = network->add_subcommand("status", "Show the network and the consensus held");

  MessageOptions mo;
  auto add_network = [&](CLI::App* c) {
    add_unlock(c);
    c->add_option("--network", mo.network_file, "The network's network.json (kept in the profile: needed once)")->check(CLI::ExistingFile);
    c->add_flag("--direct", mo.direct, "Straight to the swarm's nodes, without onion paths (they see your address)");
  };
  std::string peer, body, nickname;
  std::uint32_t disappear_s = 0;
  auto* send = app.add_subcommand("send", "Send a message to an account ID or a contact's nickname, through an onion path");
  send->add_option("to", peer, "Account ID (05 + 64 hex) or nickname")->required();
  send->add_option("text", body, "The message")->required();
  send->add_option("--disappear", disappear_s, "Delete the message this many seconds after it is sent (here, there, and on the nodes)")
      ->check(CLI::Range(1u, sotto::kMaxDisappearSeconds));
  add_network(send);
  std::int64_t retry_id = 0;
  auto* retry = app.add_subcommand("retry", "Send a message that failed again (its id is in `sotto history`)");
  retry->add_option("id", retry_id, "The message's id")->required();
  add_network(retry);
  std::int64_t count = 0, timeout_s = 0, limit = 50;
  auto* listen = app.add_subcommand("listen", "Print messages as they arrive (JSON lines: from, body, timestamp, hash); Ctrl-C stops");
  listen->add_option("--count", count, "Stop after N messages")->check(CLI::NonNegativeNumber);
  listen->add_option("--timeout", timeout_s, "Stop after S seconds")->check(CLI::NonNegativeNumber);
  add_network(listen);
  auto* history = app.add_subcommand("history", "Show the conversation with an account or contact, oldest first");
  history->add_option("peer", peer, "Account ID or nickname")->required();
  history->add_option("--limit", limit, "The last N messages (default 50)")->check(CLI::PositiveNumber);
  auto* contacts = app.add_subcommand("contacts", "Your contacts: nicknames for account IDs, and who is blocked");
  contacts->require_subcommand(1);
  auto* cadd = contacts->add_subcommand("add", "Add a contact (or rename one)");
  cadd->add_option("account", peer, "Account ID (05 + 64 hex)")->required();
  cadd->add_option("nickname", nickname, "A nickname to use instead of the account ID");
  auto* clist = contacts->add_subcommand("list", "List the contacts");
  auto* crm = contacts->add_subcommand("remove", "Remove a contact (the conversation stays)");
  crm->add_option("who", peer, "Account ID or nickname")->required();
  auto* cblock = contacts->add_subcommand("block", "Block an account: its messages are dropped, and you cannot send to it");
  cblock->add_option("who", peer, "Account ID or nickname")->required();
  auto* cunblock = contacts->add_subcommand("unblock", "Unblock an account");
  cunblock->add_option("who", peer, "Account ID or nickname")->required();

  auto* backup = app.add_subcommand("backup", "Encrypted backups of this profile in the network (restorable from the recovery phrase alone)");
  backup->require_subcommand(1);
  auto* bnow = backup->add_subcommand("now", "Back up now: only the chunks that changed are uploaded");
  add_network(bnow);
  auto* bstatus = backup->add_subcommand("status", "Show the last backup and the automatic backup setting");
  auto* brestore = backup->add_subcommand("restore", "Restore the newest intact backup from the network into this profile");
  add_network(brestore);
  std::int64_t auto_minutes = 0;
  bool auto_off = false;
  auto* bauto = backup->add_subcommand("auto", "Automatic backups after changes (by send and listen), at most every N minutes");
  bauto->add_option("--every", auto_minutes, "Minutes between automatic backups (default 30)")->check(CLI::Range(1, 100'000));
  bauto->add_flag("--off", auto_off, "No automatic backups");
  restore->add_option("--network", mo.network_file, "Then restore the account's backup from this network (its network.json)")
      ->check(CLI::ExistingFile);

  for (auto* c : {init, restore, whoami, phrase, dev, enc, dec, st, fe, rpc, network, use, update, nstatus, send, retry, listen, history,
                  contacts, cadd, clist, crm, cblock, cunblock, backup, bnow, bstatus, brestore, bauto})
    c->fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (!pp.file.empty() && pp.ask) {
    std::cerr << "sotto: --passphrase-file and --ask-passphrase cannot be used together\n";
    return kExitUsage;
  }

  if (init->parsed()) return cmd_init(opt, pp);
  if (restore->parsed()) {
    int rc = cmd_restore(opt, pp);
    if (rc != kExitOk || mo.network_file.empty()) return rc;
    return cmd_backup_restore(opt, pp, mo, true);  // the phrase alone brings the history back
  }
  if (whoami->parsed()) return cmd_whoami(opt, pp);
  if (phrase->parsed()) return cmd_recovery_phrase(opt, pp);
  if (enc->parsed()) return cmd_dev_encrypt(opt, pp, to, text);
  if (dec->parsed()) return cmd_dev_decrypt(opt, pp, data);
  if (st->parsed()) return cmd_dev_store(opt, route, to, store_data);
  if (fe->parsed()) return cmd_dev_fetch(opt, pp, route);
  if (rpc->parsed()) return cmd_dev_rpc(opt, route, rpc_method, rpc_params);
  if (send->parsed()) return cmd_send(opt, pp, mo, peer, body, disappear_s);
  if (retry->parsed()) return cmd_retry(opt, pp, mo, retry_id);
  if (listen->parsed()) return cmd_listen(opt, pp, mo, count, timeout_s);
  if (history->parsed()) return cmd_history(opt, peer, limit);
  if (cadd->parsed()) return cmd_contacts(opt, "add", peer, nickname);
  if (clist->parsed()) return cmd_contacts(opt, "list", "", "");
  if (crm->parsed()) return cmd_contacts(opt, "remove", peer, "");
  if (cblock->parsed()) return cmd_contacts(opt, "block", peer, "");
  if (cunblock->parsed()) return cmd_contacts(opt, "unblock", peer, "");
  if (bnow->parsed()) return cmd_backup_now(opt, pp, mo);
  if (brestore->parsed()) return cmd_backup_restore(opt, pp, mo);
  if (bstatus->parsed()) return cmd_backup_status(opt, std::nullopt);
  if (bauto->parsed()) {
    if (auto_off == (auto_minutes > 0)) {
      std::cerr << "sotto: give either --every MINUTES or --off\n";
      return kExitUsage;
    }
    return cmd_backup_status(opt, auto_off ? 0 : auto_minutes);
  }
  if (use->parsed()) return cmd_network_use(opt, network_file);
  if (update->parsed()) return cmd_network_update(opt, from_url);
  if (nstatus->parsed()) return cmd_network_status(opt);
  return kExitUsage;
}
