// sotto init | restore | whoami | recovery-phrase

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "sotto/account.hpp"

namespace sotto::cli {

namespace {

// The new passphrase for init/restore: none, from a file, or asked twice.
Outcome<std::optional<Secret>> new_passphrase(const PassphraseOptions& pp) {
  if (!pp.file.empty()) {
    auto p = read_secret_file(pp.file, "passphrase file");
    if (!p) return p.failure();
    if (p->empty()) return Failure{"io", "the passphrase file " + pp.file + " is empty"};
    return std::optional<Secret>(std::move(*p));
  }
  if (!pp.ask) return std::optional<Secret>();
  auto first = prompt_hidden("New passphrase: ");
  if (!first) return Failure{"io", "--ask-passphrase needs a terminal; use --passphrase-file FILE instead"};
  if (first->empty()) return Failure{"io", "the passphrase is empty; leave out --ask-passphrase for no passphrase"};
  auto second = prompt_hidden("Repeat the passphrase: ");
  if (!second || second->str() != first->str()) return Failure{"io", "the two passphrases differ"};
  return std::optional<Secret>(std::move(*first));
}

// Shows the new account (and its phrase, for init) once it exists.
int created(const Options& opt, const NewAccount& a, bool show_phrase) {
  if (opt.json) {
    nlohmann::json j{{"session_id", a.account_id}, {"profile", a.profile_dir}, {"encrypted", a.encrypted}};
    if (show_phrase) j["recovery_phrase"] = a.recovery_phrase.str();
    print_secret_json(j);
    if (show_phrase) wipe(j["recovery_phrase"].get_ref<std::string&>());
  } else {
    std::cout << (show_phrase ? "Account created" : "Account restored") << " in " << a.profile_dir
              << (a.encrypted ? " (key encrypted with your passphrase)" : "") << ".\n\nAccount ID: " << a.account_id << "\n";
    if (show_phrase)
      std::cout << "\nRecovery phrase: write it down and keep it safe. It is the only way to restore this\n"
                   "account, and anyone who has it can read your messages:\n\n  "
                << a.recovery_phrase.str() << "\n";
  }
  if (!output_ok())
    return fail(opt, "output_failed",
                "the account was created, but writing to standard output failed" +
                    std::string(show_phrase ? ": run `sotto recovery-phrase` to see the recovery phrase" : ""));
  return kExitOk;
}

// Before asking for a passphrase: say at once that there is nothing to create.
Outcome<std::string> empty_profile(const Options& opt) {
  auto dir = profile_dir(opt);
  if (!dir) return dir;
  if (auto none = check_no_account(*dir); !none) return none.failure();
  return dir;
}

}  // namespace

Outcome<std::string> profile_dir(const Options& opt) {
  if (!opt.profile.empty()) return opt.profile;
  return default_profile_dir();
}

Outcome<std::optional<Secret>> unlock(const Options& opt, const PassphraseOptions& pp) {
  if (!pp.file.empty()) {
    auto p = read_secret_file(pp.file, "passphrase file");
    if (!p) return p.failure();
    return std::optional<Secret>(std::move(*p));
  }
  auto dir = profile_dir(opt);
  if (!dir) return dir.failure();
  auto state = profile_state(*dir);
  if (!state) return state.failure();
  if (!state->encrypted) return std::optional<Secret>();
  auto p = prompt_hidden("Passphrase: ");
  if (!p) return Failure{"passphrase_required", "the account key is encrypted and there is no terminal to ask on: give --passphrase-file FILE"};
  return std::optional<Secret>(std::move(*p));
}

int cmd_init(const Options& opt, const PassphraseOptions& pp) {
  auto dir = empty_profile(opt);
  if (!dir) return fail(opt, dir.failure());
  auto pass = new_passphrase(pp);
  if (!pass) return fail(opt, pass.failure());
  auto a = create_account(*dir, *pass ? &**pass : nullptr);
  if (!a) return fail(opt, a.failure());
  return created(opt, *a, true);
}

int cmd_restore(const Options& opt, const PassphraseOptions& pp) {
  std::optional<Secret> phrase;
  if (stdin_is_terminal()) {
    phrase = prompt_hidden("Recovery phrase (13 words): ");
  } else {
    auto in = read_stdin_secret("the recovery phrase from standard input");
    if (!in) return fail(opt, in.failure());
    phrase = std::move(*in);
  }
  if (!phrase || phrase->empty()) return fail(opt, "wrong_word_count", "no recovery phrase was given (pipe it to standard input)");
  if (auto ok = check_recovery_phrase(*phrase); !ok) return fail(opt, ok.failure());  // before the profile and the passphrase
  auto dir = empty_profile(opt);
  if (!dir) return fail(opt, dir.failure());
  auto pass = new_passphrase(pp);
  if (!pass) return fail(opt, pass.failure());
  auto a = restore_account(*dir, *phrase, *pass ? &**pass : nullptr);
  if (!a) return fail(opt, a.failure());
  return created(opt, *a, false);
}

int cmd_recovery_phrase(const Options& opt, const PassphraseOptions& pp) {
  auto dir = profile_dir(opt);
  if (!dir) return fail(opt, dir.failure());
  auto pass = unlock(opt, pp);
  if (!pass) return fail(opt, pass.failure());
  auto phrase = recovery_phrase(*dir, *pass ? &**pass : nullptr);
  if (!phrase) return fail(opt, phrase.failure());
  if (opt.json) {
    nlohmann::json j{{"recovery_phrase", phrase->str()}};
    print_secret_json(j);
    wipe(j["recovery_phrase"].get_ref<std::string&>());
  } else {
    std::cout << phrase->str() << "\n";
  }
  return output_ok() ? kExitOk : fail(opt, "output_failed", "writing to standard output failed");
}

int cmd_whoami(const Options& opt, const PassphraseOptions& pp) {
  auto dir = profile_dir(opt);
  if (!dir) return fail(opt, dir.failure());
  auto pass = unlock(opt, pp);
  if (!pass) return fail(opt, pass.failure());
  auto id = account_id(*dir, *pass ? &**pass : nullptr);
  if (!id) return fail(opt, id.failure());
  if (opt.json) {
    print_json({{"session_id", *id}});
  } else {
    std::cout << *id << "\n";
    if (stdout_is_terminal()) std::cout << "\n" << qr_code(*id);
  }
  return output_ok() ? kExitOk : fail(opt, "output_failed", "writing to standard output failed");
}

}  // namespace sotto::cli
