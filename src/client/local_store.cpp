#include "client/local_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/errc.hpp"
#include "db/sqlite.hpp"

namespace sotto::client {

namespace {

constexpr std::int64_t kSchemaVersion = 3;

constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE contacts (
      account  TEXT PRIMARY KEY,
      nickname TEXT UNIQUE,
      blocked  INTEGER NOT NULL DEFAULT 0,
      added_ms INTEGER NOT NULL
    );
    CREATE TABLE conversations (
      peer       TEXT PRIMARY KEY,
      updated_ms INTEGER NOT NULL
    );
    CREATE TABLE messages (
      id            INTEGER PRIMARY KEY,
      peer          TEXT NOT NULL REFERENCES conversations(peer),
      direction     INTEGER NOT NULL,
      body          TEXT NOT NULL,
      timestamp_ms  INTEGER NOT NULL,
      local_ms      INTEGER NOT NULL,
      hash          TEXT NOT NULL UNIQUE,
      state         INTEGER NOT NULL,
      confirmations INTEGER NOT NULL DEFAULT 0,
      swarm_size    INTEGER NOT NULL DEFAULT 0,
      expires_ms    INTEGER,
      data          TEXT,
      ttl_ms        INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX messages_by_peer ON messages (peer, timestamp_ms, id);
    CREATE INDEX messages_expiring ON messages (expires_ms) WHERE expires_ms IS NOT NULL;
    CREATE TABLE seen (
      hash     TEXT PRIMARY KEY,
      until_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE node_state (
      node      TEXT NOT NULL,
      namespace INTEGER NOT NULL,
      last_hash TEXT NOT NULL,
      PRIMARY KEY (node, namespace)
    ) WITHOUT ROWID;
    )sql",
    R"sql(
    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID;
    )sql",
    R"sql(
    CREATE TABLE changes (n INTEGER NOT NULL);
    INSERT INTO changes (n) VALUES (0);
    CREATE TRIGGER messages_added AFTER INSERT ON messages BEGIN UPDATE changes SET n = n + 1; END;
    CREATE TRIGGER messages_changed AFTER UPDATE ON messages BEGIN UPDATE changes SET n = n + 1; END;
    CREATE TRIGGER messages_gone AFTER DELETE ON messages BEGIN UPDATE changes SET n = n + 1; END;
    CREATE TRIGGER contacts_added AFTER INSERT ON contacts BEGIN UPDATE changes SET n = n + 1; END;
    CREATE TRIGGER contacts_changed AFTER UPDATE ON contacts BEGIN UPDATE changes SET n = n + 1; END;
    CREATE TRIGGER contacts_gone AFTER DELETE ON contacts BEGIN UPDATE changes SET n = n + 1; END;
    )sql",
};

Error io(const Error& e) { return Error(Errc::Io, "the profile's database: " + e.message()); }

StoredMessage row_message(const db::Statement& s) {
  StoredMessage m;
  m.id = s.int64(0);
  m.peer = s.text(1);
  m.direction = s.int64(2) ? Direction::Outgoing : Direction::Incoming;
  m.body = s.text(3);
  m.timestamp_ms = s.int64(4);
  m.local_ms = s.int64(5);
  m.hash = s.text(6);
  m.state = static_cast<DeliveryState>(s.int64(7));
  m.confirmations = static_cast<int>(s.int64(8));
  m.swarm_size = static_cast<int>(s.int64(9));
  if (!s.is_null(10)) m.expires_ms = s.int64(10);
  if (!s.is_null(11)) m.data = s.text(11);
  m.ttl_ms = s.int64(12);
  return m;
}

#define MESSAGE_COLUMNS "id, peer, direction, body, timestamp_ms, local_ms, hash, state, confirmations, swarm_size, expires_ms, data, ttl_ms"

}  // namespace

const char* to_string(DeliveryState s) {
  switch (s) {
    case DeliveryState::Sending: return "sending";
    case DeliveryState::Sent: return "sent";
    case DeliveryState::Failed: return "failed";
    case DeliveryState::Received: return "received";
  }
  return "unknown";
}

LocalStore::LocalStore(std::unique_ptr<db::Db> db) : db_(std::move(db)) {}
LocalStore::~LocalStore() = default;

Result<std::unique_ptr<LocalStore>> LocalStore::open(const std::filesystem::path& profile_dir) {
  auto path = profile_dir / kFileName;
  // Created 0600 before SQLite opens it (SQLite would use the umask).
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error(Errc::Io, "cannot open " + path.string() + ": " + std::strerror(errno));
  ::close(fd);
  auto d = db::Db::open(path.string());
  if (!d) return io(d.error());
  std::unique_ptr<LocalStore> s(new LocalStore(std::move(*d)));
  // Another process (a `listen` beside a `send`) may hold the write lock for a moment.
  // secure_delete: a deleted (disappearing) message's text is overwritten, not left in
  // free pages.
  for (const char* sql : {"PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
                          "PRAGMA secure_delete = ON"})
    if (auto r = s->db_->exec(sql); !r) return io(r.error());
  if (auto m = s->migrate(); !m) return std::move(m).error();
  return s;
}

Result<void> LocalStore::migrate() {
  for (;;) {
    // The version is read inside the transaction: two processes opening a new profile
    // at once migrate it once.
    auto tx = db::Tx::begin(*db_);
    if (!tx) return io(tx.error());
    auto v = db_->pragma_int("user_version");
    if (!v) return io(v.error());
    if (*v > kSchemaVersion)
      return Error(db::Errc::Corrupt, "the profile's database has schema version " + std::to_string(*v) + ", newer than this sotto's (" +
                                          std::to_string(kSchemaVersion) + ")");
    if (*v == kSchemaVersion) return {};  // nothing to do (the empty transaction rolls back)
    if (auto r = db_->exec(kMigrations[*v]); !r) return io(r.error());
    std::string set = "PRAGMA user_version = " + std::to_string(*v + 1);
    if (auto r = db_->exec(set.c_str()); !r) return io(r.error());
    if (auto r = tx->commit(); !r) return io(r.error());
  }
}

Result<void> LocalStore::add_contact(const std::string& account, const std::string& nickname) {
  if (!nickname.empty()) {
    auto other = contact_by_nickname(nickname);
    if (!other) return std::move(other).error();
    if (*other && (*other)->account != account) return Error(Errc::AlreadyUsed, "the nickname '" + nickname + "' is another contact's");
  }
  auto st = db_->prepare(
      "INSERT INTO contacts (account, nickname, added_ms) VALUES (?1, ?2, strftime('%s','now') * 1000) "
      "ON CONFLICT (account) DO UPDATE SET nickname = coalesce(excluded.nickname, nickname)");
  if (!st) return io(st.error());
  (*st)->bind(1, account);
  if (nickname.empty()) (*st)->bind_null(2);
  else (*st)->bind(2, nickname);
  if (auto r = (*st)->run(); !r) return io(r.error());
  return {};
}

Result<bool> LocalStore::remove_contact(const std::string& account) {
  // A blocked account stays blocked (it only loses its nickname): removing a contact
  // never lets a blocked sender back in.
  auto keep = db_->prepare("UPDATE contacts SET nickname = NULL WHERE account = ?1 AND blocked = 1");
  if (!keep) return io(keep.error());
  if (auto r = (*keep)->bind(1, account).run(); !r) return io(r.error());
  if (db_->changes() > 0) return true;
  auto st = db_->prepare("DELETE FROM contacts WHERE account = ?1");
  if (!st) return io(st.error());
  if (auto r = (*st)->bind(1, account).run(); !r) return io(r.error());
  return db_->changes() > 0;
}

Result<void> LocalStore::set_blocked(const std::string& account, bool blocked) {
  auto st = db_->prepare(
      "INSERT INTO contacts (account, blocked, added_ms) VALUES (?1, ?2, strftime('%s','now') * 1000) "
      "ON CONFLICT (account) DO UPDATE SET blocked = excluded.blocked");
  if (!st) return io(st.error());
  if (auto r = (*st)->bind(1, account).bind(2, std::int64_t{blocked}).run(); !r) return io(r.error());
  return {};
}

namespace {
Result<std::vector<Contact>> read_contacts(db::Statement& s) {
  std::vector<Contact> out;
  for (;;) {
    auto row = s.step();
    if (!row) return io(row.error());
    if (!*row) break;
    out.push_back({s.text(0), s.is_null(1) ? std::string() : s.text(1), s.int64(2) != 0});
  }
  return out;
}
}  // namespace

Result<std::vector<Contact>> LocalStore::contacts() {
  auto st = db_->prepare("SELECT account, nickname, blocked FROM contacts ORDER BY nickname IS NULL, nickname, account");
  if (!st) return io(st.error());
  return read_contacts(**st);
}

namespace {
// The contact a statement with one bound key selects, if any.
Result<std::optional<Contact>> one_contact(Result<db::Statement*> st, const std::string& key) {
  if (!st) return io(st.error());
  (*st)->bind(1, key);
  auto all = read_contacts(**st);
  if (!all) return std::move(all).error();
  if (all->empty()) return std::optional<Contact>();
  return std::optional<Contact>(all->front());
}
}  // namespace

Result<std::optional<Contact>> LocalStore::contact_by_nickname(const std::string& nickname) {
  return one_contact(db_->prepare("SELECT account, nickname, blocked FROM contacts WHERE nickname = ?1"), nickname);
}

Result<std::optional<Contact>> LocalStore::contact(const std::string& account) {
  return one_contact(db_->prepare("SELECT account, nickname, blocked FROM contacts WHERE account = ?1"), account);
}

namespace {
Result<void> touch_conversation(db::Db& db, const std::string& peer, std::int64_t when) {
  auto st = db.prepare(
      "INSERT INTO conversations (peer, updated_ms) VALUES (?1, ?2) "
      "ON CONFLICT (peer) DO UPDATE SET updated_ms = max(updated_ms, excluded.updated_ms)");
  if (!st) return io(st.error());
  if (auto r = (*st)->bind(1, peer).bind(2, when).run(); !r) return io(r.error());
  return {};
}

Result<void> insert_message(db::Db& db, const StoredMessage& m) {
  auto st = db.prepare("INSERT INTO messages (" MESSAGE_COLUMNS ") VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!st) return io(st.error());
  auto& s = **st;
  s.bind(1, m.peer).bind(2, std::int64_t{m.direction == Direction::Outgoing}).bind(3, m.body).bind(4, m.timestamp_ms);
  s.bind(5, m.local_ms).bind(6, m.hash).bind(7, static_cast<std::int64_t>(m.state)).bind(8, std::int64_t{m.confirmations});
  s.bind(9, std::int64_t{m.swarm_size});
  if (m.expires_ms) s.bind(10, *m.expires_ms);
  else s.bind_null(10);
  if (m.data.empty()) s.bind_null(11);
  else s.bind(11, m.data);
  s.bind(12, m.ttl_ms);
  if (auto r = s.run(); !r) return io(r.error());
  return {};
}
}  // namespace

Result<std::int64_t> LocalStore::add_outgoing(const StoredMessage& m) {
  auto tx = db::Tx::begin(*db_);
  if (!tx) return io(tx.error());
  if (auto r = touch_conversation(*db_, m.peer, m.local_ms); !r) return std::move(r).error();
  // Sending the same text twice in one millisecond makes the same hash: that is the same
  // message, already here.
  if (auto old = message_by_hash(m.hash); !old) return std::move(old).error();
  else if (*old) return (*old)->id;
  if (auto r = insert_message(*db_, m); !r) return std::move(r).error();
  std::int64_t id = db_->last_insert_rowid();
  if (auto r = tx->commit(); !r) return io(r.error());
  return id;
}

Result<void> LocalStore::set_outcome(std::int64_t id, DeliveryState state, int confirmations, int swarm_size) {
  auto st = db_->prepare(
      "UPDATE messages SET state = ?2, confirmations = ?3, swarm_size = ?4, "
      "data = CASE WHEN ?2 = 1 THEN NULL ELSE data END WHERE id = ?1");
  if (!st) return io(st.error());
  (*st)->bind(1, id).bind(2, static_cast<std::int64_t>(state)).bind(3, std::int64_t{confirmations}).bind(4, std::int64_t{swarm_size});
  if (auto r = (*st)->run(); !r) return io(r.error());
  return {};
}

namespace {
Result<std::optional<StoredMessage>> one_message(db::Statement& s) {
  auto row = s.step();
  if (!row) return io(row.error());
  if (!*row) return std::optional<StoredMessage>();
  auto m = row_message(s);
  s.reset();
  return std::optional<StoredMessage>(std::move(m));
}
}  // namespace

Result<std::optional<StoredMessage>> LocalStore::message(std::int64_t id) {
  auto st = db_->prepare("SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = ?1");
  if (!st) return io(st.error());
  (*st)->bind(1, id);
  return one_message(**st);
}

Result<std::optional<StoredMessage>> LocalStore::message_by_hash(const std::string& hash) {
  auto st = db_->prepare("SELECT " MESSAGE_COLUMNS " FROM messages WHERE hash = ?1");
  if (!st) return io(st.error());
  (*st)->bind(1, hash);
  return one_message(**st);
}

Result<bool> LocalStore::seen(const std::string& hash) {
  auto st = db_->prepare("SELECT 1 FROM seen WHERE hash = ?1 UNION ALL SELECT 1 FROM messages WHERE hash = ?1");
  if (!st) return io(st.error());
  (*st)->bind(1, hash);
  auto row = (*st)->step();
  if (!row) return io(row.error());
  (*st)->reset();
  return *row;
}

Result<std::vector<StoredMessage>> LocalStore::add_incoming(const std::vector<StoredMessage>& messages, const std::vector<Seen>& seen_hashes,
                                                            const std::string& node, std::int64_t ns, const std::string& last_hash) {
  auto tx = db::Tx::begin(*db_);
  if (!tx) return io(tx.error());
  std::vector<StoredMessage> kept;
  for (const auto& m : messages) {
    auto was = seen(m.hash);
    if (!was) return std::move(was).error();
    if (*was) continue;
    if (auto r = touch_conversation(*db_, m.peer, m.local_ms); !r) return std::move(r).error();
    if (auto r = insert_message(*db_, m); !r) return std::move(r).error();
    kept.push_back(m);
    kept.back().id = db_->last_insert_rowid();
  }
  auto mark = db_->prepare(
      "INSERT INTO seen (hash, until_ms) VALUES (?1, ?2) ON CONFLICT (hash) DO UPDATE SET until_ms = max(until_ms, excluded.until_ms)");
  if (!mark) return io(mark.error());
  for (const auto& s : seen_hashes)
    if (auto r = (*mark)->reset().bind(1, s.hash).bind(2, s.until_ms).run(); !r) return io(r.error());
  if (!last_hash.empty()) {
    auto st = db_->prepare(
        "INSERT INTO node_state (node, namespace, last_hash) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (node, namespace) DO UPDATE SET last_hash = excluded.last_hash");
    if (!st) return io(st.error());
    if (auto r = (*st)->bind(1, node).bind(2, ns).bind(3, last_hash).run(); !r) return io(r.error());
  }
  if (auto r = tx->commit(); !r) return io(r.error());
  return kept;
}

Result<std::string> LocalStore::last_hash(const std::string& node, std::int64_t ns) {
  auto st = db_->prepare("SELECT last_hash FROM node_state WHERE node = ?1 AND namespace = ?2");
  if (!st) return io(st.error());
  (*st)->bind(1, node).bind(2, ns);
  auto row = (*st)->step();
  if (!row) return io(row.error());
  std::string h = *row ? (*st)->text(0) : std::string();
  (*st)->reset();
  return h;
}

Result<std::vector<StoredMessage>> LocalStore::history(const std::string& peer, std::size_t limit) {
  auto st = db_->prepare(
      "SELECT * FROM (SELECT " MESSAGE_COLUMNS " FROM messages WHERE peer = ?1 ORDER BY timestamp_ms DESC, id DESC LIMIT ?2) "
      "ORDER BY timestamp_ms, id");
  if (!st) return io(st.error());
  (*st)->bind(1, peer).bind(2, static_cast<std::int64_t>(limit));
  std::vector<StoredMessage> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return io(row.error());
    if (!*row) break;
    out.push_back(row_message(**st));
  }
  return out;
}

Result<std::vector<StoredMessage>> LocalStore::all_messages() {
  auto st = db_->prepare("SELECT " MESSAGE_COLUMNS " FROM messages ORDER BY peer, id");
  if (!st) return io(st.error());
  std::vector<StoredMessage> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return io(row.error());
    if (!*row) break;
    out.push_back(row_message(**st));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> LocalStore::conversations() {
  auto st = db_->prepare("SELECT peer, updated_ms FROM conversations ORDER BY peer");
  if (!st) return io(st.error());
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return io(row.error());
    if (!*row) break;
    out.emplace_back((*st)->text(0), (*st)->int64(1));
  }
  return out;
}

Result<std::size_t> LocalStore::import(const std::vector<Contact>& contacts, const std::vector<std::pair<std::string, std::int64_t>>& conversations,
                                       const std::vector<StoredMessage>& messages) {
  auto tx = db::Tx::begin(*db_);
  if (!tx) return io(tx.error());
  auto c = db_->prepare(
      "INSERT INTO contacts (account, nickname, blocked, added_ms) VALUES (?1, ?2, ?3, strftime('%s','now') * 1000) "
      "ON CONFLICT (account) DO NOTHING");
  if (!c) return io(c.error());
  for (const auto& k : contacts) {
    std::string nickname = k.nickname;
    if (!nickname.empty()) {  // another contact here has it: this one comes without
      auto holder = contact_by_nickname(nickname);
      if (!holder) return std::move(holder).error();
      if (*holder && (*holder)->account != k.account) nickname.clear();
    }
    (*c)->reset().bind(1, k.account).bind(3, std::int64_t{k.blocked});
    if (nickname.empty()) (*c)->bind_null(2);
    else (*c)->bind(2, nickname);
    if (auto r = (*c)->run(); !r) return io(r.error());
  }
  for (const auto& [peer, when] : conversations)
    if (auto r = touch_conversation(*db_, peer, when); !r) return std::move(r).error();
  std::size_t added = 0;
  for (const auto& m : messages) {
    auto was = message_by_hash(m.hash);
    if (!was) return std::move(was).error();
    if (*was) continue;
    if (auto r = touch_conversation(*db_, m.peer, m.local_ms); !r) return std::move(r).error();
    if (auto r = insert_message(*db_, m); !r) return std::move(r).error();
    ++added;
  }
  if (auto r = tx->commit(); !r) return io(r.error());
  return added;
}

Result<std::int64_t> LocalStore::changes() {
  auto st = db_->prepare("SELECT n FROM changes");
  if (!st) return io(st.error());
  auto row = (*st)->step();
  if (!row) return io(row.error());
  std::int64_t n = *row ? (*st)->int64(0) : 0;
  (*st)->reset();
  return n;
}

Result<std::optional<std::string>> LocalStore::setting(const std::string& key) {
  auto st = db_->prepare("SELECT value FROM settings WHERE key = ?1");
  if (!st) return io(st.error());
  (*st)->bind(1, key);
  auto row = (*st)->step();
  if (!row) return io(row.error());
  std::optional<std::string> v;
  if (*row) v = (*st)->text(0);
  (*st)->reset();
  return v;
}

Result<void> LocalStore::set_setting(const std::string& key, const std::string& value) {
  auto st = db_->prepare("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!st) return io(st.error());
  if (auto r = (*st)->bind(1, key).bind(2, value).run(); !r) return io(r.error());
  return {};
}

Result<void> LocalStore::update_setting(const std::string& key, const SettingChange& change) {
  auto tx = db::Tx::begin(*db_);  // BEGIN IMMEDIATE: no other writer until the commit
  if (!tx) return io(tx.error());
  auto now = setting(key);
  if (!now) return std::move(now).error();
  auto next = change(*now);
  if (!next) return std::move(next).error();
  if (auto w = set_setting(key, *next); !w) return w;
  if (auto r = tx->commit(); !r) return io(r.error());
  return {};
}

Result<std::size_t> LocalStore::purge(std::int64_t now_ms) {
  auto tx = db::Tx::begin(*db_);
  if (!tx) return io(tx.error());
  // A deleted disappearing message stays in `seen` until the nodes drop it too, so that a
  // fetch from another member does not bring it back.
  auto keep = db_->prepare(
      "INSERT INTO seen (hash, until_ms) SELECT hash, max(expires_ms, ?1 + 1209600000) FROM messages "
      "WHERE expires_ms IS NOT NULL AND expires_ms <= ?1 ON CONFLICT (hash) DO UPDATE SET until_ms = max(until_ms, excluded.until_ms)");
  if (!keep) return io(keep.error());
  if (auto r = (*keep)->bind(1, now_ms).run(); !r) return io(r.error());
  auto del = db_->prepare("DELETE FROM messages WHERE expires_ms IS NOT NULL AND expires_ms <= ?1");
  if (!del) return io(del.error());
  if (auto r = (*del)->bind(1, now_ms).run(); !r) return io(r.error());
  auto n = static_cast<std::size_t>(db_->changes());
  auto forget = db_->prepare("DELETE FROM seen WHERE until_ms <= ?1");
  if (!forget) return io(forget.error());
  if (auto r = (*forget)->bind(1, now_ms).run(); !r) return io(r.error());
  if (auto r = tx->commit(); !r) return io(r.error());
  if (n > 0)  // the deleted text leaves the WAL too
    if (auto r = db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !r) return io(r.error());
  return n;
}

}  // namespace sotto::client
