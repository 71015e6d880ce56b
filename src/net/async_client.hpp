#pragma once
// An asynchronous HTTP/1.1 client over TLS (certificates not checked, as HttpClient) or
// plain TCP: a pool of keep-alive connections to one server, driven by one thread of its
// own. Requests queue while every connection is busy and go out in order as connections
// free up. Used by load generators (one thread drives many connections) and, later, by
// node-to-node traffic. Asio and Beast stay in async_client.cpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "net/http.hpp"

namespace sotto::net {

struct AsyncClientConfig {
  std::string host = "127.0.0.1";  // an IP address (no name lookups on this path)
  std::uint16_t port = 0;
  bool tls = true;
  std::size_t connections = 8;
  std::chrono::milliseconds timeout{10'000};  // for each step: connect, handshake, write, read
  std::chrono::milliseconds connect_timeout{0};  // for connect and handshake, if > 0 (else `timeout`)
  std::string local_ip;  // connect from this address (empty: the system picks)
};

class AsyncClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;

  // Errors: Io when the host is not an IP address.
  static Result<std::unique_ptr<AsyncClient>> start(AsyncClientConfig config);
  ~AsyncClient();  // stop()
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  // Queues a POST. `done` runs once, on the client's thread, with the reply or an Io error
  // naming what failed. A kept-alive connection that the server closed before answering
  // anything is retried once on a fresh one; no other failure is retried (a POST may have
  // been processed). Thread-safe; callable from `done`. After stop(), `done` runs at once
  // with an error.
  void post(std::string target, std::string body, Callback done);
  // The same with extra request headers (name, value).
  void post(std::string target, std::string body, std::vector<std::pair<std::string, std::string>> headers, Callback done);

  // Fails what is queued or in flight ("the client stopped"), closes the connections and
  // joins the thread. Idempotent and thread-safe; from a callback it does not wait.
  void stop();

  // Requests queued or in flight (for callers that wait for the pool to drain).
  std::size_t outstanding() const;

 private:
  struct Impl;
  explicit AsyncClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::net
