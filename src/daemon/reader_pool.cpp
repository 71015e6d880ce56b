#include "daemon/reader_pool.hpp"

namespace sotto::daemon {

Result<void> ReaderPool::add() {
  auto r = node::storage::MessageStore::open_reader(path_);
  if (!r) return std::move(r).error();
  give(std::move(*r));
  return {};
}

Result<ReaderPool::Lease> ReaderPool::take() {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      auto r = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(r));
    }
  }
  auto r = node::storage::MessageStore::open_reader(path_);
  if (!r) return std::move(r).error();
  return Lease(this, std::move(*r));
}

ReaderPool::Lease::~Lease() {
  if (pool && reader) pool->give(std::move(reader));
}

void ReaderPool::give(std::unique_ptr<node::storage::MessageStore> r) {
  std::lock_guard lock(mu_);
  free_.push_back(std::move(r));
}

void ReaderPool::close_all() {
  std::lock_guard lock(mu_);
  free_.clear();
}

}  // namespace sotto::daemon
