// AsyncClient against the real Server on 127.0.0.1 (TLS and plain TCP).

#include "net/async_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "net/server.hpp"
#include "net/tls_cert.hpp"

namespace sotto::net {
namespace {

using namespace std::chrono_literals;

// Collects callbacks; wait() until `n` have come.
struct Results {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<HttpResponse>> got;
  AsyncClient::Callback callback() {
    return [this](Result<HttpResponse> r) {
      std::lock_guard lock(mu);
      got.push_back(std::move(r));
      cv.notify_all();
    };
  }
  bool wait(std::size_t n, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, [&] { return got.size() >= n; });
  }
};

ServerConfig config(bool tls) {
  ServerConfig c;
  c.tls = tls;
  c.rate_per_second = 0;
  c.threads = 2;
  if (tls) {
    auto pem = make_self_signed_certificate("test");
    c.cert_pem = pem->cert;
    c.key_pem = pem->key;
  }
  return c;
}

Server echo_server(ServerConfig c) {
  return Server(std::move(c), [](HttpRequest req, Reply reply) { reply({200, "echo:" + req.body, "text/plain", {}}); });
}

std::unique_ptr<AsyncClient> client(std::uint16_t port, bool tls, std::size_t conns) {
  AsyncClientConfig c;
  c.port = port;
  c.tls = tls;
  c.connections = conns;
  c.timeout = 5s;
  auto r = AsyncClient::start(c);
  EXPECT_TRUE(r) << r.error().message();
  return std::move(*r);
}

TEST(AsyncClient, ManyRequestsOverFewConnectionsAllGetTheirOwnAnswer) {
  for (bool tls : {true, false}) {
    auto server = echo_server(config(tls));
    ASSERT_TRUE(server.start());
    auto c = client(server.port(), tls, 4);
    Results res;
    std::mutex mu;
    std::vector<std::pair<int, std::string>> answers;
    for (int i = 0; i < 200; ++i)
      c->post("/x", std::to_string(i), [&, i, cb = res.callback()](Result<HttpResponse> r) {
        {
          std::lock_guard lock(mu);
          answers.emplace_back(i, r ? r->body : r.error().message());
        }
        cb(std::move(r));
      });
    ASSERT_TRUE(res.wait(200));
    for (auto& [i, body] : answers) EXPECT_EQ(body, "echo:" + std::to_string(i)) << (tls ? "tls" : "plain");
    EXPECT_LE(server.stats().connections_open, 4u);
    c->stop();  // outstanding() drops only after each callback has returned
    EXPECT_EQ(c->outstanding(), 0u);
    server.stop();
  }
}

TEST(AsyncClient, AConnectionTheServerClosedWhileIdleIsReopenedOnce) {
  auto cfg = config(true);
  cfg.idle_timeout = 100ms;
  auto server = echo_server(cfg);
  ASSERT_TRUE(server.start());
  auto c = client(server.port(), true, 1);
  Results res;
  c->post("/x", "one", res.callback());
  ASSERT_TRUE(res.wait(1));
  std::this_thread::sleep_for(400ms);  // the server drops the kept-alive connection
  c->post("/x", "two", res.callback());
  ASSERT_TRUE(res.wait(2));
  ASSERT_TRUE(res.got[1]) << res.got[1].error().message();
  EXPECT_EQ(res.got[1]->body, "echo:two");
  server.stop();
}

TEST(AsyncClient, LargeBodiesBothWaysOverTlsArriveWhole) {
  for (bool tls : {true, false}) {
    Server server = echo_server(config(tls));
    ASSERT_TRUE(server.start());
    auto c = client(server.port(), tls, 4);
    std::atomic<int> done{0}, good{0};
    for (int i = 0; i < 12; ++i) {
      // Sizes on both sides of a TLS record (16 KiB) and of the server's one-buffer limit.
      std::string body(static_cast<std::size_t>(i) * 37'000 + 1, static_cast<char>('a' + i));
      c->post("/", body, [&, body](Result<HttpResponse> r) {
        if (r && r->status == 200 && r->body == "echo:" + body) ++good;
        ++done;
      });
    }
    for (int i = 0; i < 3000 && done < 12; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(good, 12) << (tls ? "over TLS" : "over TCP");
    c->stop();
    server.stop();
  }
}

TEST(AsyncClient, NobodyListeningIsAnErrorNamingTheAddress) {
  std::uint16_t port;
  {
    auto server = echo_server(config(false));
    ASSERT_TRUE(server.start());
    port = server.port();
    server.stop();
  }
  auto c = client(port, false, 2);
  Results res;
  c->post("/x", "a", res.callback());
  ASSERT_TRUE(res.wait(1));
  ASSERT_FALSE(res.got[0]);
  EXPECT_NE(res.got[0].error().message().find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << res.got[0].error().message();
}

TEST(AsyncClient, StopFailsWhatIsQueuedOrInFlightExactlyOnce) {
  std::mutex mu;
  std::vector<Reply> held;  // the server answers nothing until the test lets it
  Server server(config(false), [&](HttpRequest, Reply reply) {
    std::lock_guard lock(mu);
    held.push_back(std::move(reply));
  });
  ASSERT_TRUE(server.start());
  struct Release {  // on any exit, before the server: a held Reply keeps its threads
    std::mutex& mu;
    std::vector<Reply>& held;
    ~Release() {
      std::lock_guard lock(mu);
      held.clear();
    }
  } release{mu, held};
  auto c = client(server.port(), false, 2);
  Results res;
  for (int i = 0; i < 10; ++i) c->post("/x", "a", res.callback());
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(10ms);
    std::lock_guard lock(mu);
    if (held.size() == 2) break;
  }
  c->stop();
  ASSERT_TRUE(res.wait(10, 1s));
  for (auto& r : res.got) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), "the client stopped");
  }
  EXPECT_EQ(c->outstanding(), 0u);
  c->post("/x", "late", res.callback());  // after stop: fails at once
  ASSERT_EQ(res.got.size(), 11u);
  EXPECT_FALSE(res.got[10]);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(res.got.size(), 11u);  // nobody was called twice
  {
    std::lock_guard lock(mu);
    for (auto& r : held) r({200, "late", "text/plain", {}});
  }
}

TEST(AsyncClient, PostsRacingStopEachGetExactlyOneAnswer) {
  auto server = echo_server(config(false));
  ASSERT_TRUE(server.start());
  for (int round = 0; round < 5; ++round) {
    auto c = client(server.port(), false, 4);
    std::atomic<int> answered{0}, posted{0};
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t)
      posters.emplace_back([&] {
        for (int i = 0; i < 300; ++i) {
          ++posted;
          c->post("/x", "a", [&](Result<HttpResponse>) { ++answered; });
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(round * 3));
    c->stop();
    for (auto& t : posters) t.join();
    EXPECT_EQ(answered.load(), posted.load()) << "round " << round;  // none lost, none twice
    EXPECT_EQ(c->outstanding(), 0u);
  }
  server.stop();
}

TEST(AsyncClient, StopFromACallbackDoesNotWaitForItself) {
  auto server = echo_server(config(false));
  ASSERT_TRUE(server.start());
  auto c = client(server.port(), false, 1);
  Results res;
  c->post("/x", "a", [&, cb = res.callback()](Result<HttpResponse> r) {
    c->stop();
    cb(std::move(r));
  });
  ASSERT_TRUE(res.wait(1));
  EXPECT_TRUE(res.got[0]);
  c->post("/x", "b", res.callback());
  ASSERT_TRUE(res.wait(2));
  EXPECT_FALSE(res.got[1]);
  c.reset();
  server.stop();
}

TEST(AsyncClient, AHostNameIsRefused) {
  AsyncClientConfig c;
  c.host = "localhost";
  auto r = AsyncClient::start(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("IP address"), std::string::npos);
}

}  // namespace
}  // namespace sotto::net
