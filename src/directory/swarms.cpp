#include "directory/swarms.hpp"

#include <algorithm>
#include <deque>
#include <vector>

#include "crypto/hash.hpp"

namespace sotto::directory {

std::uint64_t SwarmRng::next() {
  std::uint8_t in[40];
  std::copy(seed_.begin(), seed_.end(), in);
  base::store_be(in + 32, counter_++);
  auto h = crypto::blake2b_256(ByteView(in, sizeof in));
  return base::load_be<std::uint64_t>(h.data());
}

std::uint64_t SwarmRng::uniform(std::uint64_t n) {
  const std::uint64_t rem = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    std::uint64_t r = next();
    if (rem == 0 || r < 0 - rem) return r % n;  // 0 - rem = 2^64 - rem
  }
}

std::optional<std::uint64_t> new_swarm_id(std::span<const std::uint64_t> ids) {
  if (ids.empty()) return std::uint64_t{1} << 63;
  // Gaps as (size, start); size 2^64 (one id) does not fit a u64, so count it apart.
  if (ids.size() == 1) return ids[0] + (std::uint64_t{1} << 63);
  std::uint64_t best_start = 0, best_gap = 0;
  bool found = false;
  for (std::size_t j = 0; j < ids.size(); ++j) {
    std::uint64_t start = ids[j];
    std::uint64_t gap = j + 1 < ids.size() ? ids[j + 1] - start : ids[0] - start;  // wraps mod 2^64
    // Ties go to the lowest start: starts are visited ascending, so only a larger gap wins.
    if (!found || gap > best_gap) best_start = start, best_gap = gap, found = true;
  }
  if (best_gap < 2) return std::nullopt;
  return best_start + best_gap / 2;
}

namespace {

struct Swarm {
  std::uint64_t id;
  std::vector<ByteArray<32>> members;  // kept in key order
};

class Assigner {
 public:
  Assigner(std::span<const SwarmNode> nodes, const SwarmParams& p, const ByteArray<32>& seed) : p_(p), rng_(seed) {
    for (const auto& n : nodes) {
      auto o = n.ip.rfind('.');
      net24_[n.key] = n.ip.substr(0, o == std::string::npos ? n.ip.size() : o);
    }
  }

  Assignment run(std::span<const SwarmNode> nodes, const Assignment& previous) {
    std::vector<ByteArray<32>> keys;
    for (const auto& n : nodes) keys.push_back(n.key);
    std::sort(keys.begin(), keys.end());
    // Start: the previous swarms of the nodes still here; everyone else in the pool.
    std::map<std::uint64_t, Swarm> by_id;
    for (const auto& k : keys) {
      auto it = previous.find(k);
      if (it != previous.end() && it->second != kUnassigned) {
        auto& s = by_id[it->second];
        s.id = it->second;
        s.members.push_back(k);
      } else {
        pool_.push_back(k);
      }
    }
    for (auto& [id, s] : by_id) swarms_.push_back(std::move(s));  // ascending id
    // Dissolve the swarms under min.
    for (auto it = swarms_.begin(); it != swarms_.end();) {
      if (static_cast<int>(it->members.size()) < p_.min) {
        for (const auto& k : it->members) to_pool(k);
        it = swarms_.erase(it);
      } else {
        ++it;
      }
    }
    place();
    split();
    if (swarms_.empty() && !pool_.empty()) {  // a network smaller than `ideal`
      Swarm s{std::uint64_t{1} << 63, {}};
      while (!pool_.empty() && static_cast<int>(s.members.size()) < p_.max) {
        s.members.push_back(pool_.front());
        pool_.pop_front();
      }
      std::sort(s.members.begin(), s.members.end());
      swarms_.push_back(std::move(s));
    }
    place();
    balance();
    Assignment out;
    for (const auto& s : swarms_)
      for (const auto& k : s.members) out[k] = s.id;
    for (const auto& k : pool_) out[k] = kUnassigned;
    return out;
  }

 private:
  void to_pool(const ByteArray<32>& k) { pool_.insert(std::upper_bound(pool_.begin(), pool_.end(), k), k); }
  static void add(Swarm& s, const ByteArray<32>& k) { s.members.insert(std::upper_bound(s.members.begin(), s.members.end(), k), k); }
  int size(const Swarm& s) const { return static_cast<int>(s.members.size()); }
  std::vector<int> sizes() const {
    std::vector<int> v;
    for (const auto& s : swarms_) v.push_back(size(s));
    std::sort(v.begin(), v.end());
    return v;
  }
  bool shares_24(const Swarm& s, const ByteArray<32>& k) const {
    const auto& n = net24_.at(k);
    return std::any_of(s.members.begin(), s.members.end(), [&](const auto& m) { return net24_.at(m) == n; });
  }
  // swarms_ is kept in ascending id.
  void insert_swarm(Swarm s) {
    auto at = std::upper_bound(swarms_.begin(), swarms_.end(), s.id, [](std::uint64_t id, const Swarm& x) { return id < x.id; });
    swarms_.insert(at, std::move(s));
  }

  void place() {
    std::deque<ByteArray<32>> left;
    for (const auto& k : pool_) {
      bool open = std::any_of(swarms_.begin(), swarms_.end(), [&](const Swarm& s) { return size(s) < p_.max; });
      if (!open) {
        left.push_back(k);
        continue;
      }
      auto sz = sizes();
      int p25 = sz[(sz.size() - 1) / 4];
      std::vector<Swarm*> candidates;
      for (auto& s : swarms_)
        if (size(s) < p_.max && size(s) <= p25 && !shares_24(s, k)) candidates.push_back(&s);
      Swarm* to = nullptr;
      if (!candidates.empty()) {
        to = candidates[rng_.uniform(candidates.size())];
      } else {
        for (auto& s : swarms_)
          if (size(s) < p_.max && (!to || size(s) < size(*to))) to = &s;  // ascending id: ties keep the lowest
      }
      add(*to, k);
    }
    pool_ = std::move(left);
  }

  void split() {
    for (;;) {
      long excess = static_cast<long>(pool_.size());
      for (const auto& s : swarms_) excess += std::max(0, size(s) - p_.min);
      if (excess < p_.ideal + 2 * static_cast<long>(swarms_.size())) return;
      std::vector<std::uint64_t> ids;
      for (const auto& s : swarms_) ids.push_back(s.id);
      auto id = new_swarm_id(ids);
      if (!id) return;
      Swarm fresh{*id, {}};
      while (size(fresh) < p_.ideal) {
        if (!pool_.empty()) {
          add(fresh, pool_.front());
          pool_.pop_front();
          continue;
        }
        Swarm* big = largest();
        if (!big || size(*big) <= p_.min) break;
        auto i = rng_.uniform(big->members.size());
        add(fresh, big->members[i]);
        big->members.erase(big->members.begin() + static_cast<std::ptrdiff_t>(i));
      }
      insert_swarm(std::move(fresh));
    }
  }

  // Largest by (size desc, id asc); swarms_ is ascending id, so the first of the largest.
  Swarm* largest() {
    Swarm* best = nullptr;
    for (auto& s : swarms_)
      if (!best || size(s) > size(*best)) best = &s;
    return best;
  }

  void balance() {
    while (!swarms_.empty()) {
      Swarm* low = nullptr;
      for (auto& s : swarms_)
        if (!low || size(s) < size(*low)) low = &s;
      Swarm* high = largest();
      auto sz = sizes();
      int p75 = sz[3 * (sz.size() - 1) / 4];
      if (!(size(*low) < p_.min && size(*high) > p75 && size(*high) > p_.min)) return;
      auto i = rng_.uniform(high->members.size());
      add(*low, high->members[i]);
      high->members.erase(high->members.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  SwarmParams p_;
  SwarmRng rng_;
  std::map<ByteArray<32>, std::string> net24_;
  std::vector<Swarm> swarms_;
  std::deque<ByteArray<32>> pool_;  // in key order
};

}  // namespace

Assignment assign_swarms(std::span<const SwarmNode> nodes, const Assignment& previous, const SwarmParams& params,
                         const ByteArray<32>& seed) {
  return Assigner(nodes, params, seed).run(nodes, previous);
}

}  // namespace sotto::directory
