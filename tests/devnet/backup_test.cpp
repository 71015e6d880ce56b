// Encrypted backups on a devnet (docs/wire/backup.md), through the CLI as a user runs it:
// an account with 3 contacts and 2,000 messages over 3 conversations backs up; a new
// device restored from the recovery phrase alone holds the same contacts, conversations
// and messages, field by field; a second backup after 10 new messages uploads only the
// chunks that changed; another account can neither read, write nor delete the backup
// namespace; a node's quota stops a backup with a clear error.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "client/backup.hpp"
#include "client/local_store.hpp"
#include "client/profile.hpp"
#include "crypto/account_id.hpp"
#include "crypto/hash.hpp"
#include "devnet/devnet_fixture.hpp"
#include "proto/signed_strings.hpp"

namespace sotto {
namespace {

using nlohmann::json;

std::vector<client::StoredMessage> conversation(const std::string& peer, int n, int from = 0) {
  std::vector<client::StoredMessage> out;
  for (int i = from; i < from + n; ++i) {
    client::StoredMessage m;
    m.peer = peer;
    m.direction = i % 3 == 0 ? client::Direction::Outgoing : client::Direction::Incoming;
    m.body = "message " + std::to_string(i) + " with " + peer.substr(0, 8) + (i % 50 == 0 ? " — ünïcödé ✓" : "");
    m.timestamp_ms = 1'790'000'000'000 + i * 1000;
    m.local_ms = m.timestamp_ms + 7;
    m.hash = base::to_base64(crypto::blake2b_256(as_bytes(peer + std::to_string(i))), base::Padding::No);
    m.state = m.direction == client::Direction::Outgoing ? client::DeliveryState::Sent : client::DeliveryState::Received;
    m.confirmations = m.direction == client::Direction::Outgoing ? 6 : 0;
    m.swarm_size = m.confirmations;
    out.push_back(std::move(m));
  }
  return out;
}

struct Cli {
  std::string dir;
  test::ProcessResult run(const std::string& profile, std::vector<std::string> args, const std::string& in = {}) {
    args.insert(args.begin(), {"--profile", dir + "/" + profile});
    return test::run_process(SOTTO_CLI_BIN, args, in);
  }
};

TEST(Backup, APhraseAloneBringsBackTheWholeHistory) {
  devnet::Devnet dn;
  Cli cli{dn.tmp.path()};
  std::string net = dn.dir + "/network.json";
  auto init = cli.run("alice", {"init", "--json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  json id = json::parse(init.out);
  std::string alice = id["session_id"], phrase = id["recovery_phrase"];
  std::vector<std::string> peers;
  for (int c = 0; c < 3; ++c) {
    peers.push_back("05" + std::string(62, 'c') + "0" + std::to_string(c));
    ASSERT_EQ(cli.run("alice", {"contacts", "add", peers.back(), "friend" + std::to_string(c)}).exit_code, 0);
  }
  ASSERT_EQ(cli.run("alice", {"contacts", "block", "friend2"}).exit_code, 0);
  {
    auto store = std::move(*client::LocalStore::open(dn.tmp.sub("alice")));
    std::vector<client::StoredMessage> all;
    for (int c = 0; c < 3; ++c)
      for (auto& m : conversation(peers[static_cast<std::size_t>(c)], c == 0 ? 1000 : 500)) all.push_back(std::move(m));
    ASSERT_EQ(*store->import({}, {}, all), 2000u);
  }
  auto first = cli.run("alice", {"--json", "backup", "now", "--network", net});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  json b1 = json::parse(first.out);
  EXPECT_EQ(b1["messages"], 2000);
  EXPECT_EQ(b1["contacts"], 3);
  EXPECT_EQ(b1["chunks"], 1 + 4 + 2 + 2);  // meta; 1000 = 4 blocks of 256; 500 = 2; 500 = 2
  EXPECT_EQ(b1["new_chunks"], b1["chunks"]);

  // A new device: the phrase alone, and the network.
  auto restored = cli.run("phone", {"--json", "restore", "--network", net}, phrase + "\n");
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto lines = restored.out.substr(restored.out.find('\n') + 1);  // after the account line
  json r = json::parse(lines);
  EXPECT_EQ(r["messages"], 2000);
  EXPECT_EQ(r["added"], 2000);
  auto a = std::move(*client::LocalStore::open(dn.tmp.sub("alice")));
  auto p = std::move(*client::LocalStore::open(dn.tmp.sub("phone")));
  auto ma = *a->all_messages(), mp = *p->all_messages();
  ASSERT_EQ(mp.size(), ma.size());
  for (std::size_t i = 0; i < ma.size(); ++i) {
    EXPECT_EQ(mp[i].peer, ma[i].peer);
    EXPECT_EQ(mp[i].direction, ma[i].direction);
    EXPECT_EQ(mp[i].body, ma[i].body);
    EXPECT_EQ(mp[i].timestamp_ms, ma[i].timestamp_ms);
    EXPECT_EQ(mp[i].local_ms, ma[i].local_ms);
    EXPECT_EQ(mp[i].hash, ma[i].hash);
    EXPECT_EQ(mp[i].state, ma[i].state);
    EXPECT_EQ(mp[i].confirmations, ma[i].confirmations);
    EXPECT_EQ(mp[i].swarm_size, ma[i].swarm_size);
    EXPECT_EQ(mp[i].expires_ms, ma[i].expires_ms);
  }
  auto ca = *a->contacts(), cp = *p->contacts();
  ASSERT_EQ(cp.size(), 3u);
  for (std::size_t i = 0; i < ca.size(); ++i) {
    EXPECT_EQ(cp[i].account, ca[i].account);
    EXPECT_EQ(cp[i].nickname, ca[i].nickname);
    EXPECT_EQ(cp[i].blocked, ca[i].blocked);
  }
  EXPECT_EQ(*p->conversations(), *a->conversations());

  // 10 new messages in one conversation: only the meta chunk and its last block go up.
  ASSERT_EQ(*a->import({}, {}, conversation(peers[1], 10, 500)), 10u);
  auto second = cli.run("alice", {"--json", "backup", "now"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  json b2 = json::parse(second.out);
  EXPECT_EQ(b2["new_chunks"], 2);
  EXPECT_LT(b2["new_bytes"].get<std::int64_t>() * 4, b2["bytes"].get<std::int64_t>());
  auto status = cli.run("alice", {"--json", "backup", "status"});
  ASSERT_EQ(status.exit_code, 0);
  EXPECT_EQ(json::parse(status.out)["last"]["seq"], 2);

  // Another account: 401 on the backup namespace, for reading, writing and deleting.
  auto eve_keys = crypto::Keypair::generate(*std::make_unique<base::SystemRng>());
  auto keys = client::Profile(dn.tmp.sub("alice")).load_keys(nullptr);
  auto addr = devnet::addr_of(dn.state["nodes"][0]["url"]);
  auto [gs, swarm] = devnet::rpc(addr, {{"method", "get_swarm"}, {"params", {{"pubkey", alice}}}});
  ASSERT_EQ(gs, 200);
  devnet::Addr member{swarm["snodes"][0]["ip"], static_cast<std::uint16_t>(swarm["snodes"][0]["port_https"].get<int>())};
  std::int64_t ts = devnet::now_ms();
  auto eve_sign = [&](const std::string& text) { return base::to_base64(crypto::sign(eve_keys.ed25519_secret(), as_bytes(text))); };
  auto [rs, rb] = devnet::rpc(member, {{"method", "retrieve"},
                                       {"params", {{"pubkey", alice}, {"namespace", 31}, {"timestamp", ts}, {"pubkey_ed25519", eve_keys.ed25519_public().hex()},
                                                   {"signature", eve_sign(proto::signed_retrieve(31, ts))}}}});
  EXPECT_EQ(rs, 401) << rb.dump();
  auto [ss, sb] = devnet::rpc(member, {{"method", "store"},
                                       {"params", {{"pubkey", alice}, {"namespace", 31}, {"timestamp", ts}, {"ttl", 86'400'000},
                                                   {"data", base::to_base64(as_bytes("overwrite"))}, {"pubkey_ed25519", eve_keys.ed25519_public().hex()},
                                                   {"signature", eve_sign(proto::signed_store(31, ts))}}}});
  EXPECT_EQ(ss, 401) << sb.dump();
  // (The owner's own retrieve works, so the 401s are about the key, not the request.)
  auto [os, ob] = devnet::rpc(member, {{"method", "retrieve"},
                                       {"params", {{"pubkey", alice}, {"namespace", 31}, {"timestamp", ts}, {"pubkey_ed25519", keys->ed25519_public().hex()},
                                                   {"signature", base::to_base64(crypto::sign(keys->ed25519_secret(), as_bytes(proto::signed_retrieve(31, ts))))}}}});
  ASSERT_EQ(os, 200) << ob.dump();
  ASSERT_FALSE(ob["messages"].empty());
  std::vector<std::string> hashes{ob["messages"][0]["hash"].get<std::string>()};
  auto [ds, db] = devnet::rpc(member, {{"method", "delete"},
                                       {"params", {{"pubkey", alice}, {"messages", hashes}, {"pubkey_ed25519", eve_keys.ed25519_public().hex()},
                                                   {"signature", eve_sign(proto::signed_delete(hashes))}}}});
  EXPECT_EQ(ds, 401) << db.dump();

  // The owner deletes the manifests: the parts are there, no backup is intact. A restore
  // says so (backup_damaged, and that the account itself is restored), not "no backup".
  std::vector<std::string> manifests;
  for (const auto& m : ob["messages"]) {
    auto data = base::from_base64(m["data"].get<std::string>());
    if (data && client::backup::is_manifest(*data)) manifests.push_back(m["hash"]);
  }
  ASSERT_EQ(manifests.size(), 2u);  // backups 1 and 2
  auto [xs, xb] = devnet::rpc(member, {{"method", "delete"},
                                       {"params", {{"pubkey", alice}, {"messages", manifests}, {"pubkey_ed25519", keys->ed25519_public().hex()},
                                                   {"signature", base::to_base64(crypto::sign(keys->ed25519_secret(), as_bytes(proto::signed_delete(manifests))))}}}});
  ASSERT_EQ(xs, 200) << xb.dump();
  auto damaged = cli.run("tablet", {"--json", "restore", "--network", net}, phrase + "\n");
  EXPECT_NE(damaged.exit_code, 0) << damaged.out;
  EXPECT_NE(damaged.err.find("\"code\":\"backup_damaged\""), std::string::npos) << damaged.err;
  EXPECT_NE(damaged.err.find("the account itself is restored"), std::string::npos) << damaged.err;
}

TEST(Backup, ANodesQuotaStopsABackupWithAClearError) {
  devnet::Devnet dn("[limits]\nmax_account_bytes = 200000\n");
  Cli cli{dn.tmp.path()};
  auto init = cli.run("alice", {"init", "--json"});
  ASSERT_EQ(init.exit_code, 0);
  {
    auto store = std::move(*client::LocalStore::open(dn.tmp.sub("alice")));
    // Bodies that do not compress: about 1.2 MB of backup against a quota of 200 kB.
    std::vector<client::StoredMessage> all = conversation("05" + std::string(64, 'd'), 3000);
    for (auto& m : all) {
      Bytes noise;
      for (int k = 0; k < 10; ++k) {
        auto h = crypto::blake2b_256(as_bytes(m.hash + std::to_string(k)));
        noise.insert(noise.end(), h.begin(), h.end());
      }
      m.body = base::to_base64(noise);
    }
    ASSERT_TRUE(store->import({}, {}, all));
  }
  auto r = cli.run("alice", {"--json", "backup", "now", "--network", dn.dir + "/network.json"});
  EXPECT_EQ(r.exit_code, 1);
  json err = json::parse(r.err.substr(0, r.err.find('\n')));
  EXPECT_NE(err["error"].get<std::string>().find("backup"), std::string::npos) << r.err;
  EXPECT_NE(err["error"].get<std::string>().find("quota"), std::string::npos) << r.err;
}

// `sotto listen` makes an automatic backup between two batches (and keeps listening), as
// `sotto send` does after a message: both accounts end up with a backup of their own.
TEST(Backup, ListenAndSendBackUpAutomatically) {
  devnet::Devnet dn;
  Cli cli{dn.tmp.path()};
  std::string net = dn.dir + "/network.json";
  json a = json::parse(cli.run("alice", {"init", "--json"}).out);
  json b = json::parse(cli.run("bob", {"init", "--json"}).out);
  ASSERT_EQ(cli.run("bob", {"network", "use", net}).exit_code, 0);
  ASSERT_EQ(cli.run("alice", {"contacts", "add", b["session_id"], "bob"}).exit_code, 0);
  // Bob listens; "two" is sent only once he has shown "one", so the two come in separate
  // batches and he backs up between them (whatever the machine's speed).
  test::Daemon listener(SOTTO_CLI_BIN, {"--profile", cli.dir + "/bob", "listen", "--count", "2", "--timeout", "90"});
  auto first = cli.run("alice", {"send", "bob", "one", "--network", net});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string one = listener.read_line(60'000);
  EXPECT_NE(one.find("\"one\""), std::string::npos) << one;
  auto second = cli.run("alice", {"send", "bob", "two"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::string two = listener.read_line(60'000);
  EXPECT_NE(two.find("\"two\""), std::string::npos) << two;
  EXPECT_EQ(listener.wait(), 0);
  for (const char* who : {"alice", "bob"}) {
    auto st = cli.run(who, {"--json", "backup", "status"});
    ASSERT_EQ(st.exit_code, 0);
    EXPECT_TRUE(json::parse(st.out).contains("last")) << who << ": " << st.out;
  }
}

}  // namespace
}  // namespace sotto
