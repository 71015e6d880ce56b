#pragma once
// Read-only connections to the node's message database, one per I/O thread in use at a
// time (WAL lets them read beside the writer; they see every committed store, so an
// acknowledged store is retrievable). Thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::daemon {

class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}
  // Opens one more reader for the pool.
  Result<void> add();
  // A reader of the caller's own, returned to the pool when the handle goes (a new one if
  // all are in use: nobody waits).
  struct Lease {
    ReaderPool* pool = nullptr;
    std::unique_ptr<node::storage::MessageStore> reader;
    Lease() = default;
    Lease(ReaderPool* p, std::unique_ptr<node::storage::MessageStore> r) : pool(p), reader(std::move(r)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    node::storage::MessageStore& operator*() { return *reader; }
  };
  Result<Lease> take();
  void close_all();

 private:
  void give(std::unique_ptr<node::storage::MessageStore> r);
  std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<node::storage::MessageStore>> free_;
};

}  // namespace sotto::daemon
