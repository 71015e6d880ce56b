#pragma once
// A thin RAII wrapper over SQLite: a connection, prepared statements that are cached and
// reused, and transactions. Used by the node's message store and the client's profile
// database; only src/db/ includes sqlite3.h. Not thread-safe: one Db per thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "db/errc.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sotto::db {

class Statement {
 public:
  Statement(sqlite3_stmt* s) : s_(s) {}  // NOLINT
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, ByteView blob);
  Statement& bind(int i, std::string_view text);
  // True when a row is ready, false when done; Io/Full/Corrupt on error.
  Result<bool> step();
  // Runs to completion (for statements that return no rows).
  Result<void> run();
  Statement& bind_null(int i);
  std::int64_t int64(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;
  ByteView blob(int col) const;
  // Resets and clears the bindings; called before each use.
  Statement& reset();

 private:
  sqlite3_stmt* s_;
};

class Db {
 public:
  // Opens (creating if needed) the database at `path` (":memory:" for tests); with
  // `read_only`, opens an existing database for reading only.
  static Result<std::unique_ptr<Db>> open(const std::string& path, bool read_only = false);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Result<void> exec(const char* sql);
  // A cached prepared statement, reset and ready to bind. The SQL must be a literal:
  // the cache is keyed by its address.
  Result<Statement*> prepare(const char* sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  Result<std::int64_t> pragma_int(const char* name);
  // A PASSIVE WAL checkpoint: (frames in the WAL, frames checkpointed).
  Result<std::pair<std::int64_t, std::int64_t>> checkpoint();
  // An outer transaction (group commit): Tx inside it become savepoints.
  bool in_group() const { return in_group_; }
  void set_in_group(bool v) {
    in_group_ = v;
    group_broken_ = false;
  }
  // True while a transaction is open (SQLite may roll one back by itself on FULL/IOERR).
  bool in_transaction() const;
  // The group's transaction is gone or a savepoint could not be undone: nothing more
  // may run in the group, and its commit must fail.
  bool group_broken() const { return group_broken_; }
  void break_group() { group_broken_ = true; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  bool in_group_ = false;
  bool group_broken_ = false;
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back unless commit() succeeded. Inside a group
// (Db::in_group) it is a savepoint: commit() releases it, and the group's COMMIT makes it
// durable; a failure rolls back to the savepoint, leaving the group's other work intact.
class Tx {
 public:
  static Result<Tx> begin(Db& db);
  Tx(Tx&& o) noexcept : db_(o.db_), savepoint_(o.savepoint_) { o.db_ = nullptr; }
  Tx& operator=(Tx&&) = delete;
  ~Tx();
  Result<void> commit();

 private:
  Tx(Db& db, bool savepoint) : db_(&db), savepoint_(savepoint) {}
  Db* db_;
  bool savepoint_;
};

// An error for the SQLite result code rc, with `what` saying what was being done.
Error sqlite_error(int rc, const std::string& what);

}  // namespace sotto::db
