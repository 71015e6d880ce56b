#include "api/https_transport.hpp"

#include "net/client.hpp"

namespace sotto::api {

HttpsTransport::HttpsTransport(std::chrono::milliseconds timeout) : timeout_(timeout) {}
HttpsTransport::~HttpsTransport() = default;

net::HttpClient& HttpsTransport::client(const std::string& host, std::uint16_t port) {
  auto& c = clients_[host + ":" + std::to_string(port)];
  if (!c) c = std::make_unique<net::HttpClient>(host, port, true, timeout_);
  return *c;
}

Result<client::TransportReply> HttpsTransport::post(const std::string& host, std::uint16_t port, std::string_view target, std::string_view body) {
  auto r = client(host, port).post(target, body);
  if (!r) {
    clients_.erase(host + ":" + std::to_string(port));
    return std::move(r).error();
  }
  return client::TransportReply{r->status, std::move(r->body)};
}

Result<client::TransportReply> HttpsTransport::get(const std::string& host, std::uint16_t port, std::string_view target) {
  auto r = client(host, port).get(target);
  if (!r) {
    clients_.erase(host + ":" + std::to_string(port));
    return std::move(r).error();
  }
  return client::TransportReply{r->status, std::move(r->body)};
}

}  // namespace sotto::api
