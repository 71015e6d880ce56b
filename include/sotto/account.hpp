#pragma once
// Accounts (docs/client.md, "Accounts"): an account is a keypair from a 16-byte seed, shown
// as a 13-word recovery phrase (Session's, both ways). A profile is a directory holding one
// account's key file (encrypted with a passphrase, if one is set), its local database and
// its network. Nothing here touches the network. Public API.

#include <optional>
#include <string>

#include "sotto/outcome.hpp"
#include "sotto/secret.hpp"

namespace sotto {

// An account ID as typed (05 + 64 hex digits, either case): its canonical form (lower
// case), or what is wrong with it ("wrong_length", "bad_hex", "wrong_prefix": a group's
// 03 says so).
Outcome<std::string> parse_account_id(const std::string& text);

// The default profile: $XDG_DATA_HOME/sotto/default, or ~/.local/share/sotto/default.
Outcome<std::string> default_profile_dir();

struct ProfileState {
  bool has_account = false;
  bool encrypted = false;  // its key file needs a passphrase
};
// What the profile at `dir` holds (a missing directory holds nothing). Its directory's
// owner and mode are checked where the key is read or written: one another user owns or
// may write to is refused there ("io").
Outcome<ProfileState> profile_state(const std::string& dir);

// Ok when `dir` has no account yet ("account_exists" otherwise, saying where): a program
// can say so before it asks for a new passphrase.
Outcome<Ok> check_no_account(const std::string& dir);

struct NewAccount {
  std::string account_id;   // 05 + 64 hex
  Secret recovery_phrase;   // 13 words: show it once, and keep it secret
  std::string profile_dir;
  bool encrypted = false;
};
// A new account in `dir` (made if missing; refused, "account_exists", if it has one),
// its key file encrypted with `passphrase` when one is given (Argon2id).
Outcome<NewAccount> create_account(const std::string& dir, const Secret* passphrase);
// The account of `recovery_phrase` (13 words; a word matches on its first three letters,
// in any case) in `dir`. Failures say which word is unknown (by position), that one is
// missing, or that the checksum word does not match.
Outcome<NewAccount> restore_account(const std::string& dir, const Secret& recovery_phrase, const Secret* passphrase);
// Ok when `recovery_phrase` decodes (the same failures as restore_account's): a program can
// say a word is wrong before it asks for a new passphrase.
Outcome<Ok> check_recovery_phrase(const Secret& recovery_phrase);

// The profile's account ID and recovery phrase (the key file unlocked with `passphrase`
// when it is encrypted: "passphrase_required", "wrong_passphrase").
Outcome<std::string> account_id(const std::string& dir, const Secret* passphrase);
Outcome<Secret> recovery_phrase(const std::string& dir, const Secret* passphrase);

}  // namespace sotto
