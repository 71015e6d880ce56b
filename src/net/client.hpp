#pragma once
// A blocking HTTP/1.1 client with keep-alive, over TLS (certificates are not checked:
// Session nodes use self-signed ones; what they say is authenticated by signatures) or
// plain TCP. One connection per object; not thread-safe. Used by tests, tools and,
// later, by the client library's transport.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "base/result.hpp"
#include "net/http.hpp"

namespace sotto::net {

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port, bool tls, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Connections from this local address (an IP of this host; "" lets the system pick):
  // a node registers from the address it announces (docs/authority.md).
  void set_local_ip(std::string ip);

  // Connects on first use and again after the server closed the connection. Io errors
  // name what failed (connect, handshake, timeout, a closed connection).
  Result<HttpResponse> request(std::string_view method, std::string_view target, std::string_view body = {},
                               const std::vector<std::pair<std::string, std::string>>& headers = {});
  Result<HttpResponse> post(std::string_view target, std::string_view body) { return request("POST", target, body); }
  Result<HttpResponse> get(std::string_view target) { return request("GET", target); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::net
