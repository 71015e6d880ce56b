#include "net/async_client.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <netinet/in.h>

#include <optional>
#include <thread>
#include <vector>

#include "base/errc.hpp"
#include "net/asio.hpp"

namespace sotto::net {

// Everything below runs on the client's one thread (post() and stop() hop onto it), so
// nothing needs a lock but the outstanding counter.
struct AsyncClient::Impl {
  AsyncClientConfig cfg;
  tcp::endpoint endpoint;
  std::optional<asio::ip::address> local;  // cfg.local_ip, parsed
  std::chrono::milliseconds connect_timeout() const { return cfg.connect_timeout.count() > 0 ? cfg.connect_timeout : cfg.timeout; }
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  ssl::context ctx{ssl::context::tls_client};
  std::thread thread;
  std::atomic<std::size_t> outstanding{0};
  std::atomic<bool> stopping{false};  // set on the client's thread by the stop lambda
  // post() and stop() take this: once stop_requested is set no post() can slip its
  // handler in behind the stop lambda (it would never run once the thread has ended).
  std::mutex post_mu;
  bool stop_requested = false;  // guarded by post_mu

  struct Job {
    std::shared_ptr<http::request<http::string_body>> req;
    AsyncClient::Callback done;
    bool retried = false;
  };

  struct Conn {
    Impl& owner;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    std::optional<beast::tcp_stream> plain;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    std::optional<Job> job;
    bool connected = false;
    bool reused = false;  // the job went out on a connection that served one before

    explicit Conn(Impl& o) : owner(o) {}
    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
    template <class F>
    void with_stream(F&& f) {
      if (tls) f(*tls);
      else f(*plain);
    }
    void close() {
      if (tls || plain) {
        beast::error_code ec;
        lowest().socket().close(ec);
      }
      tls.reset();
      plain.reset();
      buffer.clear();
      connected = false;
    }

    void start(Job j) {
      job = std::move(j);
      reused = connected;
      if (connected) return write();
      close();
      if (owner.cfg.tls) tls.emplace(owner.ioc, owner.ctx);
      else plain.emplace(owner.ioc);
      lowest().expires_after(owner.connect_timeout());
      if (owner.local) {  // connect from this address (a node on one address of many)
        beast::error_code ec;
        auto& sock = lowest().socket();
        sock.open(owner.endpoint.protocol(), ec);
#ifdef IP_BIND_ADDRESS_NO_PORT
        // The port is chosen at connect, per destination: binding does not use up one
        // ephemeral port range shared by every peer.
        if (!ec && owner.endpoint.protocol() == tcp::v4()) {
          beast::error_code ignored;  // an old kernel without it: bind picks the port, still works
          sock.set_option(asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>(true), ignored);
        }
#endif
        if (!ec) sock.bind(tcp::endpoint(*owner.local, 0), ec);
        if (ec) {  // answered from the loop, as a failed connect would be, not from inside start()
          std::string why = "cannot bind to " + owner.cfg.local_ip + ": " + ec.message();
          return asio::post(owner.ioc, [this, why] { fail(Errc::BindFailed, why, false); });
        }
      }
      lowest().async_connect(owner.endpoint, [this](beast::error_code ec) {
        if (ec || owner.stopping) return fail(Errc::ConnectFailed, "cannot connect to " + where() + ": " + ec.message(), false);
        if (!tls) return on_connected();
        lowest().expires_after(owner.connect_timeout());
        tls->async_handshake(ssl::stream_base::client, [this](beast::error_code e) {
          if (e || owner.stopping) return fail(Errc::ConnectFailed, "TLS handshake with " + where() + " failed: " + e.message(), false);
          on_connected();
        });
      });
    }
    void on_connected() {
      connected = true;
      write();
    }
    void write() {
      lowest().expires_after(owner.cfg.timeout);
      with_stream([this](auto& s) {
        http::async_write(s, *job->req, [this](beast::error_code ec, std::size_t) {
          if (ec || owner.stopping)
            return fail(io_code(ec), "sending the request failed: " + ec.message(),
                        reused && (ec == asio::error::broken_pipe || ec == asio::error::connection_reset));
          read();
        });
      });
    }
    void read() {
      parser.emplace();
      parser->body_limit(kMaxReplyBody);
      lowest().expires_after(owner.cfg.timeout);
      with_stream([this](auto& s) {
        http::async_read(s, buffer, *parser, [this](beast::error_code ec, std::size_t) {
          if (ec)
            return fail(io_code(ec), "reading the reply failed: " + ec.message(), reused && closed_before_reply(ec, parser->got_some()));
          auto res = parser->release();
          if (!res.keep_alive()) close();
          finish(to_response(std::move(res)));
        });
      });
    }
    std::string where() const { return owner.cfg.host + ":" + std::to_string(owner.cfg.port); }
    void fail(Errc code, std::string why, bool retryable) {
      close();
      if (retryable && !job->retried && !owner.stopping) {
        Job again = std::move(*job);
        again.retried = true;
        return start(std::move(again));
      }
      if (owner.stopping) code = Errc::Stopped, why = "the client stopped";
      finish(Error(code, why));
    }
    void finish(Result<HttpResponse> r) {
      Job j = std::move(*job);
      job.reset();
      owner.idle.push_back(this);
      j.done(std::move(r));
      --owner.outstanding;  // after the callback: a caller waiting for 0 may tear down its state
      owner.pump();
    }
  };

  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<Conn*> idle;
  std::deque<Job> queue;

  void pump() {
    while (!queue.empty() && !idle.empty() && !stopping) {
      Conn* c = idle.back();
      idle.pop_back();
      Job j = std::move(queue.front());
      queue.pop_front();
      c->start(std::move(j));
    }
  }
};

AsyncClient::AsyncClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<AsyncClient>> AsyncClient::start(AsyncClientConfig config) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(config.host, ec);
  if (ec) return Error(Errc::BadAddress, "AsyncClient needs an IP address, not '" + config.host + "'");
  auto impl = std::make_shared<Impl>();
  impl->cfg = std::move(config);
  impl->endpoint = tcp::endpoint(addr, impl->cfg.port);
  if (!impl->cfg.local_ip.empty()) {
    auto local = asio::ip::make_address(impl->cfg.local_ip, ec);
    if (ec) return Error(Errc::BadAddress, "AsyncClient's local_ip must be an IP address, not '" + impl->cfg.local_ip + "'");
    impl->local = local;
  }
  impl->ctx.set_verify_mode(ssl::verify_none);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, impl->cfg.connections); ++i) {
    impl->conns.push_back(std::make_unique<Impl::Conn>(*impl));
    impl->idle.push_back(impl->conns.back().get());
  }
  impl->thread = std::thread([i = impl] { i->ioc.run(); });  // keeps Impl alive while it runs
  return std::unique_ptr<AsyncClient>(new AsyncClient(std::move(impl)));
}

AsyncClient::~AsyncClient() { stop(); }

void AsyncClient::post(std::string target, std::string body, Callback done) { post(std::move(target), std::move(body), {}, std::move(done)); }

void AsyncClient::post(std::string target, std::string body, std::vector<std::pair<std::string, std::string>> headers, Callback done) {
  auto req = std::make_shared<http::request<http::string_body>>();
  req->method(http::verb::post);
  req->target(target);
  req->version(11);
  req->set(http::field::host, impl_->cfg.host);
  req->set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req->set(name, value);
  req->keep_alive(true);
  req->body() = std::move(body);
  req->prepare_payload();
  std::unique_lock lock(impl_->post_mu);
  if (impl_->stop_requested) {
    lock.unlock();
    return done(Error(Errc::Stopped, "the client stopped"));
  }
  ++impl_->outstanding;
  asio::post(impl_->ioc, [i = impl_.get(), job = Impl::Job{std::move(req), std::move(done)}]() mutable {
    if (i->stopping) {
      job.done(Error(Errc::Stopped, "the client stopped"));
      --i->outstanding;
      return;
    }
    i->queue.push_back(std::move(job));
    i->pump();
  });
}

void AsyncClient::stop() {
  auto& i = *impl_;
  {
    std::lock_guard lock(i.post_mu);
    if (i.stop_requested) return;
    i.stop_requested = true;
    // Queued after every accepted post(): those reach it first and are failed by it.
    asio::post(i.ioc, [&i] {
      i.stopping = true;
      while (!i.queue.empty()) {
        Impl::Job j = std::move(i.queue.front());
        i.queue.pop_front();
        j.done(Error(Errc::Stopped, "the client stopped"));
        --i.outstanding;
      }
      for (auto& c : i.conns)
        if (c->job) {
          beast::error_code ec;
          c->lowest().socket().cancel(ec);  // its handler fails the job
        } else {
          c->close();
        }
    });
    i.work.reset();
  }
  // From a callback (the client's own thread) the thread cannot be joined: it ends by
  // itself once the stop lambda and the failed jobs have run.
  if (std::this_thread::get_id() == i.thread.get_id()) return i.thread.detach();
  i.thread.join();
}

std::size_t AsyncClient::outstanding() const { return impl_->outstanding.load(); }

}  // namespace sotto::net
