#pragma once
// Errors of the SQLite wrapper (db/sqlite.hpp).

#include "base/error.hpp"

namespace sotto::db {

enum class Errc {
  Io = 1,   // SQLite could not read or write
  Corrupt,  // the database is damaged (or not a database)
  Full,     // the disk, or the database's size cap, is full
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::db

SOTTO_REGISTER_ERRC(sotto::db::Errc)
