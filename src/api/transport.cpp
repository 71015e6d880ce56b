// The public Transport: libsotto's own over HTTPS, and a program's own bridged to the
// client library.

#include "api/failure.hpp"
#include "api/https_transport.hpp"
#include "client/errc.hpp"
#include "net/errc.hpp"

namespace sotto {

Outcome<HttpReply> Transport::get(const std::string& host, std::uint16_t port, const std::string&) {
  return Failure{"unsupported", "this transport cannot fetch documents from " + host + ":" + std::to_string(port)};
}

namespace {

class OwnHttps final : public Transport {
 public:
  explicit OwnHttps(std::chrono::milliseconds timeout) : t_(timeout) {}
  Outcome<HttpReply> post(const std::string& host, std::uint16_t port, const std::string& target, const std::string& body) override {
    auto r = t_.post(host, port, target, body);
    if (!r) return api::failure_of(r.error());
    return HttpReply{r->status, std::move(r->body)};
  }
  Outcome<HttpReply> get(const std::string& host, std::uint16_t port, const std::string& target) override {
    auto r = t_.get(host, port, target);
    if (!r) return api::failure_of(r.error());
    return HttpReply{r->status, std::move(r->body)};
  }

 private:
  api::HttpsTransport t_;
};

}  // namespace

std::unique_ptr<Transport> https_transport(std::chrono::milliseconds timeout) { return std::make_unique<OwnHttps>(timeout); }

namespace api {

std::optional<base::SecretBytes> secret_bytes(const Secret* s) {
  if (!s) return std::nullopt;
  return base::SecretBytes(std::string_view(s->str()));
}

namespace {

// A program's transport failure as the library's error: the documented codes keep their
// meaning (and token); another code is kept in the sentence, as an unreachable node.
Error error_of(const Failure& f) {
  if (f.code == "connect_failed") return Error(net::Errc::ConnectFailed, f.message);
  if (f.code == "timeout") return Error(net::Errc::Timeout, f.message);
  if (f.code == "closed") return Error(net::Errc::Closed, f.message);
  if (f.code == "stopped") return Error(net::Errc::Stopped, f.message);
  return Error(client::Errc::Unreachable, f.code + ": " + f.message);
}

}  // namespace

Result<client::TransportReply> TransportBridge::post(const std::string& host, std::uint16_t port, std::string_view target, std::string_view body) {
  auto r = t_.post(host, port, std::string(target), std::string(body));
  if (!r) return error_of(r.failure());
  return client::TransportReply{r->status, std::move(r->body)};
}

Result<client::TransportReply> TransportBridge::get(const std::string& host, std::uint16_t port, std::string_view target) {
  auto r = t_.get(host, port, std::string(target));
  if (!r) return error_of(r.failure());
  return client::TransportReply{r->status, std::move(r->body)};
}

}  // namespace api
}  // namespace sotto
