#pragma once
// Errors of the node's storage.

#include "base/error.hpp"

namespace sotto::node::storage {

enum class Errc {
  Io = 1,          // SQLite could not read or write
  Corrupt,         // the database is damaged or from a newer sotto
  Full,            // the database size cap is reached
  QuotaExceeded,   // the account's quota (messages or bytes) is reached
  BadArgument,     // a malformed hash or key handed to the store
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::node::storage

SOTTO_REGISTER_ERRC(sotto::node::storage::Errc)
