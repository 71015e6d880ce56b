#include "net/executor.hpp"

#include <list>
#include <optional>
#include <thread>

#include "net/asio.hpp"

namespace sotto::net {

struct SerialExecutor::Impl {
  // A periodic task; owned here, so its handlers can hold a plain reference.
  struct Periodic {
    asio::steady_timer timer;
    std::chrono::milliseconds interval;
    std::function<void()> fn;
  };
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(ioc)};
  std::list<Periodic> periodic;  // touched only on the thread
  std::thread thread{[this] { ioc.run(); }};
  bool stopped = false;

  void arm(Periodic& p) {
    p.timer.expires_after(p.interval);
    p.timer.async_wait([this, &p](const boost::system::error_code& ec) {
      if (ec) return;
      p.fn();
      arm(p);
    });
  }
};

SerialExecutor::SerialExecutor() : impl_(std::make_unique<Impl>()) {}
SerialExecutor::~SerialExecutor() { stop(); }

void SerialExecutor::post(std::function<void()> fn) { asio::post(impl_->ioc, std::move(fn)); }

void SerialExecutor::every(std::chrono::milliseconds interval, std::function<void()> fn) {
  asio::post(impl_->ioc, [this, interval, fn = std::move(fn)]() mutable {
    auto& p = impl_->periodic.emplace_back(Impl::Periodic{asio::steady_timer(impl_->ioc), interval, std::move(fn)});
    impl_->arm(p);
  });
}

void SerialExecutor::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->ioc, [this] {
    for (auto& p : impl_->periodic) p.timer.cancel();
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
