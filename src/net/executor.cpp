#include "net/executor.hpp"

#include <list>
#include <optional>
#include <thread>

#include "net/asio.hpp"

namespace sotto::net {

struct SerialExecutor::Impl {
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(ioc)};
  std::list<asio::steady_timer> timers;  // touched only on the thread
  std::thread thread{[this] { ioc.run(); }};
  bool stopped = false;
};

SerialExecutor::SerialExecutor() : impl_(std::make_unique<Impl>()) {}
SerialExecutor::~SerialExecutor() { stop(); }

void SerialExecutor::post(std::function<void()> fn) { asio::post(impl_->ioc, std::move(fn)); }

void SerialExecutor::every(std::chrono::milliseconds interval, std::function<void()> fn) {
  asio::post(impl_->ioc, [this, interval, fn = std::move(fn)] {
    auto& t = impl_->timers.emplace_back(impl_->ioc);
    auto tick = std::make_shared<std::function<void(const boost::system::error_code&)>>();
    *tick = [&t, interval, fn, tick](const boost::system::error_code& ec) {
      if (ec) return;
      fn();
      t.expires_after(interval);
      t.async_wait(*tick);
    };
    t.expires_after(interval);
    t.async_wait(*tick);
  });
}

void SerialExecutor::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->ioc, [this] {
    for (auto& t : impl_->timers) t.cancel();
  });
  impl_->work.reset();
  impl_->thread.join();
}

int wait_for_shutdown_signal() {
  asio::io_context ioc;
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  int got = 0;
  signals.async_wait([&](const boost::system::error_code&, int sig) { got = sig; });
  ioc.run();
  return got;
}

}  // namespace sotto::net
