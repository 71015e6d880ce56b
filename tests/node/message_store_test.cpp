// The node's MessageStore against docs/storage/message-store.md.

#include "node/storage/message_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "db/errc.hpp"
#include "support/process.hpp"

namespace sotto::node::storage {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kDay = 86'400'000;

AccountKey account(std::uint8_t n) {
  AccountKey k{};
  k[0] = 0x05;
  k[1] = n;
  return k;
}
MessageHash hash(std::uint32_t n) {
  MessageHash h{};
  base::store_be(h.data(), n);
  h[31] = 0xee;
  return h;
}

struct Fixture {
  std::unique_ptr<MessageStore> db;
  std::vector<Bytes> payloads;  // StoreRequest views into these
  explicit Fixture(Limits limits = {}, const std::string& path = ":memory:") {
    auto s = MessageStore::open(path, limits);
    if (!s) throw std::runtime_error(s.error().message());
    db = std::move(*s);
  }
  Result<StoreOutcome> put(std::uint8_t acct, std::uint32_t h, Namespace ns = 0, std::int64_t expiry = kNow + kDay,
                           std::size_t size = 100) {
    payloads.push_back(Bytes(size, static_cast<std::uint8_t>(h)));
    return db->store({account(acct), ns, hash(h), kNow, expiry, payloads.back()});
  }
  std::vector<MessageHash> get(std::uint8_t acct, Namespace ns = 0, std::optional<MessageHash> after = {},
                               std::size_t count = 100, std::size_t bytes = 1 << 20, std::int64_t now = kNow,
                               bool* more = nullptr) {
    auto r = db->retrieve(account(acct), ns, after, count, bytes, now);
    if (!r) throw std::runtime_error(r.error().message());
    if (more) *more = r->more;
    std::vector<MessageHash> out;
    for (auto& m : r->messages) out.push_back(m.hash);
    return out;
  }
};

TEST(MessageStore, StoresRetrievesInOrderAndPagesAfterAHash) {
  Fixture f;
  for (std::uint32_t i = 1; i <= 5; ++i) {
    auto r = f.put(1, i);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_FALSE(r->already);
  }
  EXPECT_EQ(f.get(1), (std::vector<MessageHash>{hash(1), hash(2), hash(3), hash(4), hash(5)}));
  EXPECT_EQ(f.get(1, 0, hash(3)), (std::vector<MessageHash>{hash(4), hash(5)}));
  EXPECT_TRUE(f.get(1, 0, hash(5)).empty());
  // A hash this node does not know (expired, or never here): from the oldest again.
  EXPECT_EQ(f.get(1, 0, hash(99)).size(), 5u);
  // Other accounts and namespaces see nothing of it.
  EXPECT_TRUE(f.get(2).empty());
  EXPECT_TRUE(f.get(1, 3).empty());
  auto full = f.db->retrieve(account(1), 0, std::nullopt, 10, 1 << 20, kNow);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->messages[0].data, Bytes(100, 1));
  EXPECT_EQ(full->messages[0].timestamp_ms, kNow);
  EXPECT_EQ(full->messages[0].expiry_ms, kNow + kDay);
}

TEST(MessageStore, CountAndSizeLimitsCutTheAnswerButReturnAtLeastOne) {
  Fixture f;
  for (std::uint32_t i = 1; i <= 5; ++i) ASSERT_TRUE(f.put(1, i, 0, kNow + kDay, 1000));
  bool more = false;
  EXPECT_EQ(f.get(1, 0, {}, 2, 1 << 20, kNow, &more).size(), 2u);
  EXPECT_TRUE(more);
  EXPECT_EQ(f.get(1, 0, {}, 5, 1 << 20, kNow, &more).size(), 5u);
  EXPECT_FALSE(more);
  // Budgets count reply size: 1000 bytes of data cost 1336 + 100.
  EXPECT_EQ(reply_size(1000), 1436u);
  EXPECT_EQ(f.get(1, 0, {}, 10, 2 * 1436, kNow, &more).size(), 2u);
  EXPECT_TRUE(more);
  EXPECT_EQ(f.get(1, 0, {}, 10, 2 * 1436 - 1, kNow, &more).size(), 1u);
  EXPECT_EQ(f.get(1, 0, {}, 10, 10, kNow, &more).size(), 1u);  // one even if bigger than max_size
  EXPECT_TRUE(more);
}

TEST(MessageStore, ADuplicateOnlyExtendsTheExpiry) {
  Fixture f;
  ASSERT_TRUE(f.put(1, 7, 0, kNow + 1000));
  auto again = f.put(1, 7, 0, kNow + 5000);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already);
  EXPECT_EQ(again->expiry_ms, kNow + 5000);
  auto shorter = f.put(1, 7, 0, kNow + 10);
  ASSERT_TRUE(shorter);
  EXPECT_TRUE(shorter->already);
  EXPECT_EQ(shorter->expiry_ms, kNow + 5000);  // never shortened by a store
  EXPECT_EQ(f.get(1).size(), 1u);
  EXPECT_EQ(f.db->stats()->messages, 1u);
}

TEST(MessageStore, ExpiredMessagesAreNeverReturnedAndTheSweepDeletesThem) {
  Fixture f;
  ASSERT_TRUE(f.put(1, 1, 0, kNow + 1000));
  ASSERT_TRUE(f.put(1, 2, 0, kNow + 3000));
  EXPECT_EQ(f.get(1, 0, {}, 100, 1 << 20, kNow + 999).size(), 2u);
  EXPECT_EQ(f.get(1, 0, {}, 100, 1 << 20, kNow + 1000).size(), 1u);  // expiry == now: gone
  EXPECT_EQ(*f.db->sweep(kNow + 1000), 1u);
  EXPECT_EQ(f.db->stats()->messages, 1u);
  EXPECT_EQ(*f.db->sweep(kNow + 1000), 0u);
  EXPECT_EQ(*f.db->sweep(kNow + 10'000), 1u);
  EXPECT_EQ(f.db->stats()->messages, 0u);
  EXPECT_EQ(f.db->stats()->data_bytes, 0u);
}

TEST(MessageStore, SweepsLargeBacklogsInBatches) {
  Fixture f;
  std::vector<StoreRequest> reqs;
  Bytes data(10, 1);
  for (std::uint32_t i = 0; i < 2500; ++i) reqs.push_back({account(1), 0, hash(i), kNow, kNow + 1, data});
  ASSERT_TRUE(f.db->store_batch(reqs));
  EXPECT_EQ(*f.db->sweep(kNow + 1), 1000u);  // one batch per call
  EXPECT_EQ(*f.db->sweep(kNow + 1), 1000u);
  EXPECT_EQ(*f.db->sweep(kNow + 1), 500u);
  EXPECT_EQ(f.db->stats()->messages, 0u);
}

// Signed namespaces (here 1) are refused beyond the quota; unsigned ones make room instead
// (the next test).
TEST(MessageStore, QuotaRefusesAStoreAndABatchIsAllOrNothing) {
  Limits l;
  l.max_account_messages = 3;
  l.max_account_bytes = 10'000;
  Fixture f(l);
  ASSERT_TRUE(f.put(1, 1, 1));
  ASSERT_TRUE(f.put(1, 2, 1));
  ASSERT_TRUE(f.put(1, 3, 1));
  auto over = f.put(1, 4, 1);
  ASSERT_FALSE(over);
  EXPECT_TRUE(over.error().is(Errc::QuotaExceeded));
  EXPECT_TRUE(f.put(2, 4, 1));  // another account is not affected
  // Bytes quota.
  auto big = f.put(3, 5, 1, kNow + kDay, 10'001);
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().is(Errc::QuotaExceeded));
  // A batch whose last request is over quota stores none of them.
  Bytes d(10, 9);
  std::vector<StoreRequest> batch{{account(4), 1, hash(10), kNow, kNow + kDay, d},
                                  {account(4), 1, hash(11), kNow, kNow + kDay, d},
                                  {account(1), 1, hash(12), kNow, kNow + kDay, d}};
  auto b = f.db->store_batch(batch);
  ASSERT_FALSE(b);
  EXPECT_TRUE(f.get(4, 1).empty());
  // Deleting frees quota (the counters follow every delete path).
  std::vector<MessageHash> h1{hash(1)};
  ASSERT_EQ(f.db->delete_hashes(account(1), h1)->size(), 1u);
  EXPECT_TRUE(f.put(1, 4, 1));
}

// A flood of unsigned stores (anyone may store to a public inbox) keeps to its share of the
// quota and pushes out only the oldest unsigned messages: the newest always arrive, and
// the account's signed stores (backups, outboxes) keep the rest of the quota.
TEST(MessageStore, UnsignedStoresKeepToTheirShareAndEvictTheOldestUnsigned) {
  Limits l;
  l.max_account_messages = 10;
  l.max_account_bytes = 100'000;
  Fixture f(l);  // unsigned share: 5 messages, 50,000 bytes
  ASSERT_TRUE(f.put(1, 1, 1));  // a signed message first
  for (std::uint32_t i = 100; i < 300; ++i) ASSERT_TRUE(f.put(1, i, 0)) << i;
  auto inbox = f.get(1, 0);
  ASSERT_EQ(inbox.size(), 5u);
  EXPECT_EQ(inbox.front(), hash(295));  // the newest five
  EXPECT_EQ(inbox.back(), hash(299));
  EXPECT_EQ(f.db->evicted(), 195u);
  // Signed stores still have their share: four more fit, the fifth is over the quota.
  for (std::uint32_t i = 2; i < 6; ++i) EXPECT_TRUE(f.put(1, i, 1)) << i;
  EXPECT_EQ(f.get(1, 1).size(), 5u);
  auto over = f.put(1, 6, 1);
  ASSERT_FALSE(over);
  EXPECT_TRUE(over.error().is(Errc::QuotaExceeded));
  // The inbox still takes new messages (the oldest unsigned go), never the signed ones.
  ASSERT_TRUE(f.put(1, 400, 0));
  EXPECT_EQ(f.get(1, 0).size(), 5u);
  EXPECT_EQ(f.get(1, 1).size(), 5u);
  // Another unsigned namespace of the same account: room is made in the others if needed.
  ASSERT_TRUE(f.put(1, 500, -10));
  EXPECT_EQ(f.get(1, -10).size(), 1u);
  EXPECT_EQ(f.get(1, 0).size(), 4u);
  // By bytes: one unsigned message larger than the unsigned share never fits.
  auto huge = f.put(1, 600, 0, kNow + kDay, 50'001);
  ASSERT_FALSE(huge);
  EXPECT_TRUE(huge.error().is(Errc::QuotaExceeded));
  EXPECT_EQ(f.get(1, 0).size(), 4u);  // and nothing was evicted for it
  // Large unsigned messages make room by bytes: 20,000 each, at most two in 50,000.
  for (std::uint32_t i = 700; i < 705; ++i) ASSERT_TRUE(f.put(1, i, 0, kNow + kDay, 20'000));
  auto big = f.get(1, 0);
  ASSERT_EQ(big.size(), 2u);
  EXPECT_EQ(big.back(), hash(704));
}

TEST(MessageStore, TheDatabaseSizeCapMakesStoresFailCleanly) {
  Limits l;
  l.max_db_bytes = 256 * 1024;
  Fixture f(l);
  std::uint32_t stored = 0;
  Error last;
  for (std::uint32_t i = 0; i < 100; ++i) {
    auto r = f.put(static_cast<std::uint8_t>(i % 7), i, 0, kNow + kDay, 8000);
    if (!r) {
      last = r.error();
      break;
    }
    ++stored;
  }
  ASSERT_LT(stored, 100u);
  EXPECT_GT(stored, 10u);
  EXPECT_TRUE(last.is(db::Errc::Full)) << last.message();
  EXPECT_NE(last.message().find("full"), std::string::npos);
  auto s = f.db->stats();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->messages, stored);  // everything acknowledged is still there
  EXPECT_LE(s->db_bytes, l.max_db_bytes);
  // Deleting and sweeping make room again.
  EXPECT_GT(*f.db->sweep(kNow + 2 * kDay), 0u);
  EXPECT_TRUE(f.put(1, 1000, 0, kNow + 3 * kDay, 8000));
}

TEST(MessageStore, APublicOutboxKeepsOneMessage) {
  Fixture f;
  EXPECT_TRUE(is_public_outbox(-1));
  EXPECT_TRUE(is_public_outbox(-21));
  EXPECT_FALSE(is_public_outbox(-10));
  EXPECT_FALSE(is_public_outbox(1));
  ASSERT_TRUE(f.put(1, 1, -21));
  ASSERT_TRUE(f.put(1, 2, -21));
  EXPECT_EQ(f.get(1, -21), (std::vector<MessageHash>{hash(2)}));
  ASSERT_TRUE(f.put(1, 3, -10));
  ASSERT_TRUE(f.put(1, 4, -10));
  EXPECT_EQ(f.get(1, -10).size(), 2u);
}

TEST(MessageStore, DeletesTouchOnlyTheOwnersMessages) {
  Fixture f;
  for (std::uint32_t i = 1; i <= 3; ++i) ASSERT_TRUE(f.put(1, i));
  ASSERT_TRUE(f.put(2, 10));
  ASSERT_TRUE(f.put(1, 20, 5));
  std::vector<MessageHash> ask{hash(1), hash(10), hash(77)};
  auto d = f.db->delete_hashes(account(1), ask);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, std::vector<MessageHash>{hash(1)});  // not account 2's, not an unknown one
  EXPECT_EQ(f.get(2).size(), 1u);
  auto ns0 = f.db->delete_all(account(1), Namespace{0});
  ASSERT_TRUE(ns0);
  EXPECT_EQ(ns0->size(), 2u);
  EXPECT_EQ(f.get(1, 5).size(), 1u);
  auto all = f.db->delete_all(account(1), std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<Affected>{{hash(20), 5}}));  // each with its namespace
  EXPECT_TRUE(f.db->delete_all(account(9), std::nullopt)->empty());  // unknown account
}

TEST(MessageStore, DeleteBeforeUsesTheMessageTimestamp) {
  Fixture f;
  Bytes d(5, 1);
  ASSERT_TRUE(f.db->store({account(1), 0, hash(1), kNow - 500, kNow + kDay, d}));
  ASSERT_TRUE(f.db->store({account(1), 0, hash(2), kNow, kNow + kDay, d}));
  ASSERT_TRUE(f.db->store({account(1), 2, hash(3), kNow - 500, kNow + kDay, d}));
  auto r = f.db->delete_before(account(1), Namespace{0}, kNow - 1);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (std::vector<Affected>{{hash(1), 0}}));
  auto edge = f.db->delete_before(account(1), Namespace{0}, kNow);  // inclusive, as Session
  ASSERT_TRUE(edge);
  EXPECT_EQ(*edge, (std::vector<Affected>{{hash(2), 0}}));
  auto all = f.db->delete_before(account(1), std::nullopt, kNow);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST(MessageStore, ExpireHonoursItsModeAndExpireAllOnlyShortens) {
  Fixture f;
  ASSERT_TRUE(f.put(1, 1, 0, kNow + 1000));
  ASSERT_TRUE(f.put(1, 2, 0, kNow + 5000));
  ASSERT_TRUE(f.put(2, 3, 0, kNow + 5000));
  std::vector<MessageHash> hs{hash(1), hash(2), hash(3)};
  auto ext = f.db->expire(account(1), hs, kNow + 3000, ExpireMode::Extend);
  ASSERT_TRUE(ext);
  EXPECT_EQ(ext->size(), 1u);
  EXPECT_EQ(ext->at(hash(1)), kNow + 3000);
  auto sh = f.db->expire(account(1), hs, kNow + 2000, ExpireMode::Shorten);
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->size(), 2u);  // both were later than 2000
  auto any = f.db->expire(account(1), hs, kNow + 9000, ExpireMode::Any);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->size(), 2u);  // not account 2's
  auto ex = f.db->get_expiries(account(1), hs);
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->size(), 2u);
  EXPECT_EQ(ex->at(hash(2)), kNow + 9000);
  auto all = f.db->expire_all(account(1), std::nullopt, kNow + 4000);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
  auto none = f.db->expire_all(account(1), std::nullopt, kNow + 8000);  // would lengthen: no
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(f.db->get_expiries(account(2), hs)->at(hash(3)), kNow + 5000);
}

TEST(MessageStore, ExpireEachGivesEveryHashItsOwnExpiry) {
  Fixture f;
  ASSERT_TRUE(f.put(1, 1, 0, kNow + 1000));
  ASSERT_TRUE(f.put(1, 2, 0, kNow + 5000));
  std::vector<MessageHash> hs{hash(1), hash(2)};
  std::vector<std::int64_t> ex{kNow + 3000, kNow + 4000};
  auto up = f.db->expire_each(account(1), hs, ex, ExpireMode::Extend);  // only hash 1 grows
  ASSERT_TRUE(up);
  EXPECT_EQ(*up, (std::map<MessageHash, std::int64_t>{{hash(1), kNow + 3000}}));
  up = f.db->expire_each(account(1), hs, ex, ExpireMode::Any);
  ASSERT_TRUE(up);
  EXPECT_EQ(*up, (std::map<MessageHash, std::int64_t>{{hash(2), kNow + 4000}}));
  EXPECT_EQ(f.db->get_expiries(account(1), hs)->at(hash(1)), kNow + 3000);
  std::vector<std::int64_t> one{kNow};
  EXPECT_FALSE(f.db->expire_each(account(1), hs, one, ExpireMode::Any));  // not one per hash
  EXPECT_EQ(f.db->get_expiries(account(1), hs)->at(hash(2)), kNow + 4000);
}

SubaccountToken token(std::uint8_t n) {
  SubaccountToken t{};
  t[0] = 0x03;
  t[1] = 1;
  t[4] = n;
  return t;
}

TEST(MessageStore, RevocationsArePerAccountKeepTheNewestFiftyAndOutliveMessages) {
  Fixture f;
  ASSERT_TRUE(f.put(1, 1));
  std::vector<SubaccountToken> first{token(1), token(2)};
  ASSERT_TRUE(f.db->revoke_subaccounts(account(1), first));
  EXPECT_TRUE(*f.db->is_revoked(account(1), token(1)));
  EXPECT_FALSE(*f.db->is_revoked(account(2), token(1)));  // per account
  EXPECT_FALSE(*f.db->is_revoked(account(1), token(3)));
  ASSERT_TRUE(f.db->delete_all(account(1), std::nullopt));  // no messages left: still revoked
  EXPECT_TRUE(*f.db->is_revoked(account(1), token(2)));
  // Revoking token 1 again makes it the newest; 49 more push token 2 (the oldest) out.
  std::vector<SubaccountToken> again{token(1)};
  ASSERT_TRUE(f.db->revoke_subaccounts(account(1), again));
  std::vector<SubaccountToken> more;
  for (std::uint8_t i = 10; i < 59; ++i) more.push_back(token(i));
  ASSERT_TRUE(f.db->revoke_subaccounts(account(1), more));
  auto list = f.db->revoked_subaccounts(account(1));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), kMaxRevokedPerAccount);
  EXPECT_EQ(list->front(), token(1));
  EXPECT_EQ(list->back(), token(58));
  EXPECT_FALSE(*f.db->is_revoked(account(1), token(2)));
  std::vector<SubaccountToken> un{token(1), token(2), token(10)};
  auto n = f.db->unrevoke_subaccounts(account(1), un);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2u);  // token 2 was no longer there
  EXPECT_FALSE(*f.db->is_revoked(account(1), token(1)));
  EXPECT_EQ(f.db->revoked_subaccounts(account(1))->size(), kMaxRevokedPerAccount - 2);
}

TEST(MessageStore, ListsAccountsAndAnAccountsMessagesAndHashesForReplication) {
  Fixture f;
  ASSERT_TRUE(f.put(2, 5, 0));
  ASSERT_TRUE(f.put(2, 3, -10));
  ASSERT_TRUE(f.put(2, 9, 0, kNow + 10));  // expires first
  ASSERT_TRUE(f.put(1, 7, 0));
  EXPECT_EQ(*f.db->accounts(), (std::vector<AccountKey>{account(1), account(2)}));
  auto all = f.db->messages_of(account(2), kNow + 20);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);  // the expired one is not handed on
  EXPECT_EQ((*all)[0].hash, hash(5));
  EXPECT_EQ((*all)[1].ns, -10);
  ASSERT_TRUE(f.put(2, 4, 0));
  auto by_ns = f.db->hashes_of(account(2), kNow + 20);
  ASSERT_TRUE(by_ns);
  EXPECT_EQ(*by_ns, (std::map<Namespace, std::vector<MessageHash>>{{-10, {hash(3)}}, {0, {hash(4), hash(5)}}}));
  EXPECT_TRUE(f.db->messages_of(account(3), kNow)->empty());
}

TEST(MessageStore, AnOlderOutboxCopyFromAPeerNeverReplacesTheNewerMessage) {
  Fixture f;
  Bytes newer(10, 2), older(10, 1);
  ASSERT_TRUE(f.db->store({account(1), -21, hash(2), kNow + 5, kNow + kDay, newer}));
  StoreRequest copy{account(1), -21, hash(1), kNow, kNow + kDay, older};
  copy.keep_newer = true;
  ASSERT_TRUE(f.db->store(copy));
  EXPECT_EQ(f.get(1, -21), std::vector<MessageHash>{hash(2)});
  copy.timestamp_ms = kNow + 9;  // a newer copy does replace it, as a client's store would
  ASSERT_TRUE(f.db->store(copy));
  EXPECT_EQ(f.get(1, -21), std::vector<MessageHash>{hash(1)});
}

// Takes a database of this version's schema back to version 2's (whose triggers knew
// nothing of unsigned usage); the caller sets the version.
constexpr const char* kBackToVersion2 = R"sql(
    DROP TRIGGER messages_counted_in; DROP TRIGGER messages_counted_out;
    ALTER TABLE accounts DROP COLUMN umsgs; ALTER TABLE accounts DROP COLUMN ubytes;
    CREATE TRIGGER messages_counted_in AFTER INSERT ON messages BEGIN
      UPDATE accounts SET msgs = msgs + 1, bytes = bytes + length(NEW.data) WHERE id = NEW.account; END;
    CREATE TRIGGER messages_counted_out AFTER DELETE ON messages BEGIN
      UPDATE accounts SET msgs = msgs - 1, bytes = bytes - length(OLD.data) WHERE id = OLD.account;
      DELETE FROM accounts WHERE id = OLD.account AND msgs = 0; END;
    )sql";

TEST(MessageStore, AVersionOneDatabaseMigratesAndKeepsItsMessages) {
  test::TempDir tmp;
  std::string path = tmp.sub("v1.db");
  {
    Fixture f({}, path);
    ASSERT_TRUE(f.put(1, 1));
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  std::string to_v1 = std::string(kBackToVersion2) + "DROP TABLE revoked_subaccounts; UPDATE meta SET value = 1 WHERE key = 'schema_version';";
  ASSERT_EQ(sqlite3_exec(raw, to_v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  sqlite3_close(raw);
  EXPECT_FALSE(MessageStore::open_reader(path));  // a reader never migrates
  Fixture f({}, path);
  EXPECT_EQ(f.get(1), std::vector<MessageHash>{hash(1)});
  std::vector<SubaccountToken> t{token(1)};
  ASSERT_TRUE(f.db->revoke_subaccounts(account(1), t));
  EXPECT_TRUE(*f.db->is_revoked(account(1), token(1)));
  auto reader = MessageStore::open_reader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(*(*reader)->is_revoked(account(1), token(1)));
}

// Version 2 knew nothing of unsigned usage: the migration counts what each account holds.
TEST(MessageStore, AVersionTwoDatabaseMigratesWithItsUnsignedUsageCounted) {
  test::TempDir tmp;
  std::string path = tmp.sub("v2.db");
  Limits l;
  l.max_account_messages = 4;
  {
    Fixture f(l, path);
    ASSERT_TRUE(f.put(1, 1, 1));
    for (std::uint32_t i = 10; i < 12; ++i) ASSERT_TRUE(f.put(1, i, 0));
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, (std::string(kBackToVersion2) + "UPDATE meta SET value = 2 WHERE key = 'schema_version';").c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  sqlite3_close(raw);
  Fixture f(l, path);
  // Two unsigned held, a share of two: the next evicts one (uncounted, none would go).
  ASSERT_TRUE(f.put(1, 12, 0));
  EXPECT_EQ(f.get(1, 0), (std::vector<MessageHash>{hash(11), hash(12)}));
  EXPECT_EQ(f.get(1, 1).size(), 1u);
}

TEST(MessageStore, AGroupCommitsTogetherAndAFailedStoreInsideItChangesNothingElse) {
  Limits l;
  l.max_account_messages = 2;
  test::TempDir tmp;
  std::string path = tmp.sub("g.db");
  {
    Fixture f(l, path);
    ASSERT_TRUE(f.db->begin_group());
    EXPECT_TRUE(f.put(1, 1, 1));
    EXPECT_TRUE(f.put(1, 2, 1));
    EXPECT_FALSE(f.put(1, 3, 1));  // over quota (signed): its savepoint rolls back, the group lives on
    EXPECT_TRUE(f.put(2, 4));
    EXPECT_EQ(f.get(1, 1).size(), 2u);  // visible inside the group
    EXPECT_FALSE(f.db->begin_group());  // not nestable
    ASSERT_TRUE(f.db->end_group());
    EXPECT_FALSE(f.db->end_group());
  }
  Fixture again(l, path);
  EXPECT_EQ(again.get(1, 1).size(), 2u);
  EXPECT_EQ(again.get(2).size(), 1u);
}

TEST(MessageStore, EmptyAccountsAreForgotten) {
  Fixture f;
  ASSERT_TRUE(f.put(1, 1, 0, kNow + 10));
  ASSERT_TRUE(f.put(1, 2, -21));
  ASSERT_TRUE(f.put(1, 3, -21));  // outbox replace of the account's other message
  EXPECT_EQ(*f.db->sweep(kNow + 10), 1u);
  auto all = f.db->delete_all(account(1), std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
  // Nothing is left of the account: a fresh store starts from an empty quota.
  EXPECT_EQ(f.db->stats()->messages, 0u);
  EXPECT_TRUE(f.get(1).empty());
  ASSERT_TRUE(f.put(1, 4));
  EXPECT_EQ(f.get(1).size(), 1u);
}

TEST(MessageStore, AnUncommittedGroupIsNotDurable) {
  test::TempDir tmp;
  std::string path = tmp.sub("g.db");
  {
    Fixture f({}, path);
    ASSERT_TRUE(f.put(1, 1));
    ASSERT_TRUE(f.db->begin_group());
    ASSERT_TRUE(f.put(1, 2));
    // Closed without end_group (as a crash would): the open transaction is rolled back.
  }
  Fixture again({}, path);
  EXPECT_EQ(again.get(1), std::vector<MessageHash>{hash(1)});
}

TEST(MessageStore, SurvivesReopeningAndRefusesANewerSchema) {
  test::TempDir tmp;
  std::string path = tmp.sub("messages.db");
  {
    Fixture f({}, path);
    ASSERT_TRUE(f.put(1, 1));
    ASSERT_TRUE(f.put(1, 2));
  }
  {
    Fixture f({}, path);
    EXPECT_EQ(f.get(1).size(), 2u);
    EXPECT_EQ(f.db->stats()->messages, 2u);
  }
  {  // Pretend a newer sotto wrote it.
    auto s = MessageStore::open(path);
    ASSERT_TRUE(s);
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE meta SET value = 99 WHERE key = 'schema_version'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto s = MessageStore::open(path);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(Errc::Corrupt));
  EXPECT_NE(s.error().message().find("newer"), std::string::npos);
}

TEST(MessageStore, AReaderSeesCommittedMessagesOnlyAndCannotWrite) {
  test::TempDir tmp;
  std::string path = tmp.sub("r.db");
  EXPECT_FALSE(MessageStore::open_reader(path));  // no database yet: nothing is created
  EXPECT_FALSE(std::filesystem::exists(path));
  Fixture f({}, path);
  ASSERT_TRUE(f.put(1, 1));
  auto reader = MessageStore::open_reader(path);
  ASSERT_TRUE(reader) << reader.error().message();
  auto hashes = [&] {
    auto r = (*reader)->retrieve(account(1), 0, std::nullopt, 100, 1 << 20, kNow);
    if (!r) throw std::runtime_error(r.error().message());
    std::vector<MessageHash> out;
    for (auto& m : r->messages) out.push_back(m.hash);
    return out;
  };
  EXPECT_EQ(hashes(), std::vector<MessageHash>{hash(1)});
  ASSERT_TRUE(f.db->begin_group());
  ASSERT_TRUE(f.put(1, 2));
  EXPECT_EQ(hashes(), std::vector<MessageHash>{hash(1)});  // not committed: not seen
  ASSERT_TRUE(f.db->end_group());
  EXPECT_EQ(hashes(), (std::vector<MessageHash>{hash(1), hash(2)}));
  std::vector<MessageHash> both{hash(1), hash(2)};
  auto ex = (*reader)->get_expiries(account(1), both);
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->size(), 2u);
  Bytes data(10, 1);
  auto w = (*reader)->store({account(1), 0, hash(3), kNow, kNow + kDay, data});
  ASSERT_FALSE(w);
  EXPECT_TRUE(w.error().is(db::Errc::Io)) << w.error().message();
  EXPECT_FALSE((*reader)->delete_all(account(1), std::nullopt));
  EXPECT_EQ(f.get(1).size(), 2u);
}

TEST(MessageStore, ACheckpointCopiesTheWalIntoTheDatabase) {
  test::TempDir tmp;
  std::string path = tmp.sub("c.db");
  auto db = MessageStore::open(path);
  ASSERT_TRUE(db);
  auto reader = MessageStore::open_reader(path);
  ASSERT_TRUE(reader);
  Bytes data(3000, 7);
  for (std::uint32_t i = 0; i < 100; ++i)  // below SQLite's automatic checkpoint (1,000 pages)
    ASSERT_TRUE((*db)->store({account(1), 0, hash(i), kNow, kNow + kDay, data}));
  auto p = (*db)->checkpoint();
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_GT(p->wal_frames, 100);
  EXPECT_EQ(p->checkpointed_frames, p->wal_frames);  // a reader open beside it is no obstacle
  // The next write starts the WAL over, as everything in it is copied.
  ASSERT_TRUE((*db)->store({account(1), 0, hash(100), kNow, kNow + kDay, data}));
  p = (*db)->checkpoint();
  ASSERT_TRUE(p);
  EXPECT_LT(p->wal_frames, 20);
  EXPECT_EQ(p->checkpointed_frames, p->wal_frames);
  EXPECT_EQ((*reader)->stats()->messages, 101u);
  db->reset();
  reader->reset();
  auto again = MessageStore::open(path);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->stats()->messages, 101u);
}

TEST(MessageStore, AFileThatIsNotADatabaseIsRefused) {
  test::TempDir tmp;
  std::string path = tmp.sub("junk.db");
  FILE* fp = std::fopen(path.c_str(), "w");
  std::fputs("this is not an SQLite database, just some text that is long enough to have a header", fp);
  std::fclose(fp);
  auto s = MessageStore::open(path);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(db::Errc::Corrupt)) << s.error().message();
}

}  // namespace
}  // namespace sotto::node::storage
