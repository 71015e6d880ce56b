// The Server's connection bounds and the replies it writes, on 127.0.0.1 over plain TCP.

#include "net/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
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

// A raw connection, to see the bytes the server writes; from `from` (any 127.x address
// is this host's) when given.
class Raw {
 public:
  explicit Raw(std::uint16_t port, const char* from = nullptr) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (from) {
      sockaddr_in src{};
      src.sin_family = AF_INET;
      inet_pton(AF_INET, from, &src.sin_addr);
      EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src), 0);
    }
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
  void send(std::string_view s) { ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size())); }
  // The same where the server may have closed the connection already.
  bool try_send(std::string_view s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }
  // Until what came ends with `end` (one whole reply), or the server closes.
  std::string read_reply(std::string_view end) {
    std::string out;
    char buf[4096];
    while (!out.ends_with(end)) {
      ssize_t k = ::recv(fd_, buf, sizeof buf, 0);
      if (k <= 0) break;
      out.append(buf, static_cast<std::size_t>(k));
    }
    return out;
  }
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

// Plain TCP, no rate limit: the bounds under test alone.
ServerConfig plain() {
  ServerConfig c;
  c.tls = false;
  c.rate_per_second = 0;
  return c;
}

// A server that answers every request 200 "ok".
HttpHandler ok() {
  return [](HttpRequest, Reply reply) { reply({200, "ok", "text/plain", {}}); };
}

// One request on a raw connection: the status line's code, or "" when the server closed it.
std::string status_of(Raw& r) {
  if (!r.try_send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")) return "";
  std::string got = r.read_reply("\r\n\r\nok");
  return got.size() >= 12 ? got.substr(9, 3) : "";
}

// Slowloris: a connection that sends no header, or only part of one, is closed at the
// header deadline; one that sends its request in time is served and kept.
TEST(Server, ANewConnectionMustSendItsHeaderBeforeTheDeadline) {
  ServerConfig c = plain();
  c.header_timeout = 300ms;
  Server server(c, ok());
  ASSERT_TRUE(server.start());
  Raw silent(server.port()), trickle(server.port()), prompt(server.port());
  trickle.send("GET / HTTP/1.1\r\nHost:");
  EXPECT_EQ(status_of(prompt), "200");
  EXPECT_EQ(silent.read(), "");   // closed by the server (the read would wait 5 s otherwise)
  EXPECT_EQ(trickle.read(), "");
  for (int i = 0; i < 500 && server.stats().connections_open > 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.stats().header_timeouts, 2u);
  EXPECT_EQ(server.stats().connections_open, 1u);  // the prompt one, kept alive
  std::this_thread::sleep_for(400ms);  // past the header deadline: a kept connection has the idle timeout
  EXPECT_EQ(status_of(prompt), "200");
  server.stop();
}

// Many addresses of one /24 together hold at most max_connections_per_net; another /24
// still gets in.
TEST(Server, OneNetworkHoldsAtMostItsShareOfConnections) {
  ServerConfig c = plain();
  c.max_connections_per_ip = 2;
  c.max_connections_per_net = 3;
  Server server(c, ok());
  ASSERT_TRUE(server.start());
  Raw a(server.port(), "127.0.3.1"), b(server.port(), "127.0.3.2"), d(server.port(), "127.0.3.3");
  EXPECT_EQ(status_of(a), "200");
  EXPECT_EQ(status_of(b), "200");
  EXPECT_EQ(status_of(d), "200");
  Raw e(server.port(), "127.0.3.4");
  EXPECT_EQ(status_of(e), "");  // a fourth address of the same /24
  Raw other(server.port(), "127.0.4.1");
  EXPECT_EQ(status_of(other), "200");
  EXPECT_EQ(server.stats().connections_refused, 1u);
  server.stop();
}

// A flood that fills every slot it may take leaves the reserved ones to the network's own
// nodes, which also skip the per-address and per-net caps.
TEST(Server, ReservedSlotsAreLeftForTrustedAddresses) {
  ServerConfig c = plain();
  c.max_connections = 4;
  c.reserved_connections = 2;
  c.max_connections_per_ip = 1;
  c.trusted = [](const std::string& ip) { return ip == "127.0.9.9"; };
  Server server(c, ok());
  ASSERT_TRUE(server.start());
  Raw f1(server.port(), "127.0.5.1"), f2(server.port(), "127.0.6.1");
  EXPECT_EQ(status_of(f1), "200");
  EXPECT_EQ(status_of(f2), "200");
  Raw f3(server.port(), "127.0.7.1");
  EXPECT_EQ(status_of(f3), "");  // the untrusted share is full
  Raw t1(server.port(), "127.0.9.9"), t2(server.port(), "127.0.9.9");  // two from one address: no per-address cap
  EXPECT_EQ(status_of(t1), "200");
  EXPECT_EQ(status_of(t2), "200");
  Raw t3(server.port(), "127.0.9.9");
  EXPECT_EQ(status_of(t3), "");  // max_connections is the bound for everyone
  server.stop();
}

// Idle connections held from one address cannot keep a new client out: when the server is
// full, an idle connection of the address holding the most is closed to let a lighter one
// in, until the two hold about as many.
TEST(Server, WhenFullTheHeaviestAddressMakesRoomForANewOne) {
  ServerConfig c = plain();
  c.max_connections = 4;
  c.max_connections_per_ip = 10;
  c.max_connections_per_net = 10;
  Server server(c, ok());
  ASSERT_TRUE(server.start());
  std::vector<std::unique_ptr<Raw>> flood;
  for (int i = 0; i < 4; ++i) {
    flood.push_back(std::make_unique<Raw>(server.port(), "127.0.8.1"));
    ASSERT_EQ(status_of(*flood.back()), "200");  // then idle, kept alive
  }
  Raw n1(server.port(), "127.0.10.1");
  EXPECT_EQ(status_of(n1), "200");
  Raw n2(server.port(), "127.0.10.1");
  EXPECT_EQ(status_of(n2), "200");
  EXPECT_EQ(server.stats().evicted, 2u);
  for (int i = 0; i < 500 && server.stats().connections_open > 4; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.stats().connections_open, 4u);
  Raw n3(server.port(), "127.0.10.1");  // two and two now: no more room is made
  EXPECT_EQ(status_of(n3), "");
  EXPECT_EQ(server.stats().evicted, 2u);
  std::size_t closed = 0;
  for (auto& f : flood) closed += status_of(*f).empty();
  EXPECT_EQ(closed, 2u);  // the flood lost two of its four
  server.stop();
}

}  // namespace
}  // namespace sotto::net
