#include "net/server.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <map>
#include <set>
#include <thread>
#include <variant>
#include <vector>

#include "base/errc.hpp"
#include "net/asio.hpp"
#include "net/rate_limiter.hpp"

namespace sotto::net {

namespace {
// A session's stream runs on its own strand, named by its concrete type: with the default
// type-erased executor (beast::tcp_stream), every copy of the executor an async operation
// makes was a heap allocation (23 per request, measured).
using Strand = asio::strand<asio::io_context::executor_type>;
using Socket = asio::basic_stream_socket<tcp, Strand>;
using PlainStream = beast::basic_stream<tcp, Strand>;
using TlsStream = beast::ssl_stream<PlainStream>;

PlainStream& lowest(TlsStream& s) { return beast::get_lowest_layer(s); }
PlainStream& lowest(PlainStream& s) { return s; }

// Who a client is, for the per-client bounds: its IPv4 address, or the /64 of an IPv6
// one (a single host usually holds a whole /64, so counting /128s would not bound it).
// The address as text, an IPv4-mapped IPv6 address as plain IPv4.
std::string unmapped_ip_of(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

std::string client_key(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  if (!a.is_v6()) return a.to_string();
  auto bytes = a.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

// The network a client is in, for the per-net bound: an IPv4 /24 or an IPv6 /48 (what one
// operator or one site usually holds).
std::string net_key(const asio::ip::address& a) {
  if (!a.is_v6() || a.to_v6().is_v4_mapped()) {
    auto v4 = a.is_v6() ? asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()) : a.to_v4();
    auto bytes = v4.to_bytes();
    bytes[3] = 0;
    return asio::ip::address_v4(bytes).to_string() + "/24";
  }
  auto bytes = a.to_v6().to_bytes();
  std::fill(bytes.begin() + 6, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/48";
}
}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  ServerConfig cfg;
  HttpHandler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{asio::make_strand(ioc)};  // all acceptor calls run on its strand
  asio::steady_timer accept_backoff{acceptor.get_executor()};
  std::uint16_t bound_port = 0;
  std::vector<std::thread> threads;
  RateLimiter limiter;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> open{0}, refused{0}, limited{0}, too_large{0}, header_timeouts{0}, evicted{0};

  // Idle keep-alive connections, closed at stop(); busy ones finish their reply first.
  std::mutex mu;
  std::set<std::shared_ptr<void>> sessions;  // guarded by mu
  std::map<std::string, std::size_t> per_ip;   // open untrusted connections by client_key(); guarded by mu
  std::map<std::string, std::size_t> per_net;  // and by net_key(); guarded by mu

  Impl(ServerConfig c, HttpHandler h)
      : cfg(std::move(c)), handler(std::move(h)), limiter(cfg.rate_per_second, cfg.rate_burst) {}

  void do_accept();
  // When the untrusted share is full: an idle connection of the address that holds the
  // most, if it holds at least two more than `newcomer` does, closed to make room.
  bool evict_for(const std::string& newcomer);
  template <class Stream>
  struct Session;
};

namespace {
bool has_body(int status) { return !((status >= 100 && status < 200) || status == 204 || status == 304); }

// The status line and headers of `out`, written here rather than by Beast's serializer
// (which cost a tenth of a node's time per onion layer), with the same rules: a
// three-digit status, set semantics for headers (the last of a name counts; Server and
// Content-Type may be replaced; the length and Connection are this server's), no length
// for 1xx, 204 and 304. False if the status is not three digits, a header's name is not
// a token, or a value holds a control character other than a tab.
bool write_head(const HttpResponse& out, bool keep, std::string& w) {
  auto token = [](std::string_view n) {
    return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
      return c > 0x20 && c < 0x7F && c != ':' && c != '(' && c != ')' && c != ',' && c != ';' && c != '"' && c != '/' && c != '[' &&
             c != ']' && c != '=' && c != '{' && c != '}' && c != '?' && c != '<' && c != '>' && c != '@' && c != '\\';
    });
  };
  auto field_value = [](std::string_view v) {
    return std::none_of(v.begin(), v.end(), [](char c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F; });
  };
  auto same = [](std::string_view a, std::string_view b) {
    return beast::iequals(beast::string_view(a.data(), a.size()), beast::string_view(b.data(), b.size()));
  };
  if (out.status < 0 || out.status > 999) return false;
  std::string_view content_type = out.content_type;
  if (!field_value(content_type)) return false;
  for (const auto& [k, v] : out.headers)
    if (!token(k) || !field_value(v)) return false;
  w += "HTTP/1.1 ";
  w += static_cast<char>('0' + out.status / 100);
  w += static_cast<char>('0' + out.status / 10 % 10);
  w += static_cast<char>('0' + out.status % 10);
  w += ' ';
  auto reason = http::obsolete_reason(static_cast<http::status>(out.status));
  w.append(reason.data(), reason.size());
  w += "\r\n";
  std::string_view server = "sotto-node";
  for (const auto& [k, v] : out.headers) {
    if (same(k, "Server")) server = v;
    if (same(k, "Content-Type")) content_type = v;
  }
  w += "Server: ";
  w += server;
  w += "\r\nContent-Type: ";
  w += content_type;
  w += "\r\n";
  for (std::size_t i = 0; i < out.headers.size(); ++i) {
    const std::string& k = out.headers[i].first;  // not a structured binding: clang 14 cannot capture one
    const std::string& v = out.headers[i].second;
    if (same(k, "Server") || same(k, "Content-Type") || same(k, "Content-Length") || same(k, "Connection") || same(k, "Transfer-Encoding"))
      continue;
    auto later = out.headers.begin() + static_cast<std::ptrdiff_t>(i) + 1;
    if (std::any_of(later, out.headers.end(), [&](const auto& h) { return same(h.first, k); })) continue;  // replaced
    w += k;
    w += ": ";
    w += v;
    w += "\r\n";
  }
  if (!keep) w += "Connection: close\r\n";
  if (has_body(out.status)) {
    w += "Content-Length: ";
    w += std::to_string(out.body.size());
    w += "\r\n";
  }
  w += "\r\n";
  return true;
}

// The session whose handler runs on this thread now, if any (see on_request).
thread_local const void* replying_inline = nullptr;

// Sets replying_inline for the length of a handler's call, and clears it however the
// call ends.
struct ReplyingInline {
  explicit ReplyingInline(const void* session) { replying_inline = session; }
  ~ReplyingInline() { replying_inline = nullptr; }
  ReplyingInline(const ReplyingInline&) = delete;
  ReplyingInline& operator=(const ReplyingInline&) = delete;
};
}  // namespace

template <class Stream>
struct Server::Impl::Session : std::enable_shared_from_this<Session<Stream>> {
  std::shared_ptr<Impl> srv;
  Stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  std::string wire;  // the reply being written: its head, and its body when small
  std::string body;  // a large reply's body
  bool keep_alive = false;  // of the reply being written
  std::string unmapped_ip;  // the client's address, an IPv4-mapped one as IPv4
  std::string client;  // client_key(): what the per-client bounds count
  std::string net;     // net_key()
  bool counted = false;  // in per_ip and per_net (an untrusted client)
  bool first = true;     // no request has come yet: the header deadline holds
  std::atomic<bool> waiting{false};  // for a request header, nothing in flight: may be evicted (read on the acceptor's strand)
  std::chrono::steady_clock::time_point header_deadline = std::chrono::steady_clock::now();
  bool busy = false;  // a request is being handled or answered
  std::optional<HttpResponse> sync_reply;  // a reply the handler gave before it returned

  template <class... A>
  Session(std::shared_ptr<Impl> s, A&&... args) : srv(std::move(s)), stream(std::forward<A>(args)...) {}

  void start() {
    header_deadline = std::chrono::steady_clock::now() + srv->cfg.header_timeout;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      lowest(stream).expires_at(header_deadline);
      stream.async_handshake(ssl::stream_base::server,
                             [self = this->shared_from_this()](beast::error_code hec) {
                               if (hec) return self->finish();
                               self->read();
                             });
    } else {
      read();
    }
  }

  void read() {
    if (srv->stopping) return finish();
    busy = false;
    parser.emplace();
    parser->body_limit(srv->cfg.max_body);
    // Eager: a body that came in the same reads as the header is parsed with it, and the
    // request is then complete without a second read.
    parser->eager(true);
    if (first) lowest(stream).expires_at(header_deadline);
    else lowest(stream).expires_after(srv->cfg.idle_timeout);
    waiting = true;
    http::async_read_header(stream, buffer, *parser, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->waiting = false;
      if (ec == http::error::body_limit) {  // 413, written while busy (stop() lets it finish)
        self->busy = true;
        return self->on_request(ec);
      }
      if (ec == beast::error::timeout && self->first) ++self->srv->header_timeouts;
      if (ec) return self->finish();
      self->first = false;
      self->busy = true;
      if (self->parser->is_done()) return self->on_request({});
      lowest(self->stream).expires_after(self->srv->cfg.read_timeout);
      http::async_read(self->stream, self->buffer, *self->parser,
                       [self](beast::error_code ec2, std::size_t) { self->on_request(ec2); });
    });
  }

  void on_request(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      ++srv->too_large;
      return respond({413, "Request body too large", "text/plain", {}}, false);
    }
    if (ec) return finish();
    auto req = parser->release();
    if (srv->cfg.rate_per_second > 0 && !(srv->cfg.rate_exempt && srv->cfg.rate_exempt(unmapped_ip, std::string(req.target()))) &&
        !srv->limiter.allow(client, RateLimiter::Clock::now())) {
      ++srv->limited;
      return respond({429, "Too many requests, try again later", "text/plain", {}}, req.keep_alive());
    }
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = std::move(req.body());
    r.remote_ip = unmapped_ip;
    r.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
    for (const auto& f : req) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    bool keep = req.keep_alive();
    auto self = this->shared_from_this();
    auto exec = lowest(stream).get_executor();
    // The work guard keeps the server's threads running until this reply is written, even
    // if stop() is called while the handler works.
    // A reply given before the handler returns (on this thread, inside the call) is
    // written right after it; one given later, from any thread, is posted to this
    // session's strand.
    auto guard = asio::make_work_guard(srv->ioc.get_executor());  // copied with the reply, each copy counting as work
    sync_reply.reset();
    {
      ReplyingInline inside(this);
      srv->handler(std::move(r), [self, exec, keep, guard](HttpResponse out) {
        if (replying_inline == self.get()) {
          self->sync_reply = std::move(out);
          return;
        }
        asio::post(exec, [self, out = std::move(out), keep, guard]() mutable { self->respond(std::move(out), keep); });
      });
    }
    if (sync_reply) {
      HttpResponse out = std::move(*sync_reply);
      sync_reply.reset();
      respond(std::move(out), keep);
    }
  }

  void respond(HttpResponse out, bool keep) {
    keep_alive = keep && !srv->stopping;
    wire.clear();
    if (!write_head(out, keep_alive, wire)) {
      out = {500, "Internal error: a response header is malformed", "text/plain", {}};
      wire.clear();
      write_head(out, keep_alive, wire);
    }
    if (!has_body(out.status)) out.body.clear();  // its head has no length: a body would be read as the next reply
    // One buffer, so one TLS record and one send for a small reply; a large body goes
    // after its head as a buffer of its own.
    constexpr std::size_t kCoalesce = 64 * 1024;
    if (out.body.size() <= kCoalesce) {
      wire += out.body;
      body.clear();
    } else {
      body = std::move(out.body);
    }
    lowest(stream).expires_after(srv->cfg.read_timeout);
    // Two writes, never one of two buffers: Beast's TLS stream (flat_stream) writes
    // nothing for a sequence whose first buffer is empty and whose second is large, which
    // is where a two-buffer write stands once the head has gone, and the body was lost.
    asio::async_write(stream, asio::buffer(wire), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish();
      if (self->body.empty()) return self->written();
      asio::async_write(self->stream, asio::buffer(self->body), [self](beast::error_code ec2, std::size_t) {
        std::string().swap(self->body);  // a kept-alive connection does not hold a large reply's memory
        if (ec2) return self->finish();
        self->written();
      });
    });
  }

  void written() {
    if (!keep_alive) return finish();
    read();
  }

  void finish() {
    busy = false;
    beast::error_code ec;
    lowest(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest(stream).close();
    std::lock_guard lock(srv->mu);
    if (srv->sessions.erase(this->shared_from_this())) {
      --srv->open;
      if (counted) {
        if (auto it = srv->per_ip.find(client); it != srv->per_ip.end() && --it->second == 0) srv->per_ip.erase(it);
        if (auto it = srv->per_net.find(net); it != srv->per_net.end() && --it->second == 0) srv->per_net.erase(it);
      }
    }
  }

  // At stop: a connection waiting for its next request is closed now; one in the middle
  // of a request finishes it (its reply says Connection: close).
  void close_if_idle() {
    if (busy) return;
    beast::error_code ec;
    lowest(stream).socket().cancel(ec);
  }
};

void Server::Impl::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, Socket sock) {
    if (ec) {
      if (self->stopping || ec == asio::error::operation_aborted) return;
      // Out of file descriptors and the like: wait a little instead of spinning.
      self->accept_backoff.expires_after(std::chrono::milliseconds(100));
      self->accept_backoff.async_wait([self](beast::error_code) {
        if (!self->stopping) self->do_accept();
      });
      return;
    }
    beast::error_code addr_ec, ignored;
    // A reply's last small segment must not wait for the client's delayed ACK of the
    // segments before it (Nagle): a large reply goes out as its head and then its body.
    sock.set_option(tcp::no_delay(true), ignored);
    auto ep = sock.remote_endpoint(addr_ec);
    std::string unmapped = addr_ec ? std::string() : unmapped_ip_of(ep.address());
    std::string key = addr_ec ? std::string() : client_key(ep.address());
    std::string net = addr_ec ? std::string() : net_key(ep.address());
    const auto& c = self->cfg;
    const bool trusted = !addr_ec && c.trusted && c.trusted(unmapped);
    // The last reserved_connections slots are the trusted ones'.
    const std::size_t limit = trusted ? c.max_connections : c.max_connections - std::min(c.reserved_connections, c.max_connections);
    bool refuse = addr_ec || self->open >= limit;
    // Full of untrusted connections: the heaviest holder makes room for a lighter one, so
    // that idle connections held from a few addresses cannot keep new clients out.
    if (refuse && !addr_ec && !trusted && self->evict_for(key)) refuse = false;
    if (!refuse && !trusted) {
      std::lock_guard lock(self->mu);
      auto over = [](const std::map<std::string, std::size_t>& m, const std::string& k, std::size_t bound) {
        auto it = m.find(k);
        return bound > 0 && it != m.end() && it->second >= bound;
      };
      refuse = over(self->per_ip, key, c.max_connections_per_ip) || over(self->per_net, net, c.max_connections_per_net);
    }
    if (refuse) {
      ++self->refused;
      beast::error_code ignore;
      sock.close(ignore);
      return self->do_accept();
    }
    // Each session starts on its own strand, where all its later work runs.
    std::shared_ptr<void> keep;
    std::function<void()> start;
    if (self->cfg.tls) {
      auto s = std::make_shared<Session<TlsStream>>(self, std::move(sock), self->tls);
      s->unmapped_ip = unmapped;
      s->client = key;
      s->net = net;
      s->counted = !trusted;
      keep = s;
      start = [s] { asio::dispatch(lowest(s->stream).get_executor(), [s] { s->start(); }); };
    } else {
      auto s = std::make_shared<Session<PlainStream>>(self, std::move(sock));
      s->unmapped_ip = unmapped;
      s->client = key;
      s->net = net;
      s->counted = !trusted;
      keep = s;
      start = [s] { asio::dispatch(s->stream.get_executor(), [s] { s->start(); }); };
    }
    {
      std::lock_guard lock(self->mu);
      self->sessions.insert(keep);
      ++self->open;
      if (!trusted) ++self->per_ip[key], ++self->per_net[net];
    }
    start();  // after it is counted, so that its finish() finds it
    self->do_accept();
  });
}

namespace {
// Whether `p` is an idle connection of `client`; it is then claimed (no longer counted as
// waiting), so that it is chosen once.
template <class S>
bool claim_idle(const std::shared_ptr<void>& p, const std::string& client) {
  auto& s = *std::static_pointer_cast<S>(p);
  return s.counted && s.client == client && s.waiting.exchange(false);
}
}  // namespace

bool Server::Impl::evict_for(const std::string& newcomer) {
  std::shared_ptr<void> victim;
  {
    std::lock_guard lock(mu);
    auto heaviest = std::max_element(per_ip.begin(), per_ip.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    auto mine = per_ip.find(newcomer);
    std::size_t held = mine == per_ip.end() ? 0 : mine->second;
    if (heaviest == per_ip.end() || heaviest->second < held + 2) return false;
    for (const auto& p : sessions)
      if (cfg.tls ? claim_idle<Session<TlsStream>>(p, heaviest->first) : claim_idle<Session<PlainStream>>(p, heaviest->first)) {
        victim = p;
        break;
      }
  }
  if (!victim) return false;
  ++evicted;
  // On its own strand, where it closes only if still idle (else it finishes its request).
  if (cfg.tls) {
    auto t = std::static_pointer_cast<Session<TlsStream>>(victim);
    asio::post(lowest(t->stream).get_executor(), [t] { t->close_if_idle(); });
  } else {
    auto u = std::static_pointer_cast<Session<PlainStream>>(victim);
    asio::post(u->stream.get_executor(), [u] { u->close_if_idle(); });
  }
  return true;
}

Server::Server(ServerConfig config, HttpHandler handler)
    : impl_(std::make_shared<Impl>(std::move(config), std::move(handler))) {}

Server::~Server() { stop(); }

Result<void> Server::start() {
  if (auto r = listen(); !r) return r;
  run();
  return {};
}

Result<void> Server::listen() {
  auto& s = *impl_;
  beast::error_code ec;
  if (s.cfg.tls) {
    s.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    s.tls.use_certificate_chain(asio::buffer(s.cfg.cert_pem), ec);
    if (!ec) s.tls.use_private_key(asio::buffer(s.cfg.key_pem), ssl::context::pem, ec);
    if (ec) return Error(Errc::BadCertificate, "the TLS certificate or key is not usable: " + ec.message());
  }
  auto addr = asio::ip::make_address(s.cfg.host, ec);
  if (ec) return Error(Errc::BadAddress, "not an IP address: " + s.cfg.host);
  tcp::endpoint ep(addr, s.cfg.port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error(Errc::BindFailed, "cannot listen on " + s.cfg.host + ":" + std::to_string(s.cfg.port) + ": " + ec.message());
  s.bound_port = s.acceptor.local_endpoint(ec).port();
  return {};
}

void Server::run() {
  auto& s = *impl_;
  s.work.emplace(asio::make_work_guard(s.ioc));
  asio::dispatch(s.acceptor.get_executor(), [p = impl_] { p->do_accept(); });
  for (int i = 0; i < std::max(1, s.cfg.threads); ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::stop() {
  auto& s = *impl_;
  if (s.threads.empty() || s.stopping.exchange(true)) return;
  asio::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
    s.accept_backoff.cancel();
    std::lock_guard lock(s.mu);
    for (auto& p : s.sessions) {
      if (s.cfg.tls) {
        auto t = std::static_pointer_cast<Impl::Session<TlsStream>>(p);
        asio::post(lowest(t->stream).get_executor(), [t] { t->close_if_idle(); });
      } else {
        auto u = std::static_pointer_cast<Impl::Session<PlainStream>>(p);
        asio::post(u->stream.get_executor(), [u] { u->close_if_idle(); });
      }
    }
  });
  s.work.reset();  // run() returns once the last in-flight exchange is done
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

ServerStats Server::stats() const {
  ServerStats s;
  s.connections_open = impl_->open.load();
  s.connections_refused = impl_->refused.load();
  s.header_timeouts = impl_->header_timeouts.load();
  s.rate_limited = impl_->limited.load();
  s.too_large = impl_->too_large.load();
  s.evicted = impl_->evicted.load();
  return s;
}

}  // namespace sotto::net
