// An account's quota (message_store.hpp Limits): unsigned stores keep to their share and
// make room by evicting the oldest unsigned messages; signed ones take the rest.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "db/sqlite.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::node::storage {

namespace {
constexpr bool is_unsigned(Namespace ns) { return ns % 10 == 0; }
}  // namespace

Result<void> MessageStore::make_room(std::int64_t account, const StoreRequest& r) {
  auto usage = db_->prepare("SELECT msgs, bytes, umsgs, ubytes FROM accounts WHERE id = ?1");
  if (!usage) return std::move(usage).error();
  (*usage)->bind(1, account);
  auto u = (*usage)->step();
  if (!u) return std::move(u).error();
  auto msgs = static_cast<std::uint64_t>((*usage)->int64(0)), bytes = static_cast<std::uint64_t>((*usage)->int64(1));
  auto umsgs = static_cast<std::uint64_t>((*usage)->int64(2)), ubytes = static_cast<std::uint64_t>((*usage)->int64(3));
  (*usage)->reset();
  const std::uint64_t size = r.data.size();
  auto full = [&] {
    return Error(Errc::QuotaExceeded, "this account's storage quota on this node is used up (" + std::to_string(msgs) + " messages, " +
                                          std::to_string(bytes) + " bytes)");
  };
  if (!is_unsigned(r.ns)) {  // signed: the whole quota, less what unsigned messages hold
    if (msgs + 1 > limits_.max_account_messages || bytes + size > limits_.max_account_bytes) return full();
    return {};
  }
  const std::uint64_t umax_msgs = limits_.max_account_messages * limits_.unsigned_share_percent / 100;
  const std::uint64_t umax_bytes = limits_.max_account_bytes * limits_.unsigned_share_percent / 100;
  if (umax_msgs == 0 || size > umax_bytes) return full();
  // What must go for this one to fit both the unsigned share and the whole quota.
  auto over = [](std::uint64_t have, std::uint64_t add, std::uint64_t cap) { return have + add > cap ? have + add - cap : 0; };
  std::uint64_t need_msgs = std::max(over(umsgs, 1, umax_msgs), over(msgs, 1, limits_.max_account_messages));
  std::uint64_t need_bytes = std::max(over(ubytes, size, umax_bytes), over(bytes, size, limits_.max_account_bytes));
  if (need_msgs == 0 && need_bytes == 0) return {};
  auto freed = evict_unsigned(account, r.ns, need_msgs, need_bytes);
  if (!freed) return std::move(freed).error();
  if (freed->first < need_msgs || freed->second < need_bytes) return full();  // the signed messages fill the quota
  return {};
}

Result<std::pair<std::uint64_t, std::uint64_t>> MessageStore::evict_unsigned(std::int64_t account, Namespace ns, std::uint64_t msgs,
                                                                              std::uint64_t bytes) {
  std::pair<std::uint64_t, std::uint64_t> freed{0, 0};
  // The store's own namespace by its index first; any unsigned one (a slower scan) after.
  for (const char* sql : {"SELECT id, length(data) FROM messages WHERE account = ?1 AND namespace = ?2 ORDER BY id LIMIT 64",
                          "SELECT id, length(data) FROM messages WHERE account = ?1 AND namespace % 10 = 0 ORDER BY id LIMIT 64"}) {
    while (freed.first < msgs || freed.second < bytes) {
      auto pick = db_->prepare(sql);
      if (!pick) return std::move(pick).error();
      (*pick)->bind(1, account);
      if (std::string_view(sql).find("?2") != std::string_view::npos) (*pick)->bind(2, std::int64_t{ns});
      std::vector<std::int64_t> ids;
      for (;;) {
        auto row = (*pick)->step();
        if (!row) return std::move(row).error();
        if (!*row || (freed.first >= msgs && freed.second >= bytes)) break;
        ids.push_back((*pick)->int64(0));
        ++freed.first;
        freed.second += static_cast<std::uint64_t>((*pick)->int64(1));
      }
      (*pick)->reset();
      if (ids.empty()) break;
      for (auto i : ids) {
        auto del = db_->prepare("DELETE FROM messages WHERE id = ?1");  // cached, and reset for each
        if (!del) return std::move(del).error();
        if (auto d = (*del)->bind(1, i).run(); !d) return std::move(d).error();
      }
      evicted_ += ids.size();
    }
  }
  return freed;
}

}  // namespace sotto::node::storage
