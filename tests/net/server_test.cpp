// The Server's connection bounds and the replies it writes, on 127.0.0.1 over plain TCP.

#include "net/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <thread>

#include "net/client.hpp"

namespace sotto::net {
namespace {

using namespace std::chrono_literals;

TEST(Server, RefusesMoreConnectionsFromOneAddressThanItsBound) {
  ServerConfig c;
  c.tls = false;
  c.rate_per_second = 0;
  c.max_connections_per_ip = 2;
  Server server(c, [](HttpRequest, Reply reply) { reply({200, "ok", "text/plain", {}}); });
  ASSERT_TRUE(server.start());
  std::optional<HttpClient> a(std::in_place, "127.0.0.1", server.port(), false, 2s), b(std::in_place, "127.0.0.1", server.port(), false, 2s);
  ASSERT_TRUE(a->get("/"));  // both stay open (keep-alive)
  ASSERT_TRUE(b->get("/"));
  HttpClient third("127.0.0.1", server.port(), false, 2s);
  auto refused = third.get("/");
  EXPECT_FALSE(refused);
  EXPECT_EQ(server.stats().connections_refused, 1u);
  EXPECT_EQ(server.stats().connections_open, 2u);
  a.reset();  // one closes: room for another
  for (int i = 0; i < 1000 && server.stats().connections_open > 1; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_LE(server.stats().connections_open, 1u) << "the server did not see the close within 10 s";
  auto again = third.get("/");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->body, "ok");
  server.stop();
}

// A raw connection, to see the bytes the server writes.
class Raw {
 public:
  explicit Raw(std::uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Raw() { close(fd_); }
  bool ok() const { return ok_; }
  void send(std::string_view s) { ASSERT_EQ(::send(fd_, s.data(), s.size(), 0), static_cast<ssize_t>(s.size())); }
  // Everything until the server closes, or until `n` bytes came.
  std::string read(std::size_t n = SIZE_MAX) {
    std::string out;
    char buf[65536];
    while (out.size() < n) {
      ssize_t k = ::recv(fd_, buf, sizeof buf, 0);
      if (k <= 0) break;
      out.append(buf, static_cast<std::size_t>(k));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

Server echo_server(HttpHandler h) {
  ServerConfig c;
  c.tls = false;
  c.rate_per_second = 0;
  return Server(c, std::move(h));
}

TEST(Server, WritesTheHeadOfAReplyAsHttp11WithItsLength) {
  Server server = echo_server([](HttpRequest req, Reply reply) {
    reply({200, "got " + req.body, "text/plain", {{"X-A", "a"}, {"X-A", "b"}, {"content-type", "application/json"}, {"Content-Length", "999"}}});
  });
  ASSERT_TRUE(server.start());
  Raw c(server.port());
  ASSERT_TRUE(c.ok());
  // The head first, the body a moment later: the request completes on a second read.
  c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  c.send("hello");
  std::string r = c.read();
  EXPECT_EQ(r,
            "HTTP/1.1 200 OK\r\nServer: sotto-node\r\nContent-Type: application/json\r\nX-A: b\r\nConnection: close\r\n"
            "Content-Length: 9\r\n\r\ngot hello");
  server.stop();
}

TEST(Server, KeepsTheConnectionForTheNextRequestAndSends204WithoutALength) {
  Server server = echo_server([](HttpRequest req, Reply reply) {
    if (req.target == "/none") return reply({204, "not sent: a 204 has no body", "text/plain", {}});
    reply({404, "no", "text/plain", {}});
  });
  ASSERT_TRUE(server.start());
  Raw c(server.port());
  c.send("GET /none HTTP/1.1\r\nHost: a\r\n\r\nGET /other HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string first = "HTTP/1.1 204 No Content\r\nServer: sotto-node\r\nContent-Type: text/plain\r\n\r\n";
  std::string second = "HTTP/1.1 404 Not Found\r\nServer: sotto-node\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nno";
  EXPECT_EQ(c.read(first.size() + second.size()), first + second);
  server.stop();
}

TEST(Server, AMalformedHeaderFromAHandlerBecomesA500) {
  Server server = echo_server([](HttpRequest req, Reply reply) {
    if (req.target == "/split") return reply({200, "x", "text/plain", {{"X-Bad", "a\r\nSet-Cookie: y"}}});
    if (req.target == "/control") return reply({200, "x", "text/plain", {{"X-Bad", "a\x01b"}}});
    if (req.target == "/name") return reply({200, "x", "text/plain", {{"X Bad", "a"}}});
    if (req.target == "/status") return reply({1000, "x", "text/plain", {}});
    reply({200, "x", "text/plain", {{"X-Tab", "a\tb"}}});
  });
  ASSERT_TRUE(server.start());
  HttpClient c("127.0.0.1", server.port(), false, 2s);
  for (const char* t : {"/split", "/control", "/name", "/status"}) {
    auto r = c.get(t);
    ASSERT_TRUE(r) << t << ": " << r.error().message();
    EXPECT_EQ(r->status, 500) << t;
    for (const auto& [k, v] : r->headers) EXPECT_NE(k, "Set-Cookie");
  }
  auto ok = c.get("/tab");  // a tab is allowed in a value
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->status, 200);
  server.stop();
}

TEST(Server, AStatusBelow100IsWrittenWithThreeDigits) {
  // A relay passes on whatever status the next node gave, and Beast's client reads "042".
  Server server = echo_server([](HttpRequest, Reply reply) { reply({42, "odd", "text/plain", {}}); });
  ASSERT_TRUE(server.start());
  Raw c(server.port());
  c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(c.read().substr(0, 13), "HTTP/1.1 042 ");
  server.stop();
}

TEST(Server, LargeAndLaterRepliesArriveWhole) {
  std::string big(300'000, 'z');
  for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
  Server server = echo_server([&](HttpRequest req, Reply reply) {
    if (req.target == "/big") return reply({200, big, "application/octet-stream", {}});
    // Answered later, from another thread.
    std::thread([reply] {
      std::this_thread::sleep_for(20ms);
      reply({200, "later", "text/plain", {}});
    }).detach();
  });
  ASSERT_TRUE(server.start());
  HttpClient c("127.0.0.1", server.port(), false, 5s);
  for (int i = 0; i < 3; ++i) {
    auto r = c.get("/big");
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, big);
    auto l = c.get("/later");
    ASSERT_TRUE(l) << l.error().message();
    EXPECT_EQ(l->body, "later");
  }
  server.stop();
}

}  // namespace
}  // namespace sotto::net
