#include "net/https_transport.hpp"

#include "net/client.hpp"

namespace sotto::net {

HttpsTransport::HttpsTransport(std::chrono::milliseconds timeout) : timeout_(timeout) {}
HttpsTransport::~HttpsTransport() = default;

Result<client::TransportReply> HttpsTransport::post(const std::string& host, std::uint16_t port, std::string_view target, std::string_view body) {
  std::string key = host + ":" + std::to_string(port);
  auto& c = clients_[key];
  if (!c) c = std::make_unique<HttpClient>(host, port, true, timeout_);
  auto r = c->post(target, body);
  if (!r) {
    clients_.erase(key);
    return std::move(r).error();
  }
  return client::TransportReply{r->status, std::move(r->body)};
}

}  // namespace sotto::net
