#include "node/storage/schema.hpp"

#include <iterator>

namespace sotto::node::storage {

namespace {

// Migrations, in order: migration i takes the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE accounts (
      id     INTEGER PRIMARY KEY,
      pubkey BLOB NOT NULL UNIQUE,
      msgs   INTEGER NOT NULL DEFAULT 0,
      bytes  INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE messages (
      id        INTEGER PRIMARY KEY,
      account   INTEGER NOT NULL REFERENCES accounts(id),
      namespace INTEGER NOT NULL,
      hash      BLOB NOT NULL UNIQUE,
      timestamp INTEGER NOT NULL,
      expiry    INTEGER NOT NULL,
      data      BLOB NOT NULL);
    CREATE INDEX messages_by_owner ON messages(account, namespace, id);
    CREATE INDEX messages_by_expiry ON messages(expiry);
    CREATE TRIGGER messages_counted_in AFTER INSERT ON messages BEGIN
      UPDATE accounts SET msgs = msgs + 1, bytes = bytes + length(NEW.data) WHERE id = NEW.account;
    END;
    CREATE TRIGGER messages_counted_out AFTER DELETE ON messages BEGIN
      UPDATE accounts SET msgs = msgs - 1, bytes = bytes - length(OLD.data) WHERE id = OLD.account;
      DELETE FROM accounts WHERE id = OLD.account AND msgs = 0;
    END;
    )sql",
    // 2: revoked subaccount tokens, per account (not per stored message: a revocation
    // outlives the account's messages). The newest kMaxRevokedPerAccount are kept.
    R"sql(
    CREATE TABLE revoked_subaccounts (
      id      INTEGER PRIMARY KEY,
      account BLOB NOT NULL,
      token   BLOB NOT NULL,
      UNIQUE (account, token));
    )sql",
    // 3: what each account holds in unsigned namespaces (public inboxes, namespace % 10 = 0),
    // counted as msgs and bytes are: unsigned stores may use only their share of the quota,
    // and make room by evicting the oldest unsigned messages (docs/storage/message-store.md).
    R"sql(
    ALTER TABLE accounts ADD COLUMN umsgs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE accounts ADD COLUMN ubytes INTEGER NOT NULL DEFAULT 0;
    UPDATE accounts SET
      umsgs = (SELECT COUNT(*) FROM messages m WHERE m.account = accounts.id AND m.namespace % 10 = 0),
      ubytes = (SELECT COALESCE(SUM(length(m.data)), 0) FROM messages m WHERE m.account = accounts.id AND m.namespace % 10 = 0);
    DROP TRIGGER messages_counted_in;
    DROP TRIGGER messages_counted_out;
    CREATE TRIGGER messages_counted_in AFTER INSERT ON messages BEGIN
      UPDATE accounts SET msgs = msgs + 1, bytes = bytes + length(NEW.data),
        umsgs = umsgs + (NEW.namespace % 10 = 0), ubytes = ubytes + (NEW.namespace % 10 = 0) * length(NEW.data)
      WHERE id = NEW.account;
    END;
    CREATE TRIGGER messages_counted_out AFTER DELETE ON messages BEGIN
      UPDATE accounts SET msgs = msgs - 1, bytes = bytes - length(OLD.data),
        umsgs = umsgs - (OLD.namespace % 10 = 0), ubytes = ubytes - (OLD.namespace % 10 = 0) * length(OLD.data)
      WHERE id = OLD.account;
      DELETE FROM accounts WHERE id = OLD.account AND msgs = 0;
    END;
    )sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

}  // namespace

const char* migration(std::int64_t from) { return kMigrations[from]; }

}  // namespace sotto::node::storage
