#pragma once
// A profile: one account's directory on disk. Today it holds the key file
// (docs/wire/key-file.md); later issues add the local database. Not thread-safe: one
// process owns a profile at a time.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "base/secret.hpp"
#include "client/errc.hpp"
#include "crypto/keys.hpp"
#include "crypto/mnemonic.hpp"
#include "crypto/pwhash.hpp"

namespace sotto::client {

// $XDG_DATA_HOME/sotto/default if XDG_DATA_HOME is an absolute path, else
// $HOME/.local/share/sotto/default; Io if HOME is unset or relative too.
Result<std::filesystem::path> default_profile_dir();

class Profile {
 public:
  explicit Profile(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }
  static constexpr const char* kKeyFileName = "account.key";
  std::filesystem::path key_path() const { return dir_ / kKeyFileName; }

  bool has_account() const;
  // AccountExists (with a sentence saying so) if the profile has an account.
  Result<void> check_no_account() const;
  // Creates the directory (0700) if needed, refuses one that another user owns or may
  // write to, and writes the key file (0600) atomically. AccountExists if there is one
  // already: an account is never overwritten, even by a racing process.
  Result<void> create_account(const crypto::Seed16& seed, const base::SecretBytes* passphrase,
                              crypto::PwhashParams params, base::Rng& rng);
  // NoAccount, Io, or the key file's errors.
  Result<bool> account_encrypted() const;
  Result<crypto::Seed16> load_seed(const base::SecretBytes* passphrase) const;
  Result<crypto::Keypair> load_keys(const base::SecretBytes* passphrase) const;

  // Other files of the profile (network.json, consensus.json): written whole (a temporary
  // file, synced, renamed over `name`, 0600) in the private directory; read whole, nullopt
  // if missing. Never the key file.
  Result<void> replace_file(const std::string& name, std::string_view data) const;
  Result<std::optional<std::string>> read_file(const std::string& name, std::size_t max_bytes) const;

 private:
  Result<base::SecretBytes> read_key_file() const;
  std::filesystem::path dir_;
};

}  // namespace sotto::client
