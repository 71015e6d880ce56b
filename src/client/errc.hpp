#pragma once
// Errors of the client library.

#include "base/error.hpp"

namespace sotto::client {

enum class Errc {
  NoAccount = 1,       // the profile has no account yet
  AccountExists,       // init/restore into a profile that has one
  BadKeyFile,          // the key file is damaged or of an unknown format
  PassphraseRequired,  // the key file is encrypted and no passphrase was given
  WrongPassphrase,     // the key file did not decrypt with this passphrase
  Io,                  // the profile could not be read or written
  NoNetwork,           // the profile has no network.json (sotto network use FILE)
  NoPath,              // too few usable nodes for an onion path
  Unreachable,         // every path tried failed in transit
  UnknownContact,      // a nickname that names no contact
  BadAccountId,        // not an account ID (05 + 64 hex)
  AlreadyUsed,         // a nickname another contact has
  Refused,             // the swarm refused the request (its status and reason say why)
  Blocked,             // the contact is blocked
  BadNickname,         // not usable as a nickname
  NoBackup,            // the swarm holds no backup of this account
  BackupDamaged,       // it holds backups of this account, but none is intact
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::client

SOTTO_REGISTER_ERRC(sotto::client::Errc)
