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
  std::chrono::milliseconds read_timeout{30'000};   // for one request, once it started
  std::chrono::milliseconds idle_timeout{60'000};   // between keep-alive requests
  std::size_t max_connections = 1'000;
  std::size_t max_connections_per_ip = 100;  // per IPv4 address or IPv6 /64; 0: no bound
  double rate_per_second = 300, rate_burst = 600;   // per IPv4 address or IPv6 /64; <= 0 turns it off
  // Requests the rate limit does not apply to (say, the network's other nodes on the
  // node-to-node endpoints): called on the server's threads with the client's IP (IPv4
  // unmapped) and the request target; may be empty.
  std::function<bool(const std::string& ip, const std::string& target)> rate_exempt;
  int threads = 1;
};

struct ServerStats {
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;  // over max_connections or max_connections_per_ip
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
