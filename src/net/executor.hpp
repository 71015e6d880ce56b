#pragma once
// One thread that runs posted work in order, plus periodic tasks: the node's storage
// thread (the MessageStore is used from it alone). Thread-safe to post to.

#include <chrono>
#include <functional>
#include <memory>

namespace sotto::net {

class SerialExecutor {
 public:
  SerialExecutor();
  ~SerialExecutor();
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  void post(std::function<void()> fn);
  // Runs fn every `interval` on the executor's thread, until stop().
  void every(std::chrono::milliseconds interval, std::function<void()> fn);
  // Runs what was posted before, cancels periodic tasks, and joins the thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts later:
// call it first in main, so that a signal waits for wait_for_shutdown_signal() instead of
// killing the process half-started.
void block_shutdown_signals();
// Blocks until SIGTERM or SIGINT arrives (they must be blocked); returns its number.
int wait_for_shutdown_signal();

}  // namespace sotto::net
