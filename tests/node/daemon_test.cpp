// The real sotto-node binary on a free loopback port, spoken to over HTTPS as a Session
// client would.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/clock.hpp"
#include "crypto/account_id.hpp"
#include "net/client.hpp"
#include "onion/layer.hpp"
#include "onion/request.hpp"
#include "proto/signed_strings.hpp"
#include "support/account.hpp"
#include "support/hostile.hpp"
#include "support/process.hpp"

namespace sotto {
namespace {

using nlohmann::json;

struct Running {
  std::unique_ptr<test::Daemon> d;
  json ready;
  std::uint16_t port = 0, admin = 0;
  explicit Running(const std::string& data_dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--data-dir", data_dir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                                  "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    d = std::make_unique<test::Daemon>(SOTTO_NODE_BIN, args);
    std::string line = d->read_line(15'000);
    if (line.empty()) throw std::runtime_error("sotto-node did not start");
    ready = json::parse(line);
    auto port_of = [](const std::string& hp) { return static_cast<std::uint16_t>(std::stoi(hp.substr(hp.rfind(':') + 1))); };
    port = port_of(ready["listen"]);
    admin = port_of(ready["admin"]);
  }
};

struct Account : test::TestAccount {
  using TestAccount::TestAccount;
  json retrieve(std::int64_t now, const std::string& last_hash = "") const {
    return {{"method", "retrieve"},
            {"params", {{"pubkey", id}, {"pubkey_ed25519", keys.ed25519_public().hex()}, {"namespace", 0},
                        {"timestamp", now}, {"signature", sign(proto::signed_retrieve(0, now))}, {"last_hash", last_hash}}}};
  }
};

json store_req(const std::string& to, const std::string& data, std::int64_t now) {
  return {{"method", "store"},
          {"params", {{"pubkey", to}, {"timestamp", now}, {"ttl", 86'400'000}, {"data", base::to_base64(as_bytes(data))}}}};
}

std::int64_t now_ms() { return base::SystemClock().now_ms(); }

// Every hash retrievable for `a`, paging through the mailbox.
std::set<std::string> all_hashes(net::HttpClient& c, const Account& a) {
  std::set<std::string> out;
  std::string last;
  for (int page = 0; page < 1000; ++page) {
    auto r = c.post("/storage_rpc/v1", a.retrieve(now_ms(), last).dump());
    if (!r || r->status != 200) throw std::runtime_error("retrieve failed");
    json body = json::parse(r->body);
    for (const auto& m : body["messages"]) out.insert(m["hash"].get<std::string>()), last = m["hash"];
    if (!body["more"].get<bool>()) break;
  }
  return out;
}

TEST(Daemon, ServesSessionsRpcOverHttpsAndKeepsMessagesAcrossRestarts) {
  test::TempDir tmp;
  Account bob(1);
  std::string hash, ed;
  {
    Running n(tmp.sub("node"));
    ed = n.ready["pubkey_ed25519"];
    net::HttpClient c("127.0.0.1", n.port, true);
    auto info = c.post("/storage_rpc/v1", R"({"method":"info","params":{}})");
    ASSERT_TRUE(info) << info.error().message();
    EXPECT_EQ(info->status, 200);
    auto s = c.post("/storage_rpc/v1", store_req(bob.id, "kept across restarts", now_ms()).dump());
    ASSERT_TRUE(s);
    ASSERT_EQ(s->status, 200) << s->body;
    hash = json::parse(s->body)["hash"];
    EXPECT_EQ(all_hashes(c, bob), std::set<std::string>{hash});
    // The keys on disk and their directory are private.
    for (const char* f : {"node/node.key", "node/tls.key", "node"}) {
      struct stat st{};
      ASSERT_EQ(::stat(tmp.sub(f).c_str(), &st), 0) << f;
      EXPECT_EQ(st.st_mode & 077, 0u) << f;
    }
    n.d->signal(SIGTERM);
    EXPECT_EQ(n.d->wait(), 0);  // a clean shutdown
  }
  Running again(tmp.sub("node"));
  EXPECT_EQ(again.ready["pubkey_ed25519"], ed);  // the same identity
  net::HttpClient c("127.0.0.1", again.port, true);
  EXPECT_EQ(all_hashes(c, bob), std::set<std::string>{hash});
}

TEST(Daemon, PingTestProvesTheKeyAndMetricsAreServed) {
  test::TempDir tmp;
  Running n(tmp.sub("node"));
  net::HttpClient c("127.0.0.1", n.port, true);
  EXPECT_EQ(c.post("/ping_test/v1", "short")->status, 400);  // not a signing oracle
  auto p = c.post("/ping_test/v1", "nonce-0123456789abcdef");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 200);
  std::string sig_b64, key_b64;
  for (auto& [k, v] : p->headers) {
    if (k == "X-Sotto-Ping-Signature") sig_b64 = v;
    if (k == "X-Oxen-Snode-Pubkey") key_b64 = v;
  }
  auto key = crypto::Ed25519Public::from_hex(n.ready["pubkey_ed25519"].get<std::string>());
  ASSERT_TRUE(key);
  EXPECT_EQ(key_b64, base::to_base64(key->bytes));
  auto sig = base::from_base64(sig_b64);
  ASSERT_TRUE(sig && sig->size() == 64);
  crypto::Signature s;
  std::copy(sig->begin(), sig->end(), s.begin());
  EXPECT_TRUE(crypto::verify(s, as_bytes("sotto-ping-test-v1:nonce-0123456789abcdef"), *key));
  EXPECT_FALSE(crypto::verify(s, as_bytes("sotto-ping-test-v1:nonce-0123456789abcdee"), *key));

  ASSERT_EQ(c.post("/storage_rpc/v1", R"({"method":"info"})")->status, 200);
  net::HttpClient admin("127.0.0.1", n.admin, false);
  auto m = admin.get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("sotto_requests_total{method=\"info\",status=\"200\"} 1"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("sotto_messages_stored"), std::string::npos);
  EXPECT_EQ(c.get("/nothing/here")->status, 404);
}

TEST(Daemon, OversizeBodiesAndFloodsAreRefused) {
  test::TempDir tmp;
  std::ofstream(tmp.sub("node.toml")) << "[rate_limit]\nper_second = 0.01\nburst = 5\n";
  Running n(tmp.sub("node"), {"--config", tmp.sub("node.toml")});
  net::HttpClient c("127.0.0.1", n.port, true);
  // Refused: either a 413 reply, or the connection closed while the client still sends.
  auto big = c.post("/storage_rpc/v1", std::string(11 * 1024 * 1024, ' '));
  if (big) {
    EXPECT_EQ(big->status, 413);
  }
  net::HttpClient d("127.0.0.1", n.port, true);
  int ok = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = d.post("/storage_rpc/v1", R"({"method":"info"})");
    ASSERT_TRUE(r);
    (r->status == 429 ? limited : ok)++;
  }
  EXPECT_EQ(ok, 5);  // the burst; one more token takes 100 s
  EXPECT_EQ(limited, 15);
}

TEST(Daemon, AWildcardListenNeedsAPublicIp) {
  test::TempDir tmp;
  auto r = test::run_process(SOTTO_NODE_BIN, {"--data-dir", tmp.sub("n"), "--listen", "0.0.0.0:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("public_ip"), std::string::npos) << r.err;
}

TEST(Daemon, BadConfigurationIsACleanError) {
  test::TempDir tmp;
  std::ofstream(tmp.sub("bad.toml")) << "listn = \"127.0.0.1:1\"\n";
  auto r = test::run_process(SOTTO_NODE_BIN, {"--data-dir", tmp.sub("n"), "--config", tmp.sub("bad.toml")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown key 'listn'"), std::string::npos) << r.err;
  auto port = test::run_process(SOTTO_NODE_BIN, {"--data-dir", tmp.sub("n"), "--listen", "127.0.0.1:99999"});
  EXPECT_EQ(port.exit_code, 2);
  EXPECT_NE(port.err.find("not a port number"), std::string::npos) << port.err;
}

// Stores at full speed from several connections, SIGKILL mid-load, restart: every store
// that was answered 200 must be there. (A SIGKILL keeps the OS page cache, so this shows
// that no store is answered before its COMMIT; that a COMMIT reaches the disk is
// SQLite's synchronous=FULL, set when the store opens.)
TEST(Daemon, NothingAcknowledgedIsLostWhenKilled) {
  test::TempDir tmp;
  Account bob(7);
  std::set<std::string> acked;
  std::mutex mu;
  {
    Running n(tmp.sub("node"));
    std::atomic<bool> go{true};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w)
      writers.emplace_back([&, w] {
        // A slow commit on a busy disk must not end the load before the kill: a long timeout,
        // and an error only ends a writer once the node has been killed.
        net::HttpClient c("127.0.0.1", n.port, true, std::chrono::seconds(30));
        for (int i = 0; go; ++i) {
          auto r = c.post("/storage_rpc/v1", store_req(bob.id, "w" + std::to_string(w) + "-" + std::to_string(i), now_ms()).dump());
          if (!r) {
            if (!go) break;  // the node is gone
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
          }
          if (r->status == 200) {
            std::lock_guard lock(mu);
            acked.insert(json::parse(r->body)["hash"].get<std::string>());
          }
        }
      });
    // Kill once enough stores were acknowledged (or after 20 s, whichever is first).
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu);
        if (acked.size() >= 300) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    n.d->signal(SIGKILL);
    EXPECT_EQ(n.d->wait(), 128 + SIGKILL);
    go = false;
    for (auto& t : writers) t.join();
  }
  ASSERT_GT(acked.size(), 50u);  // the load really ran
  std::cout << "[ info ] " << acked.size() << " stores acknowledged before SIGKILL\n";
  Running again(tmp.sub("node"));
  net::HttpClient c("127.0.0.1", again.port, true);
  auto have = all_hashes(c, bob);
  std::size_t missing = 0;
  for (const auto& h : acked) missing += have.count(h);
  missing = acked.size() - missing;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged stores";
}

// sotto's long-poll extension over HTTPS: a retrieve with `wait` is answered as soon as a
// message for the account is stored (from another connection), long before its wait is up;
// one that nothing wakes answers empty when its time is up; a stopping node answers the
// ones still waiting instead of leaving them hanging.
TEST(Daemon, ARetrieveThatWaitsIsWokenByAStore) {
  test::TempDir tmp;
  Running n(tmp.sub("node"));
  Account bob(7);
  auto waiting = [&](int wait_s) {
    json req = bob.retrieve(now_ms());
    req["params"]["wait"] = wait_s;
    return req.dump();
  };
  // Woken: the client gives up after 15 s, the wait is 25 s, the store comes at once.
  std::optional<Result<net::HttpResponse>> got;
  std::thread poller([&] {
    net::HttpClient c("127.0.0.1", n.port, true, std::chrono::seconds(15));
    got = c.post("/storage_rpc/v1", waiting(25));
  });
  // Until the node holds it (its metrics count it), then the store.
  net::HttpClient admin("127.0.0.1", n.admin, false);
  auto held = [&] {
    for (int i = 0; i < 200; ++i) {
      auto m = admin.get("/metrics");
      if (m && m->body.find("sotto_long_polls_waiting 1\n") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  ASSERT_TRUE(held());
  net::HttpClient c("127.0.0.1", n.port, true);
  auto s = c.post("/storage_rpc/v1", store_req(bob.id, "wake up", now_ms()).dump());
  ASSERT_TRUE(s && s->status == 200);
  std::string hash = json::parse(s->body)["hash"];
  poller.join();
  ASSERT_TRUE(got && *got) << (got && !*got ? got->error().message() : "no answer");
  ASSERT_EQ((*got)->status, 200) << (*got)->body;
  json body = json::parse((*got)->body);
  ASSERT_EQ(body["messages"].size(), 1u);
  EXPECT_EQ(body["messages"][0]["hash"], hash);

  // Nothing arrives: after its 1 s, an empty answer.
  json req = json::parse(waiting(1));
  req["params"]["last_hash"] = hash;
  auto empty = c.post("/storage_rpc/v1", req.dump());
  ASSERT_TRUE(empty && empty->status == 200);
  EXPECT_TRUE(json::parse(empty->body)["messages"].empty());

  // Stopping: the waiting retrieve is answered (empty), and the node exits cleanly.
  std::optional<Result<net::HttpResponse>> at_stop;
  std::thread stopper_poll([&] {
    net::HttpClient c2("127.0.0.1", n.port, true, std::chrono::seconds(20));
    json r2 = json::parse(waiting(25));
    r2["params"]["last_hash"] = hash;
    at_stop = c2.post("/storage_rpc/v1", r2.dump());
  });
  ASSERT_TRUE(held());
  n.d->signal(SIGTERM);
  stopper_poll.join();
  ASSERT_TRUE(at_stop && *at_stop) << (at_stop && !*at_stop ? at_stop->error().message() : "no answer");
  EXPECT_EQ((*at_stop)->status, 200);
  EXPECT_EQ(n.d->wait(), 0);
}

}  // namespace
}  // namespace sotto

namespace sotto {
namespace {

// Issue 19: one unauthenticated request (`expire` with 100,000 nested `[`) killed a node.
// The real binary now takes a MiB of nesting in every field of every storage RPC method
// straight over HTTPS, and 200 KiB in each through an onion layer (the most one may
// carry), answers each with a 4xx, and still stores and retrieves afterwards.
TEST(Daemon, NestingInEveryFieldOfEveryMethodIsRefusedDirectlyAndByOnion) {
  test::TempDir tmp;
  std::ofstream(tmp.sub("node.toml")) << "[rate_limit]\nper_second = 0\n";  // hundreds of requests from one address
  Running n(tmp.sub("node"), {"--config", tmp.sub("node.toml")});
  Account a(3);
  net::HttpClient c("127.0.0.1", n.port, true, std::chrono::seconds(60));
  auto dest_ed = crypto::Ed25519Public::from_hex(n.ready["pubkey_ed25519"].get<std::string>());
  auto dest_x = crypto::X25519Public::from_hex(n.ready["pubkey_x25519"].get<std::string>());
  ASSERT_TRUE(dest_ed && dest_x);
  const onion::HopNode dest{*dest_ed, *dest_x};
  base::SeededRng rng(19);
  // Through an onion layer: the request sealed for the node as its destination; the
  // node's answer comes back sealed, status inside.
  auto by_onion = [&](const std::string& payload, std::string_view control = onion::kDestinationControl) -> std::pair<int, int> {
    auto built = onion::build_request({}, dest, payload, onion::EncType::XChaCha20, rng, control);
    if (!built) return {0, 0};
    auto r = c.post("/onion_req/v2", std::string(as_chars(built->guard_body)));
    if (!r) return {0, 0};
    if (r->status != 200) return {r->status, 0};
    auto opened = onion::open_reply(*built, r->body);
    return {200, opened ? opened->status : -1};
  };
  const std::string direct_bomb = test::nesting_bomb(1 << 20), onion_bomb = test::nesting_bomb(200 << 10);
  const std::string direct_wide = test::wide_bomb(256 << 10), onion_wide = test::wide_bomb(100 << 10);
  int sent = 0;
  for (const auto& [method, params] : test::every_storage_rpc_method(a, now_ms())) {
    for (const auto& field : test::bomb_fields(method, params)) {
      for (const auto* bomb : {&direct_bomb, &direct_wide}) {
        auto r = c.post("/storage_rpc/v1", test::with_bomb(method, params, field, *bomb));
        ASSERT_TRUE(r) << method << "." << field << ": the node did not answer: " << r.error().message();
        bool batch = r->status == 200 && (method == "batch" || method == "sequence");
        int status = batch ? json::parse(r->body)["results"][0]["code"].get<int>() : r->status;
        EXPECT_TRUE(status >= 400 && status < 500) << method << "." << field << ": " << r->status << " " << r->body.substr(0, 200);
      }
      for (const auto* bomb : {&onion_bomb, &onion_wide}) {
        auto [http, inner] = by_onion(test::with_bomb(method, params, field, *bomb));
        ASSERT_EQ(http, 200) << method << "." << field << " by onion";
        if (method != "batch" && method != "sequence") {
          EXPECT_TRUE(inner >= 400 && inner < 500) << method << "." << field << ": " << inner;
        }
      }
      sent += 4;
    }
  }
  // The layer's own JSON: nesting in the destination's control object is read without
  // recursion (and ignored: the request inside is run), and in the outer header it is
  // refused in plain text.
  auto [http, inner] = by_onion(R"({"method":"info","params":{}})", R"({"headers":)" + onion_bomb + "}");
  EXPECT_EQ(http, 200);
  EXPECT_EQ(inner, 200);
  Bytes frame = onion::join_layer(as_bytes(std::string(64, 'x')), R"({"ephemeral_key":)" + onion_bomb + R"(,"enc_type":"xchacha20"})");
  auto outer = c.post("/onion_req/v2", std::string(as_chars(frame)));
  ASSERT_TRUE(outer);
  EXPECT_EQ(outer->status, 400);
  EXPECT_GT(sent, 300);

  // Still serving: a store and its retrieve.
  auto stored = c.post("/storage_rpc/v1", store_req(a.id, "after the attack", now_ms()).dump());
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, 200) << stored->body;
  EXPECT_EQ(all_hashes(c, a).size(), 1u);
}

}  // namespace
}  // namespace sotto
