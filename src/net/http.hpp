#pragma once
// HTTP requests and replies as plain data, so that nothing above net/ sees asio or beast.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sotto::net {

struct HttpRequest {
  std::string method;  // "POST", "GET", ...
  std::string target;  // "/storage_rpc/v1"
  std::string body;
  std::string remote_ip;  // the client's address (an IPv4-mapped IPv6 one as IPv4)
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Handlers answer through `reply`, from any thread, exactly once.
using Reply = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, Reply)>;

}  // namespace sotto::net
