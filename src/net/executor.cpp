#include "net/executor.hpp"

#include <pthread.h>
#include <signal.h>

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
  bool stopping = false;  // set on the thread; an expired timer's handler must not re-arm

  void arm(Periodic& p) {
    p.timer.expires_after(p.interval);
    p.timer.async_wait([this, &p](const boost::system::error_code& ec) {
      if (ec || stopping) return;
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
    impl_->stopping = true;
    for (auto& p : impl_->periodic) p.timer.cancel();
  });
  impl_->work.reset();
  impl_->thread.join();
}

void block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_shutdown_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

}  // namespace sotto::net
