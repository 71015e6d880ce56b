// The profile's local database (docs/client.md, "Local state").

#include "client/local_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <chrono>
#include <thread>
#include <atomic>

#include "client/errc.hpp"
#include "db/errc.hpp"
#include "support/process.hpp"

namespace sotto::client {
namespace {

const std::string kAlice = "05" + std::string(64, 'a');
const std::string kBob = "05" + std::string(64, 'b');

StoredMessage incoming(const std::string& from, const std::string& body, std::int64_t ts, const std::string& hash) {
  StoredMessage m;
  m.peer = from;
  m.direction = Direction::Incoming;
  m.body = body;
  m.timestamp_ms = ts;
  m.local_ms = ts + 5;
  m.hash = hash;
  m.state = DeliveryState::Received;
  return m;
}

TEST(LocalStore, IsPrivateAndRefusesANewerSchema) {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.sub("p"));
  ASSERT_TRUE(LocalStore::open(tmp.sub("p")));
  struct stat st{};
  ASSERT_EQ(::stat((tmp.sub("p") + "/profile.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  {  // opened again: the schema is not applied twice
    auto again = LocalStore::open(tmp.sub("p"));
    ASSERT_TRUE(again) << again.error().message();
  }
  auto r = test::run_process("/usr/bin/env", {"python3", "-c",
                                               "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=99'); c.commit()",
                                               tmp.sub("p") + "/profile.db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto newer = LocalStore::open(tmp.sub("p"));
  ASSERT_FALSE(newer);
  EXPECT_TRUE(newer.error().is(db::Errc::Corrupt)) << newer.error().message();

  std::filesystem::create_directories(tmp.sub("junk"));
  std::ofstream(tmp.sub("junk") + "/profile.db") << "this is not an SQLite database, only text long enough for a header........";
  EXPECT_FALSE(LocalStore::open(tmp.sub("junk")));
}

TEST(LocalStore, ContactsHaveUniqueNicknamesAndCanBeBlocked) {
  test::TempDir tmp;
  auto s = std::move(*LocalStore::open(tmp.path()));
  ASSERT_TRUE(s->add_contact(kAlice, "alice"));
  auto clash = s->add_contact(kBob, "alice");
  ASSERT_FALSE(clash);
  EXPECT_TRUE(clash.error().is(Errc::AlreadyUsed));
  ASSERT_TRUE(s->add_contact(kBob, "bob"));
  ASSERT_TRUE(s->add_contact(kAlice, "ally"));  // renamed
  EXPECT_FALSE(*s->contact_by_nickname("alice"));
  EXPECT_EQ((*s->contact_by_nickname("ally"))->account, kAlice);
  ASSERT_TRUE(s->set_blocked(kBob, true));
  EXPECT_TRUE((*s->contact(kBob))->blocked);
  EXPECT_EQ((*s->contact(kBob))->nickname, "bob");  // blocking keeps the nickname
  auto all = *s->contacts();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].nickname, "ally");
  EXPECT_EQ(all[1].nickname, "bob");
  ASSERT_TRUE(s->add_contact(kAlice, ""));  // no nickname given: the old one stays
  EXPECT_EQ((*s->contact(kAlice))->nickname, "ally");
  EXPECT_TRUE(*s->remove_contact(kAlice));
  EXPECT_FALSE(*s->remove_contact(kAlice));
  EXPECT_EQ(s->contacts()->size(), 1u);
  // Removing a blocked contact keeps it blocked: only the nickname goes.
  EXPECT_TRUE(*s->remove_contact(kBob));
  ASSERT_TRUE(*s->contact(kBob));
  EXPECT_TRUE((*s->contact(kBob))->blocked);
  EXPECT_TRUE((*s->contact(kBob))->nickname.empty());
}

TEST(LocalStore, OutgoingMessagesKeepTheirDataUntilSent) {
  test::TempDir tmp;
  auto s = std::move(*LocalStore::open(tmp.path()));
  StoredMessage m;
  m.peer = kBob;
  m.direction = Direction::Outgoing;
  m.body = "hi";
  m.timestamp_ms = m.local_ms = 1000;
  m.hash = "h1";
  m.data = "ZGF0YQ==";
  m.ttl_ms = 60'000;
  auto id = s->add_outgoing(m);
  ASSERT_TRUE(id);
  EXPECT_EQ(*s->add_outgoing(m), *id);  // the same hash is the same message
  ASSERT_TRUE(s->set_outcome(*id, DeliveryState::Failed, 0, 6));
  auto failed = **s->message(*id);
  EXPECT_EQ(failed.state, DeliveryState::Failed);
  EXPECT_EQ(failed.data, "ZGF0YQ==");  // kept for a retry
  EXPECT_EQ(failed.ttl_ms, 60'000);
  ASSERT_TRUE(s->set_outcome(*id, DeliveryState::Sent, 5, 6));
  auto sent = **s->message(*id);
  EXPECT_EQ(sent.state, DeliveryState::Sent);
  EXPECT_EQ(sent.confirmations, 5);
  EXPECT_EQ(sent.swarm_size, 6);
  EXPECT_TRUE(sent.data.empty());
  EXPECT_TRUE(*s->seen("h1"));  // its own hash is never taken as incoming
}

TEST(LocalStore, IncomingMessagesAreKeptOnceAndInTimestampOrder) {
  test::TempDir tmp;
  auto s = std::move(*LocalStore::open(tmp.path()));
  auto kept = s->add_incoming({incoming(kAlice, "second", 2000, "h2"), incoming(kAlice, "first", 1000, "h1")},
                              {{"h1", 9000}, {"h2", 9000}, {"hx", 9000}}, "node-a", 0, "h2");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->size(), 2u);
  EXPECT_EQ(*s->last_hash("node-a", 0), "h2");
  EXPECT_EQ(*s->last_hash("node-b", 0), "");
  // The same messages from another member: nothing new, but that node's last hash moves.
  kept = s->add_incoming({incoming(kAlice, "first", 1000, "h1"), incoming(kAlice, "third", 3000, "h3")}, {{"h1", 9000}, {"h3", 9000}},
                         "node-b", 0, "h3");
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].body, "third");
  EXPECT_EQ(*s->last_hash("node-b", 0), "h3");
  auto h = *s->history(kAlice, 10);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].body, "first");
  EXPECT_EQ(h[1].body, "second");
  EXPECT_EQ(h[2].body, "third");
  auto last2 = *s->history(kAlice, 2);  // the last two, oldest first
  ASSERT_EQ(last2.size(), 2u);
  EXPECT_EQ(last2[0].body, "second");
  EXPECT_TRUE(s->history(kBob, 10)->empty());
  EXPECT_TRUE(*s->seen("hx"));  // unreadable, but seen: never tried again
}

TEST(LocalStore, DisappearingMessagesGoAndDoNotComeBack) {
  test::TempDir tmp;
  auto s = std::move(*LocalStore::open(tmp.path()));
  auto gone = incoming(kAlice, "secret", 1000, "h1");
  gone.expires_ms = 5000;
  ASSERT_TRUE(s->add_incoming({gone, incoming(kAlice, "stays", 1001, "h2")}, {{"h1", 5000}, {"h2", 99'000}}, "n", 0, "h2"));
  EXPECT_EQ(*s->purge(4999), 0u);
  EXPECT_EQ(*s->purge(5000), 1u);
  auto h = *s->history(kAlice, 10);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].body, "stays");
  // Fetched again from a member that still has it: not shown again.
  auto kept = s->add_incoming({gone}, {{"h1", 5000}}, "m", 0, "h1");
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->empty());
  EXPECT_EQ(s->history(kAlice, 10)->size(), 1u);
}

// update_setting reads and writes in one transaction: a second process's update waits for
// the first and builds on it (no lost update); a change that fails writes nothing.
TEST(LocalStore, UpdatingASettingFromTwoProcessesLosesNeither) {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.sub("p"));
  auto a = std::move(*LocalStore::open(tmp.sub("p")));
  auto b = std::move(*LocalStore::open(tmp.sub("p")));  // another connection, as another process has
  auto append = [](const std::string& what) {
    return [what](const std::optional<std::string>& now) -> Result<std::string> { return now.value_or("") + what; };
  };
  std::thread other;
  auto r = a->update_setting("k", [&](const std::optional<std::string>& now) -> Result<std::string> {
    other = std::thread([&] { EXPECT_TRUE(b->update_setting("k", append("b"))); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // b reads now, if it can
    return now.value_or("") + "a";
  });
  other.join();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(**a->setting("k"), "ab");
  auto failed = a->update_setting("k", [](const std::optional<std::string>&) -> Result<std::string> { return Error(Errc::Io, "no"); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message(), "no");
  EXPECT_EQ(**b->setting("k"), "ab");
}

}  // namespace
}  // namespace sotto::client
