#include "node/storage/message_store.hpp"

#include <algorithm>
#include <utility>

#include "db/sqlite.hpp"
#include "node/storage/schema.hpp"

namespace sotto::node::storage {

using db::Statement;
using db::Tx;
using db::sqlite_error;

std::string to_token(Errc e) {
  switch (e) {
    case Errc::Io: return "io";
    case Errc::Corrupt: return "corrupt";
    case Errc::Full: return "full";
    case Errc::QuotaExceeded: return "quota_exceeded";
    case Errc::BadArgument: return "bad_argument";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.node.storage")

namespace {


MessageHash hash_of(ByteView b) {
  MessageHash h{};
  if (b.size() == h.size()) std::copy(b.begin(), b.end(), h.begin());
  return h;
}

// Runs `sql` (which RETURNs hash, namespace) after `bind` has bound its parameters,
// collecting what it touched.
template <class Bind>
Result<std::vector<Affected>> collect(Db& db, const char* sql, Bind&& bind) {
  auto st = db.prepare(sql);
  if (!st) return std::move(st).error();
  bind(**st);
  std::vector<Affected> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back({hash_of((*st)->blob(0)), static_cast<Namespace>((*st)->int64(1))});
  }
  return out;
}


}  // namespace

std::size_t reply_size(std::size_t data_bytes) { return (data_bytes + 2) / 3 * 4 + kReplyOverheadPerMessage; }

bool is_public_outbox(Namespace ns) { return ns < 0 && (-static_cast<int>(ns)) % 20 == 1; }

MessageStore::MessageStore(std::unique_ptr<Db> db, Limits limits) : db_(std::move(db)), limits_(limits) {}
MessageStore::~MessageStore() = default;

Result<std::unique_ptr<MessageStore>> MessageStore::open(const std::string& path, Limits limits) {
  auto db = Db::open(path);
  if (!db) return std::move(db).error();
  // journal_size_limit: after a checkpoint has emptied it, the WAL file is cut back to
  // 64 MiB instead of keeping the largest size it ever reached.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                             "PRAGMA busy_timeout=5000", "PRAGMA journal_size_limit=67108864"}) {
    if (auto r = (*db)->exec(pragma); !r) return std::move(r).error();
  }
  std::unique_ptr<MessageStore> store(new MessageStore(std::move(*db), limits));
  auto page = store->db_->pragma_int("page_size");
  if (!page) return std::move(page).error();
  store->page_size_ = *page;
  std::string cap = "PRAGMA max_page_count=" + std::to_string(std::max<std::uint64_t>(limits.max_db_bytes / static_cast<std::uint64_t>(*page), 16));
  if (auto r = store->db_->exec(cap.c_str()); !r) return std::move(r).error();
  if (auto r = store->migrate(); !r) return std::move(r).error();
  return store;
}

Result<std::unique_ptr<MessageStore>> MessageStore::open_reader(const std::string& path) {
  auto db = Db::open(path, /*read_only=*/true);
  if (!db) return std::move(db).error();
  if (auto r = (*db)->exec("PRAGMA busy_timeout=5000"); !r) return std::move(r).error();
  std::unique_ptr<MessageStore> store(new MessageStore(std::move(*db), {}));
  auto get = store->db_->prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!get) return std::move(get).error();
  auto row = (*get)->step();
  if (!row) return std::move(row).error();
  std::int64_t v = *row ? (*get)->int64(0) : 0;
  (*get)->reset();
  if (v != kSchemaVersion)
    return Error(Errc::Corrupt, "the message database has schema version " + std::to_string(v) + ", not " +
                                    std::to_string(kSchemaVersion) + ": open it with a writer first");
  return store;
}

Result<MessageStore::CheckpointProgress> MessageStore::checkpoint() {
  auto r = db_->checkpoint();
  if (!r) return std::move(r).error();
  // Busy only if another connection is checkpointing; the node has none.
  if (r->first < 0) return CheckpointProgress{};
  return CheckpointProgress{r->first, r->second};
}

Result<void> MessageStore::migrate() {
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  if (auto r = db_->exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)"); !r) return r;
  auto get = db_->prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!get) return std::move(get).error();
  auto row = (*get)->step();
  if (!row) return std::move(row).error();
  std::int64_t version = *row ? (*get)->int64(0) : 0;
  (*get)->reset();
  if (version > kSchemaVersion)
    return Error(Errc::Corrupt, "the message database has schema version " + std::to_string(version) +
                                    ", newer than this sotto-node understands (" + std::to_string(kSchemaVersion) + ")");
  for (std::int64_t v = version; v < kSchemaVersion; ++v)
    if (auto r = db_->exec(migration(v)); !r) return r;
  auto set = db_->prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)");
  if (!set) return std::move(set).error();
  if (auto r = (*set)->bind(1, kSchemaVersion).run(); !r) return r;
  return tx->commit();
}

Result<std::int64_t> MessageStore::account_id(const AccountKey& account, bool create) {
  auto get = db_->prepare("SELECT id FROM accounts WHERE pubkey = ?1");
  if (!get) return std::move(get).error();
  (*get)->bind(1, ByteView(account));
  auto row = (*get)->step();
  if (!row) return std::move(row).error();
  if (*row) {
    std::int64_t id = (*get)->int64(0);
    (*get)->reset();  // no read snapshot stays open between calls
    return id;
  }
  (*get)->reset();
  if (!create) return std::int64_t{-1};
  auto ins = db_->prepare("INSERT INTO accounts (pubkey) VALUES (?1)");
  if (!ins) return std::move(ins).error();
  if (auto r = (*ins)->bind(1, ByteView(account)).run(); !r) return std::move(r).error();
  return db_->last_insert_rowid();
}

Result<StoreOutcome> MessageStore::store_one(const StoreRequest& r) {
  // Already stored: only the expiry may grow.
  auto find = db_->prepare("SELECT expiry FROM messages WHERE hash = ?1");
  if (!find) return std::move(find).error();
  (*find)->bind(1, ByteView(r.hash));
  auto row = (*find)->step();
  if (!row) return std::move(row).error();
  if (*row) {
    std::int64_t old = (*find)->int64(0);
    (*find)->reset();
    std::int64_t expiry = std::max(old, r.expiry_ms);
    if (expiry != old) {
      auto up = db_->prepare("UPDATE messages SET expiry = ?2 WHERE hash = ?1");
      if (!up) return std::move(up).error();
      if (auto u = (*up)->bind(1, ByteView(r.hash)).bind(2, expiry).run(); !u) return std::move(u).error();
    }
    return StoreOutcome{true, expiry};
  }
  (*find)->reset();

  if (is_public_outbox(r.ns)) {  // keeps one message: drop the old one first
    auto old = account_id(r.account, false);
    if (!old) return std::move(old).error();
    if (*old >= 0 && r.keep_newer) {  // a copy from a peer never replaces a newer message
      auto newer = db_->prepare("SELECT 1 FROM messages WHERE account = ?1 AND namespace = ?2 AND timestamp >= ?3");
      if (!newer) return std::move(newer).error();
      (*newer)->bind(1, *old).bind(2, std::int64_t{r.ns}).bind(3, r.timestamp_ms);
      auto has_newer = (*newer)->step();
      if (!has_newer) return std::move(has_newer).error();
      (*newer)->reset();
      if (*has_newer) return StoreOutcome{true, r.expiry_ms};
    }
    if (*old >= 0) {
      auto del = db_->prepare("DELETE FROM messages WHERE account = ?1 AND namespace = ?2");
      if (!del) return std::move(del).error();
      if (auto d = (*del)->bind(1, *old).bind(2, std::int64_t{r.ns}).run(); !d) return std::move(d).error();
    }
  }
  // (Created after that delete: the trigger drops an account row whose last message goes.)
  auto id = account_id(r.account, true);
  if (!id) return std::move(id).error();
  if (auto room = make_room(*id, r); !room) return std::move(room).error();
  auto ins = db_->prepare(
      "INSERT INTO messages (account, namespace, hash, timestamp, expiry, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!ins) return std::move(ins).error();
  (*ins)->bind(1, *id).bind(2, std::int64_t{r.ns}).bind(3, ByteView(r.hash)).bind(4, r.timestamp_ms).bind(5, r.expiry_ms).bind(6, r.data);
  if (auto i = (*ins)->run(); !i) return std::move(i).error();
  if (fresh_.size() < 100'000) fresh_.emplace_back(r.account, r.ns);  // bounded if nobody takes them
  return StoreOutcome{false, r.expiry_ms};
}

std::vector<std::pair<AccountKey, Namespace>> MessageStore::take_fresh() { return std::exchange(fresh_, {}); }

Result<std::vector<StoreOutcome>> MessageStore::store_batch(std::span<const StoreRequest> requests) {
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  std::vector<StoreOutcome> out;
  out.reserve(requests.size());
  for (const auto& r : requests) {
    auto o = store_one(r);
    if (!o) return std::move(o).error();  // the transaction rolls back: nothing is stored
    out.push_back(*o);
  }
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return out;
}

Result<StoreOutcome> MessageStore::store(const StoreRequest& request) {
  auto r = store_batch(std::span<const StoreRequest>(&request, 1));
  if (!r) return std::move(r).error();
  return r->front();
}

Result<RetrieveResult> MessageStore::retrieve(const AccountKey& account, Namespace ns,
                                              const std::optional<MessageHash>& last_hash, std::size_t max_count,
                                              std::size_t max_bytes, std::int64_t now_ms) {
  RetrieveResult out;
  auto id = account_id(account, false);
  if (!id) return std::move(id).error();
  if (*id < 0 || max_count == 0) return out;
  std::int64_t after = 0;
  if (last_hash) {
    auto pos = db_->prepare("SELECT id FROM messages WHERE hash = ?1 AND account = ?2 AND namespace = ?3");
    if (!pos) return std::move(pos).error();
    (*pos)->bind(1, ByteView(*last_hash)).bind(2, *id).bind(3, std::int64_t{ns});
    auto row = (*pos)->step();
    if (!row) return std::move(row).error();
    if (*row) after = (*pos)->int64(0);  // unknown hash: from the oldest, as Session's nodes do
    (*pos)->reset();
  }
  auto sel = db_->prepare(
      "SELECT hash, timestamp, expiry, data FROM messages WHERE account = ?1 AND namespace = ?2 AND id > ?3 "
      "AND expiry > ?4 ORDER BY id LIMIT ?5");
  if (!sel) return std::move(sel).error();
  (*sel)->bind(1, *id).bind(2, std::int64_t{ns}).bind(3, after).bind(4, now_ms).bind(5, static_cast<std::int64_t>(max_count) + 1);
  std::size_t bytes = 0;
  for (;;) {
    auto row = (*sel)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    ByteView data = (*sel)->blob(3);
    std::size_t cost = reply_size(data.size());
    if (out.messages.size() == max_count || (!out.messages.empty() && bytes + cost > max_bytes)) {
      out.more = true;
      break;
    }
    bytes += cost;
    out.messages.push_back(Message{hash_of((*sel)->blob(0)), ns, (*sel)->int64(1), (*sel)->int64(2), Bytes(data.begin(), data.end())});
  }
  (*sel)->reset();
  return out;
}

Result<std::vector<AccountKey>> MessageStore::accounts() {
  std::vector<AccountKey> out;
  auto sel = db_->prepare("SELECT pubkey FROM accounts ORDER BY pubkey");
  if (!sel) return std::move(sel).error();
  for (;;) {
    auto row = (*sel)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto b = (*sel)->blob(0);
    AccountKey k{};
    if (b.size() == k.size()) std::copy(b.begin(), b.end(), k.begin());
    out.push_back(k);
  }
  (*sel)->reset();
  return out;
}

Result<std::vector<Message>> MessageStore::messages_of(const AccountKey& account, std::int64_t now_ms) {
  std::vector<Message> out;
  auto id = account_id(account, false);
  if (!id) return std::move(id).error();
  if (*id < 0) return out;
  auto sel = db_->prepare("SELECT hash, namespace, timestamp, expiry, data FROM messages WHERE account = ?1 AND expiry > ?2 ORDER BY id");
  if (!sel) return std::move(sel).error();
  (*sel)->bind(1, *id).bind(2, now_ms);
  for (;;) {
    auto row = (*sel)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    ByteView data = (*sel)->blob(4);
    out.push_back(Message{hash_of((*sel)->blob(0)), static_cast<Namespace>((*sel)->int64(1)), (*sel)->int64(2), (*sel)->int64(3),
                          Bytes(data.begin(), data.end())});
  }
  (*sel)->reset();
  return out;
}

Result<std::map<Namespace, std::vector<MessageHash>>> MessageStore::hashes_of(const AccountKey& account, std::int64_t now_ms) {
  std::map<Namespace, std::vector<MessageHash>> out;
  auto id = account_id(account, false);
  if (!id) return std::move(id).error();
  if (*id < 0) return out;
  auto sel = db_->prepare("SELECT namespace, hash FROM messages WHERE account = ?1 AND expiry > ?2");
  if (!sel) return std::move(sel).error();
  (*sel)->bind(1, *id).bind(2, now_ms);
  for (;;) {
    auto row = (*sel)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out[static_cast<Namespace>((*sel)->int64(0))].push_back(hash_of((*sel)->blob(1)));
  }
  (*sel)->reset();
  for (auto& [ns, hs] : out) std::sort(hs.begin(), hs.end());
  return out;
}

Result<std::vector<MessageHash>> MessageStore::delete_hashes(const AccountKey& account, std::span<const MessageHash> hashes) {
  auto id = account_id(account, false);
  if (!id) return std::move(id).error();
  std::vector<MessageHash> deleted;
  if (*id < 0) return deleted;
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  auto del = db_->prepare("DELETE FROM messages WHERE hash = ?1 AND account = ?2");
  if (!del) return std::move(del).error();
  for (const auto& h : hashes) {
    (*del)->reset();
    if (auto r = (*del)->bind(1, ByteView(h)).bind(2, *id).run(); !r) return std::move(r).error();
    if (db_->changes() > 0) deleted.push_back(h);
  }
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return deleted;
}

Result<std::vector<Affected>> MessageStore::bulk(const AccountKey& account, std::optional<Namespace> ns,
                                               const char* sql_one_ns, const char* sql_all_ns,
                                               std::optional<std::int64_t> value) {
  auto id = account_id(account, false);
  if (!id) return std::move(id).error();
  if (*id < 0) return std::vector<Affected>{};
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  // ?1 account, ?2 namespace (one-namespace form only), ?3 the operation's value.
  auto out = collect(*db_, ns ? sql_one_ns : sql_all_ns, [&](Statement& s) {
    s.bind(1, *id);
    if (ns) s.bind(2, std::int64_t{*ns});
    if (value) s.bind(3, *value);
  });
  if (!out) return out;
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return out;
}

Result<std::vector<Affected>> MessageStore::delete_all(const AccountKey& account, std::optional<Namespace> ns) {
  return bulk(account, ns, "DELETE FROM messages WHERE account = ?1 AND namespace = ?2 RETURNING hash, namespace",
              "DELETE FROM messages WHERE account = ?1 RETURNING hash, namespace", std::nullopt);
}

Result<std::vector<Affected>> MessageStore::delete_before(const AccountKey& account, std::optional<Namespace> ns,
                                                          std::int64_t before_ms) {
  return bulk(account, ns,
              "DELETE FROM messages WHERE account = ?1 AND namespace = ?2 AND timestamp <= ?3 RETURNING hash, namespace",
              "DELETE FROM messages WHERE account = ?1 AND timestamp <= ?3 RETURNING hash, namespace", before_ms);
}

Result<std::map<MessageHash, std::int64_t>> MessageStore::expire(const AccountKey& account,
                                                                 std::span<const MessageHash> hashes,
                                                                 std::int64_t expiry_ms, ExpireMode mode) {
  std::vector<std::int64_t> each(hashes.size(), expiry_ms);
  return expire_each(account, hashes, each, mode);
}

Result<std::map<MessageHash, std::int64_t>> MessageStore::expire_each(const AccountKey& account,
                                                                      std::span<const MessageHash> hashes,
                                                                      std::span<const std::int64_t> expiries_ms,
                                                                      ExpireMode mode) {
  if (expiries_ms.size() != hashes.size()) return Error(Errc::BadArgument, "one expiry per hash");
  std::map<MessageHash, std::int64_t> updated;
  auto id = account_id(account, false);
  if (!id) return std::move(id).error();
  if (*id < 0) return updated;
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  const char* sql = mode == ExpireMode::Shorten ? "UPDATE messages SET expiry = ?3 WHERE hash = ?1 AND account = ?2 AND expiry > ?3"
                    : mode == ExpireMode::Extend ? "UPDATE messages SET expiry = ?3 WHERE hash = ?1 AND account = ?2 AND expiry < ?3"
                                                 : "UPDATE messages SET expiry = ?3 WHERE hash = ?1 AND account = ?2 AND expiry != ?3";
  auto up = db_->prepare(sql);
  if (!up) return std::move(up).error();
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    (*up)->reset();
    if (auto r = (*up)->bind(1, ByteView(hashes[i])).bind(2, *id).bind(3, expiries_ms[i]).run(); !r) return std::move(r).error();
    if (db_->changes() > 0) updated[hashes[i]] = expiries_ms[i];
  }
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return updated;
}

Result<void> MessageStore::revoke_subaccounts(const AccountKey& account, std::span<const SubaccountToken> tokens) {
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  // Delete and insert again, so that a token revoked anew counts as the newest.
  auto del = db_->prepare("DELETE FROM revoked_subaccounts WHERE account = ?1 AND token = ?2");
  if (!del) return std::move(del).error();
  auto ins = db_->prepare("INSERT INTO revoked_subaccounts (account, token) VALUES (?1, ?2)");
  if (!ins) return std::move(ins).error();
  for (const auto& t : tokens) {
    (*del)->reset();
    if (auto r = (*del)->bind(1, ByteView(account)).bind(2, ByteView(t)).run(); !r) return r;
    (*ins)->reset();
    if (auto r = (*ins)->bind(1, ByteView(account)).bind(2, ByteView(t)).run(); !r) return r;
  }
  auto trim = db_->prepare(
      "DELETE FROM revoked_subaccounts WHERE account = ?1 AND id NOT IN "
      "(SELECT id FROM revoked_subaccounts WHERE account = ?1 ORDER BY id DESC LIMIT ?2)");
  if (!trim) return std::move(trim).error();
  if (auto r = (*trim)->bind(1, ByteView(account)).bind(2, static_cast<std::int64_t>(kMaxRevokedPerAccount)).run(); !r) return r;
  return tx->commit();
}

Result<std::uint64_t> MessageStore::unrevoke_subaccounts(const AccountKey& account, std::span<const SubaccountToken> tokens) {
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  auto del = db_->prepare("DELETE FROM revoked_subaccounts WHERE account = ?1 AND token = ?2");
  if (!del) return std::move(del).error();
  std::uint64_t n = 0;
  for (const auto& t : tokens) {
    (*del)->reset();
    if (auto r = (*del)->bind(1, ByteView(account)).bind(2, ByteView(t)).run(); !r) return std::move(r).error();
    n += static_cast<std::uint64_t>(db_->changes());
  }
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return n;
}

Result<bool> MessageStore::is_revoked(const AccountKey& account, const SubaccountToken& token) {
  auto get = db_->prepare("SELECT 1 FROM revoked_subaccounts WHERE account = ?1 AND token = ?2");
  if (!get) return std::move(get).error();
  (*get)->bind(1, ByteView(account)).bind(2, ByteView(token));
  auto row = (*get)->step();
  if (!row) return std::move(row).error();
  bool found = *row;
  (*get)->reset();
  return found;
}

Result<std::vector<SubaccountToken>> MessageStore::revoked_subaccounts(const AccountKey& account) {
  std::vector<SubaccountToken> out;
  auto get = db_->prepare("SELECT token FROM revoked_subaccounts WHERE account = ?1 ORDER BY id");
  if (!get) return std::move(get).error();
  (*get)->bind(1, ByteView(account));
  for (;;) {
    auto row = (*get)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto b = (*get)->blob(0);
    SubaccountToken t{};
    if (b.size() == t.size()) std::copy(b.begin(), b.end(), t.begin());
    out.push_back(t);
  }
  (*get)->reset();
  return out;
}

Result<std::vector<Affected>> MessageStore::expire_all(const AccountKey& account, std::optional<Namespace> ns,
                                                       std::int64_t expiry_ms) {
  return bulk(account, ns,
              "UPDATE messages SET expiry = ?3 WHERE account = ?1 AND namespace = ?2 AND expiry > ?3 RETURNING hash, namespace",
              "UPDATE messages SET expiry = ?3 WHERE account = ?1 AND expiry > ?3 RETURNING hash, namespace", expiry_ms);
}

Result<std::map<MessageHash, std::int64_t>> MessageStore::get_expiries(const AccountKey& account,
                                                                       std::span<const MessageHash> hashes) {
  std::map<MessageHash, std::int64_t> out;
  auto id = account_id(account, false);
  if (!id) return std::move(id).error();
  if (*id < 0) return out;
  auto get = db_->prepare("SELECT expiry FROM messages WHERE hash = ?1 AND account = ?2");
  if (!get) return std::move(get).error();
  for (const auto& h : hashes) {
    (*get)->reset();
    (*get)->bind(1, ByteView(h)).bind(2, *id);
    auto row = (*get)->step();
    if (!row) return std::move(row).error();
    if (*row) out[h] = (*get)->int64(0);
  }
  (*get)->reset();
  return out;
}

Result<void> MessageStore::begin_group() {
  if (db_->in_group()) return Error(Errc::BadArgument, "a group is already open");
  if (auto r = db_->exec("BEGIN IMMEDIATE"); !r) return r;
  db_->set_in_group(true);
  return {};
}

Result<void> MessageStore::end_group() {
  if (!db_->in_group()) return Error(Errc::BadArgument, "no group is open");
  bool broken = db_->group_broken() || !db_->in_transaction();
  db_->set_in_group(false);
  if (broken) {
    if (db_->in_transaction()) (void)db_->exec("ROLLBACK");
    return Error(Errc::Io, "the group's transaction was rolled back; nothing in it was stored");
  }
  auto r = db_->exec("COMMIT");
  if (!r && db_->in_transaction()) (void)db_->exec("ROLLBACK");
  return r;
}

bool MessageStore::group_broken() const { return db_->group_broken() || (db_->in_group() && !db_->in_transaction()); }

Result<std::uint64_t> MessageStore::sweep(std::int64_t now_ms, std::uint64_t max_rows) {
  auto tx = Tx::begin(*db_);
  if (!tx) return std::move(tx).error();
  auto del = db_->prepare("DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE expiry <= ?1 LIMIT ?2)");
  if (!del) return std::move(del).error();
  if (auto r = (*del)->bind(1, now_ms).bind(2, static_cast<std::int64_t>(max_rows)).run(); !r) return std::move(r).error();
  auto n = static_cast<std::uint64_t>(db_->changes());
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return n;
}

Result<Stats> MessageStore::stats() {
  Stats s;
  auto sum = db_->prepare("SELECT COALESCE(SUM(msgs), 0), COALESCE(SUM(bytes), 0) FROM accounts");
  if (!sum) return std::move(sum).error();
  auto row = (*sum)->step();
  if (!row) return std::move(row).error();
  s.messages = static_cast<std::uint64_t>((*sum)->int64(0));
  s.data_bytes = static_cast<std::uint64_t>((*sum)->int64(1));
  (*sum)->reset();
  auto pages = db_->pragma_int("page_count");
  if (!pages) return std::move(pages).error();
  s.db_bytes = static_cast<std::uint64_t>(*pages * page_size_);
  return s;
}

}  // namespace sotto::node::storage
