// sotto init | restore | whoami

#include <iostream>
#include <nlohmann/json.hpp>

#include "base/rng.hpp"
#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "crypto/account_id.hpp"
#include "crypto/mnemonic.hpp"

namespace sotto::cli {

namespace {

// The new passphrase for init/restore: none, from a file, or asked twice.
Result<std::optional<base::SecretBytes>> new_passphrase(const PassphraseOptions& pp) {
  if (!pp.file.empty()) {
    auto p = read_secret_file(pp.file, "passphrase file");
    if (!p) return std::move(p).error();
    if (p->empty()) return Error(client::Errc::Io, "the passphrase file " + pp.file + " is empty");
    return std::optional<base::SecretBytes>(std::move(*p));
  }
  if (!pp.ask) return std::optional<base::SecretBytes>();
  auto first = prompt_hidden("New passphrase: ");
  if (!first) return Error(client::Errc::Io, "--ask-passphrase needs a terminal; use --passphrase-file FILE instead");
  if (first->empty()) return Error(client::Errc::Io, "the passphrase is empty; leave out --ask-passphrase for no passphrase");
  auto second = prompt_hidden("Repeat the passphrase: ");
  if (!second || !equal(first->span(), second->span())) return Error(client::Errc::Io, "the two passphrases differ");
  return std::optional<base::SecretBytes>(std::move(*first));
}

int create(const Options& opt, const PassphraseOptions& pp, const crypto::Seed16& seed, bool show_phrase) {
  auto opened = open_profile(opt);
  if (!opened) return fail(opt, opened.error());
  client::Profile& profile = *opened;
  // Before asking for a passphrase: say at once that there is nothing to create.
  if (auto r = profile.check_no_account(); !r) return fail(opt, r.error());
  auto pass = new_passphrase(pp);
  if (!pass) return fail(opt, pass.error());
  base::SystemRng rng;
  const base::SecretBytes* pw = pass->has_value() ? &**pass : nullptr;
  if (auto r = profile.create_account(seed, pw, crypto::PwhashParams::moderate(), rng); !r) return fail(opt, r.error());

  auto keys = crypto::Keypair::from_seed(crypto::session_seed(seed));
  std::string id = crypto::account_id_of(keys).hex();
  base::SecretBytes phrase = crypto::encode_phrase(seed);
  if (opt.json) {
    nlohmann::json j{{"session_id", id}, {"profile", profile.dir().string()}, {"encrypted", pw != nullptr}};
    if (show_phrase) j["recovery_phrase"] = std::string(phrase.view());
    print_secret_json(j);
    if (show_phrase) base::wipe_string(j["recovery_phrase"].get_ref<std::string&>());
  } else {
    std::cout << (show_phrase ? "Account created" : "Account restored") << " in " << profile.dir().string()
              << (pw ? " (key encrypted with your passphrase)" : "") << ".\n\nAccount ID: " << id << "\n";
    if (show_phrase)
      std::cout << "\nRecovery phrase: write it down and keep it safe. It is the only way to restore this\n"
                   "account, and anyone who has it can read your messages:\n\n  "
                << phrase.view() << "\n";
  }
  if (!output_ok())
    return fail(opt, "output_failed",
                "the account was created, but writing to standard output failed" +
                    std::string(show_phrase ? ": run `sotto recovery-phrase` to see the recovery phrase" : ""));
  return kExitOk;
}

}  // namespace

Result<client::Profile> open_profile(const Options& opt) {
  if (!opt.profile.empty()) return client::Profile(opt.profile);
  auto dir = client::default_profile_dir();
  if (!dir) return std::move(dir).error();
  return client::Profile(*dir);
}

Result<crypto::Seed16> unlock_seed(const Options& opt, const PassphraseOptions& pp) {
  auto opened = open_profile(opt);
  if (!opened) return std::move(opened).error();
  const client::Profile& profile = *opened;
  if (!pp.file.empty()) {
    auto p = read_secret_file(pp.file, "passphrase file");
    if (!p) return std::move(p).error();
    return profile.load_seed(&*p);
  }
  auto encrypted = profile.account_encrypted();
  if (!encrypted) return std::move(encrypted).error();
  if (!*encrypted) return profile.load_seed(nullptr);
  auto p = prompt_hidden("Passphrase: ");
  if (!p)
    return Error(client::Errc::PassphraseRequired,
                 "the account key is encrypted and there is no terminal to ask on: give --passphrase-file FILE");
  return profile.load_seed(&*p);
}

Result<crypto::Keypair> unlock(const Options& opt, const PassphraseOptions& pp) {
  auto seed = unlock_seed(opt, pp);
  if (!seed) return std::move(seed).error();
  return crypto::Keypair::from_seed(crypto::session_seed(*seed));
}

int cmd_init(const Options& opt, const PassphraseOptions& pp) {
  base::SystemRng rng;
  crypto::Seed16 seed;
  rng.fill(seed.span());
  return create(opt, pp, seed, true);
}

int cmd_restore(const Options& opt, const PassphraseOptions& pp) {
  std::optional<base::SecretBytes> phrase;
  if (stdin_is_terminal()) {
    phrase = prompt_hidden("Recovery phrase (13 words): ");
  } else {
    auto in = read_stdin_secret("the recovery phrase from standard input");
    if (!in) return fail(opt, in.error());
    phrase = std::move(*in);
  }
  if (!phrase || phrase->empty()) return fail(opt, "wrong_word_count", "no recovery phrase was given (pipe it to standard input)");
  auto seed = crypto::decode_phrase(phrase->view());
  if (!seed) return fail(opt, seed.error());
  return create(opt, pp, *seed, false);
}

int cmd_recovery_phrase(const Options& opt, const PassphraseOptions& pp) {
  auto seed = unlock_seed(opt, pp);
  if (!seed) return fail(opt, seed.error());
  base::SecretBytes phrase = crypto::encode_phrase(*seed);
  if (opt.json) {
    nlohmann::json j{{"recovery_phrase", std::string(phrase.view())}};
    print_secret_json(j);
    base::wipe_string(j["recovery_phrase"].get_ref<std::string&>());
  } else {
    std::cout << phrase.view() << "\n";
  }
  return output_ok() ? kExitOk : fail(opt, "output_failed", "writing to standard output failed");
}

int cmd_whoami(const Options& opt, const PassphraseOptions& pp) {
  auto keys = unlock(opt, pp);
  if (!keys) return fail(opt, keys.error());
  std::string id = crypto::account_id_of(*keys).hex();
  if (opt.json) {
    print_json({{"session_id", id}});
  } else {
    std::cout << id << "\n";
    if (stdout_is_terminal()) std::cout << "\n" << qr_code(id);
  }
  return output_ok() ? kExitOk : fail(opt, "output_failed", "writing to standard output failed");
}

}  // namespace sotto::cli
