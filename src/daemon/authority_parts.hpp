#pragma once
// What an AuthorityDaemon is made of (internal to daemon/authority*.cpp).

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/authority.hpp"
#include "directory/authority.hpp"
#include "net/server.hpp"

namespace sotto::daemon {

// Sleeps until a wall-clock time or until stop; false when stopping.
class Sleeper {
 public:
  bool until(std::int64_t t_ms);
  void stop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

std::int64_t wall_ms();

struct AuthorityDaemon::Parts {
  AuthorityOptions options;
  std::unique_ptr<crypto::Keypair> keys;
  directory::Network net;
  struct Other {  // another authority, and where to reach it
    crypto::Ed25519Public key;
    net::HostPort at;
  };
  std::vector<Other> others;
  std::mutex mu;  // guards the engine
  std::unique_ptr<directory::Authority> engine;
  std::int64_t started_ms = 0;
  std::chrono::milliseconds call_timeout{1000};
  std::unique_ptr<net::Server> server;
  Sleeper sleeper;
  std::thread scheduler, tester;
  bool stopped = false;

  std::int64_t epoch_at(std::int64_t t_ms) const {
    const std::int64_t epoch_ms = net.epoch_seconds * 1000, genesis_ms = net.genesis * 1000;
    return t_ms < genesis_ms ? -1 : (t_ms - genesis_ms) / epoch_ms;
  }
};

// The HTTPS routes: register, vote, signature, consensus (and the pulls of votes,
// signatures and past consensuses).
void route(AuthorityDaemon::Parts& p, const net::HttpRequest& req, const net::Reply& reply);
// The epoch schedule [DN §1], on the scheduler thread until stop.
void run_schedule(AuthorityDaemon::Parts& p);
// The reachability tests, on the tester thread until stop.
void run_tests(AuthorityDaemon::Parts& p);

}  // namespace sotto::daemon
