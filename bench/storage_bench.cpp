// storage_bench: the node's MessageStore on a real file (WAL, synchronous=FULL).
//
//  - stores of 1 KiB, one transaction each (the ceiling a naive node is bound by)
//    against group commit (64 stores per transaction, as the node will batch concurrent
//    stores), measured in the same run;
//  - retrieves of 10 messages from mailboxes of 100 and of 10,000 messages: with the
//    (account, namespace, id) index the cost must not grow with the mailbox (Session's
//    storage server reads and sorts the whole mailbox first).
// Prints its figures; asserts nothing.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "node/storage/message_store.hpp"
#include "report.hpp"

using namespace sotto;
using namespace sotto::node::storage;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

AccountKey account(std::uint32_t n) {
  AccountKey k{};
  k[0] = 0x05;
  base::store_be(k.data() + 1, n);
  return k;
}

struct Gen {
  base::SeededRng rng{42};
  Bytes data = Bytes(1024, 0x42);
  StoreRequest make(std::uint32_t acct) {
    StoreRequest r{account(acct), 0, {}, kNow, kNow + 86'400'000, data};
    rng.fill(r.hash);
    return r;
  }
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::unique_ptr<MessageStore> open_fresh(const std::string& path) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  auto s = MessageStore::open(path);
  if (!s) {
    std::fprintf(stderr, "open: %s\n", s.error().message().c_str());
    std::exit(1);
  }
  return std::move(*s);
}

double stores_per_second(MessageStore& db, Gen& g, std::size_t total, std::size_t batch) {
  std::vector<StoreRequest> reqs;
  auto t = Clock::now();
  for (std::size_t done = 0; done < total; done += batch) {
    reqs.clear();
    for (std::size_t i = 0; i < batch; ++i) reqs.push_back(g.make(static_cast<std::uint32_t>((done + i) % 1000)));
    if (!db.store_batch(reqs)) std::exit(1);
  }
  return static_cast<double>(total) / seconds_since(t);
}

double retrieves_per_second(MessageStore& db, std::uint32_t acct, std::size_t rounds) {
  auto t = Clock::now();
  std::size_t got = 0;
  for (std::size_t i = 0; i < rounds; ++i) {
    auto r = db.retrieve(account(acct), 0, std::nullopt, 10, 1 << 20, kNow);
    if (!r) std::exit(1);
    got += r->messages.size();
  }
  if (got != rounds * 10) std::exit(1);
  return static_cast<double>(rounds) / seconds_since(t);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : std::filesystem::temp_directory_path().string();
  std::string path = dir + "/sotto-storage-bench.db";
  Gen g;

  std::printf("storage_bench: %s (WAL, synchronous=FULL), 1 KiB messages\n", path.c_str());
  double single = 0, grouped = 0;
  for (int round = 0; round < 3; ++round) {  // interleaved, to share the machine's noise
    auto a = open_fresh(path);
    single += stores_per_second(*a, g, 1000, 1) / 3;
    a.reset();
    auto b = open_fresh(path);
    grouped += stores_per_second(*b, g, 16000, 64) / 3;
  }
  std::printf("  stores/s, one transaction each (ceiling of a naive node): %10.0f\n", single);
  std::printf("  stores/s, group commit of 64:                             %10.0f  (x%.1f)\n", grouped, grouped / single);
  sotto::bench::Report report("storage");
  report.figure("stores/s, group commit of 64 (1 KiB, WAL, synchronous=FULL)", grouped, "/s", "one transaction per store", single, true);

  auto db = open_fresh(path);
  // Account 1: 100 messages; account 2: 10,000; other accounts fill the table around them.
  std::vector<StoreRequest> reqs;
  auto fill = [&](std::uint32_t acct, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 500) {
      reqs.clear();
      for (std::size_t j = 0; j < 500 && i + j < n; ++j) reqs.push_back(g.make(acct));
      if (!db->store_batch(reqs)) std::exit(1);
    }
  };
  fill(1, 100);
  fill(2, 10'000);
  for (std::uint32_t a = 3; a < 50; ++a) fill(a, 200);
  double small = 0, large = 0;
  for (int round = 0; round < 3; ++round) {
    small += retrieves_per_second(*db, 1, 20'000) / 3;
    large += retrieves_per_second(*db, 2, 20'000) / 3;
  }
  std::printf("  retrieves/s of 10 from a mailbox of 100:                  %10.0f\n", small);
  std::printf("  retrieves/s of 10 from a mailbox of 10,000:               %10.0f  (ratio %.2f)\n", large, large / small);
  report.figure("retrieves/s of 10 from a mailbox of 10,000", large, "/s", "from a mailbox of 100", small, true);
  auto s = db->stats();
  std::printf("  database: %llu messages, %.1f MB on disk\n", static_cast<unsigned long long>(s->messages),
              static_cast<double>(s->db_bytes) / 1e6);
  db.reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return report.write() ? 0 : 1;
}
