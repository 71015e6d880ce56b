#include "db/sqlite.hpp"

#include <sqlite3.h>

namespace sotto::db {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::Io: return "io";
    case Errc::Corrupt: return "corrupt";
    case Errc::Full: return "full";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.db")

Error sqlite_error(int rc, const std::string& what) {
  int primary = rc & 0xff;
  Errc e = primary == SQLITE_FULL ? Errc::Full
           : (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) ? Errc::Corrupt
                                                                     : Errc::Io;
  std::string why = e == Errc::Full ? "the database is full" : std::string("SQLite: ") + sqlite3_errstr(rc);
  return Error(e, why + " (" + what + ")");
}

Statement::~Statement() { sqlite3_finalize(s_); }

Statement& Statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Statement& Statement::bind(int i, ByteView b) {
  // A zero-length blob must still bind as a blob, not NULL.
  static const std::uint8_t empty = 0;
  sqlite3_bind_blob(s_, i, b.empty() ? &empty : b.data(), static_cast<int>(b.size()), SQLITE_STATIC);
  return *this;
}
Statement& Statement::bind(int i, std::string_view t) {
  sqlite3_bind_text(s_, i, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(rc, "step");
}

Result<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return std::move(r).error();
    if (!*r) return {};
  }
}

std::int64_t Statement::int64(int col) const { return sqlite3_column_int64(s_, col); }

Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

std::string Statement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

bool Statement::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

ByteView Statement::blob(int col) const {
  const void* p = sqlite3_column_blob(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return {static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n)};
}

Statement& Statement::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  return *this;
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(rc, "open " + path);
    sqlite3_close(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Db>(new Db(db));
}

Db::~Db() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

Result<void> Db::exec(const char* sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  sqlite3_free(msg);
  if (rc != SQLITE_OK) return sqlite_error(rc, "exec");
  return {};
}

Result<Statement*> Db::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return &it->second->reset();
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, "prepare");
  auto [pos, _] = cache_.emplace(sql, std::make_unique<Statement>(s));
  return pos->second.get();
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }
bool Db::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Result<std::pair<std::int64_t, std::int64_t>> Db::checkpoint() {
  int log = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (rc == SQLITE_BUSY) return std::pair<std::int64_t, std::int64_t>{-1, -1};  // another checkpoint is running
  if (rc != SQLITE_OK) return sqlite_error(rc, "wal_checkpoint");
  return std::pair<std::int64_t, std::int64_t>{log, done};
}

Result<std::int64_t> Db::pragma_int(const char* name) {
  std::string sql = std::string("PRAGMA ") + name;
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, sql);
  rc = sqlite3_step(s);
  std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW) return sqlite_error(rc, sql);
  return v;
}

Result<Tx> Tx::begin(Db& db) {
  bool sp = db.in_group();
  // In a group whose transaction SQLite has already rolled back, a SAVEPOINT would open a
  // fresh transaction that RELEASE commits on its own: refuse instead.
  if (sp && (db.group_broken() || !db.in_transaction())) {
    db.break_group();
    return Error(Errc::Io, "the group's transaction was rolled back");
  }
  auto r = db.exec(sp ? "SAVEPOINT tx" : "BEGIN IMMEDIATE");
  if (!r) return std::move(r).error();
  return Tx(db, sp);
}

Tx::~Tx() {
  if (!db_) return;
  if (savepoint_) {
    // If the savepoint cannot be undone, its partial writes must not be released into
    // the group: the group is broken and will not commit.
    if (!db_->in_transaction() || !db_->exec("ROLLBACK TO tx") || !db_->exec("RELEASE tx")) db_->break_group();
  } else {
    (void)db_->exec("ROLLBACK");
  }
}

Result<void> Tx::commit() {
  auto r = db_->exec(savepoint_ ? "RELEASE tx" : "COMMIT");
  if (r) db_ = nullptr;
  return r;
}

}  // namespace sotto::db
