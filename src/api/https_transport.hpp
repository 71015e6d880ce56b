#pragma once
// client::Transport over HTTPS (libsotto's own transport): a keep-alive HttpClient per node address, dropped after a
// failure. Not thread-safe (the client library sends one request at a time per object).

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "client/transport.hpp"

namespace sotto::net {
class HttpClient;
}

namespace sotto::api {


class HttpsTransport final : public client::Transport {
 public:
  explicit HttpsTransport(std::chrono::milliseconds timeout = std::chrono::seconds(35));
  ~HttpsTransport() override;
  Result<client::TransportReply> post(const std::string& host, std::uint16_t port, std::string_view target, std::string_view body) override;
  Result<client::TransportReply> get(const std::string& host, std::uint16_t port, std::string_view target) override;

 private:
  net::HttpClient& client(const std::string& host, std::uint16_t port);
  std::chrono::milliseconds timeout_;
  std::map<std::string, std::unique_ptr<net::HttpClient>> clients_;  // by host:port
};

}  // namespace sotto::api
