// Accounts and profiles (include/sotto/account.hpp), over client::Profile.

#include "sotto/account.hpp"

#include "api/failure.hpp"
#include "base/rng.hpp"
#include "client/errc.hpp"
#include "client/profile.hpp"
#include "crypto/account_id.hpp"
#include "crypto/mnemonic.hpp"

namespace sotto {

namespace {

Outcome<NewAccount> create(const std::string& dir, const crypto::Seed16& seed, const Secret* passphrase) {
  if (passphrase && passphrase->empty()) return Failure{"io", "the passphrase is empty; give none for no passphrase"};
  client::Profile profile(dir);
  if (auto r = profile.check_no_account(); !r) return api::failure_of(r.error());
  auto pw = api::secret_bytes(passphrase);
  base::SystemRng rng;
  if (auto r = profile.create_account(seed, pw ? &*pw : nullptr, crypto::PwhashParams::moderate(), rng); !r) return api::failure_of(r.error());
  auto keys = crypto::Keypair::from_seed(crypto::session_seed(seed));
  base::SecretBytes phrase = crypto::encode_phrase(seed);
  return NewAccount{crypto::account_id_of(keys).hex(), Secret(reinterpret_cast<const char*>(phrase.data()), phrase.size()),
                    profile.dir().string(), passphrase != nullptr};
}

}  // namespace

Outcome<std::string> parse_account_id(const std::string& text) {
  auto id = crypto::AccountId::parse(text);
  if (!id) return api::failure_of(id.error());
  return id->hex();
}

Outcome<std::string> default_profile_dir() {
  auto d = client::default_profile_dir();
  if (!d) return api::failure_of(d.error());
  return d->string();
}

Outcome<ProfileState> profile_state(const std::string& dir) {
  client::Profile profile(dir);
  if (!profile.has_account()) return ProfileState{false, false};
  auto encrypted = profile.account_encrypted();
  if (!encrypted) return api::failure_of(encrypted.error());
  return ProfileState{true, *encrypted};
}

Outcome<Ok> check_no_account(const std::string& dir) {
  if (auto r = client::Profile(dir).check_no_account(); !r) return api::failure_of(r.error());
  return Ok{};
}

Outcome<NewAccount> create_account(const std::string& dir, const Secret* passphrase) {
  base::SystemRng rng;
  crypto::Seed16 seed;
  rng.fill(seed.span());
  return create(dir, seed, passphrase);
}

Outcome<NewAccount> restore_account(const std::string& dir, const Secret& recovery_phrase, const Secret* passphrase) {
  if (recovery_phrase.empty()) return Failure{"wrong_word_count", "no recovery phrase was given"};
  auto seed = crypto::decode_phrase(recovery_phrase.str());
  if (!seed) return api::failure_of(seed.error());
  return create(dir, *seed, passphrase);
}

Outcome<Ok> check_recovery_phrase(const Secret& recovery_phrase) {
  if (recovery_phrase.empty()) return Failure{"wrong_word_count", "no recovery phrase was given"};
  auto seed = crypto::decode_phrase(recovery_phrase.str());  // a Seed16: wiped as it goes
  if (!seed) return api::failure_of(seed.error());
  return Ok{};
}

Outcome<std::string> account_id(const std::string& dir, const Secret* passphrase) {
  auto pw = api::secret_bytes(passphrase);
  auto keys = client::Profile(dir).load_keys(pw ? &*pw : nullptr);
  if (!keys) return api::failure_of(keys.error());
  return crypto::account_id_of(*keys).hex();
}

Outcome<Secret> recovery_phrase(const std::string& dir, const Secret* passphrase) {
  auto pw = api::secret_bytes(passphrase);
  auto seed = client::Profile(dir).load_seed(pw ? &*pw : nullptr);
  if (!seed) return api::failure_of(seed.error());
  base::SecretBytes phrase = crypto::encode_phrase(*seed);
  return Secret(reinterpret_cast<const char*>(phrase.data()), phrase.size());
}

}  // namespace sotto
