#include "net/client.hpp"

#include <algorithm>

#include <optional>
#include <variant>

#include "base/errc.hpp"
#include "net/asio.hpp"

namespace sotto::net {

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  bool tls;
  std::chrono::milliseconds timeout;
  std::string local_ip;
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
  std::optional<beast::tcp_stream> plain_stream;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls_stream) : *plain_stream; }
  bool connected() { return tls ? tls_stream.has_value() : plain_stream.has_value(); }
  void drop() {
    tls_stream.reset();
    plain_stream.reset();
    buffer.clear();
  }

  // Runs the io_context until `done` or the timeout.
  template <class Start>
  beast::error_code run(Start&& start) {
    beast::error_code result = asio::error::would_block;
    start([&](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  Result<void> connect() {
    drop();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto eps = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return Error(Errc::BadAddress, "cannot resolve " + host + ": " + ec.message());
    if (tls) {
      tls_stream.emplace(ioc, ctx);
      // SNI (SSL_set_tlsext_host_name is a macro with an old-style cast).
      SSL_ctrl(tls_stream->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str()));
    } else {
      plain_stream.emplace(ioc);
    }
    lowest().expires_after(timeout);
    if (!local_ip.empty()) {  // bound first, then connected to the first address of its family
      auto local = asio::ip::make_address(local_ip, ec);
      if (ec) return Error(Errc::BadAddress, "the local address must be an IP address, not '" + local_ip + "'");
      auto it = std::find_if(eps.begin(), eps.end(), [&](const auto& e) { return e.endpoint().address().is_v4() == local.is_v4(); });
      if (it == eps.end()) return Error(Errc::BadAddress, "no address of " + host + " in the local address's family");
      tcp::endpoint to = it->endpoint();
      lowest().socket().open(to.protocol(), ec);
      if (!ec) lowest().socket().bind(tcp::endpoint(local, 0), ec);
      if (ec) {
        drop();
        return Error(Errc::BindFailed, "cannot bind to " + local_ip + ": " + ec.message());
      }
      ec = run([&](auto cb) { lowest().async_connect(to, [cb](beast::error_code e) { cb(e); }); });
    } else {
      ec = run([&](auto cb) { lowest().async_connect(eps, [cb](beast::error_code e, const tcp::endpoint&) { cb(e); }); });
    }
    if (ec) {
      drop();
      return Error(Errc::ConnectFailed, "cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message());
    }
    if (tls) {
      lowest().expires_after(timeout);
      ec = run([&](auto cb) { tls_stream->async_handshake(ssl::stream_base::client, cb); });
      if (ec) {
        drop();
        return Error(Errc::ConnectFailed, "TLS handshake with " + host + ":" + std::to_string(port) + " failed: " + ec.message());
      }
    }
    return {};
  }

  // Set when the server closed a kept-alive connection before answering anything: only
  // then may a request be sent again (it cannot have been processed).
  bool closed_before_reply = false;

  template <class Stream>
  Result<HttpResponse> exchange(Stream& s, const http::request<http::string_body>& req) {
    closed_before_reply = false;
    lowest().expires_after(timeout);
    auto ec = run([&](auto cb) { http::async_write(s, req, cb); });
    if (ec) {
      closed_before_reply = ec == asio::error::broken_pipe || ec == asio::error::connection_reset;
      return Error(io_code(ec), "sending the request failed: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxReplyBody);
    lowest().expires_after(timeout);
    ec = run([&](auto cb) { http::async_read(s, buffer, parser, cb); });
    if (ec) {
      closed_before_reply = net::closed_before_reply(ec, parser.got_some());
      return Error(io_code(ec), "reading the reply failed: " + ec.message());
    }
    auto res = parser.release();
    if (!res.keep_alive()) drop();
    return to_response(std::move(res));
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, bool tls, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->tls = tls;
  impl_->timeout = timeout;
  impl_->ctx.set_verify_mode(ssl::verify_none);
}
void HttpClient::set_local_ip(std::string ip) {
  impl_->local_ip = std::move(ip);
  impl_->drop();
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                         const std::vector<std::pair<std::string, std::string>>& headers) {
  auto& s = *impl_;
  http::request<http::string_body> req;
  req.method(http::string_to_verb(beast::string_view(method.data(), method.size())));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  req.set(http::field::host, s.host);
  req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.keep_alive(true);
  req.body() = std::string(body);
  req.prepare_payload();
  // A kept-alive connection that the server closed meanwhile fails the first try with
  // nothing received: retry once on a fresh connection. Any other failure is returned,
  // since the request may have been processed (a POST is not repeated blindly).
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = s.connected();
    if (!reused)
      if (auto c = s.connect(); !c) return std::move(c).error();
    auto r = s.tls ? s.exchange(*s.tls_stream, req) : s.exchange(*s.plain_stream, req);
    if (!r) s.drop();
    if (r || !reused || !s.closed_before_reply) return r;
  }
  return Error(Errc::Closed, "the connection failed twice");
}

}  // namespace sotto::net
