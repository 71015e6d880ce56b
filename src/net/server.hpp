#pragma once
// An HTTP/1.1 server over TLS (or plain TCP for the admin port): keep-alive, a request
// size limit, read and idle timeouts, a bound on concurrent connections and per-IP rate
// limiting. Boost.Beast lives in server.cpp only. start() and stop() from one thread;
// handlers run on the server's threads.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "net/http.hpp"

namespace sotto::net {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: pick a free port (see Server::port())
  bool tls = true;
  std::string cert_pem, key_pem;  // PEM text, when tls
  std::size_t max_body = 10 * 1024 * 1024;
  // A new connection's TLS handshake and first request header must be in by then (a client
  // that trickles its header holds no slot for long).
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds read_timeout{30'000};   // for one request's body, once its header is in
  std::chrono::milliseconds idle_timeout{60'000};   // between keep-alive requests
  std::size_t max_connections = 1'000;
  std::size_t max_connections_per_ip = 100;   // per IPv4 address or IPv6 /64; 0: no bound
  std::size_t max_connections_per_net = 200;  // per IPv4 /24 or IPv6 /48; 0: no bound
  // Connections from `trusted` addresses (the network's nodes and authorities) skip the
  // per-address and per-net bounds, and only they may take the last `reserved_connections`
  // of max_connections: a flood of idle connections cannot cut a node off from its swarm
  // or fail the authorities' tests. Called on the server's threads with the client's IP
  // (IPv4 unmapped); may be empty (nobody is trusted).
  // When the untrusted share is full, an idle connection of the address holding the most
  // is closed to let a new address in (when that address holds at least two more).
  std::size_t reserved_connections = 0;
  std::function<bool(const std::string& ip)> trusted;
  double rate_per_second = 300, rate_burst = 600;   // per IPv4 address or IPv6 /64; <= 0 turns it off
  // Requests the rate limit does not apply to (say, the network's other nodes on the
  // node-to-node endpoints): called on the server's threads with the client's IP (IPv4
  // unmapped) and the request target; may be empty.
  std::function<bool(const std::string& ip, const std::string& target)> rate_exempt;
  int threads = 1;
};

struct ServerStats {
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;  // over max_connections, per address or per net
  std::uint64_t header_timeouts = 0;      // new connections closed before their first header was in
  std::uint64_t evicted = 0;              // idle connections closed to make room for another address's
  std::uint64_t rate_limited = 0;
  std::uint64_t too_large = 0;
};

class Server {
 public:
  Server(ServerConfig config, HttpHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Errors name the address.
  Result<void> start();
  // The same in two steps: listen() binds (port() is known after it) and run() starts
  // accepting, so that what the handler needs can be set up in between.
  Result<void> listen();
  void run();
  // The bound port (after start).
  std::uint16_t port() const;
  // Stops accepting, lets in-flight requests finish and their replies go out, closes
  // idle connections, and joins the threads.
  void stop();
  ServerStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::net
