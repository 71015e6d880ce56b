// bench/backup: backup and restore throughput of a large history on a loopback devnet (3
// authorities, 12 nodes), beside the raw store and retrieve throughput of the same devnet
// measured in the same run: 64 KiB blobs stored one at a time straight to a member of the
// account's swarm, then retrieved back page by page. The backup goes through onion paths
// (as a user's does), is compressed and encrypted; its figure is MB of history per second.
//
//   backup [--mb N]   (default 50: N MB of message bodies)

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/rng.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "crypto/hash.hpp"
#include "net/client.hpp"
#include "api/https_transport.hpp"
#include "proto/signed_strings.hpp"
#include "devnet/devnet_fixture.hpp"
#include "devnet/person.hpp"
#include "report.hpp"
#include "support/process.hpp"

namespace {

using namespace sotto;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 50;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--mb") mb = std::max(1.0, std::atof(argv[i + 1]));

  try {
    devnet::Devnet dn;  // 3 authorities, 12 nodes; down when it goes out of scope
    test::TempDir& tmp = dn.tmp;
    std::string network_json = read_all(dn.dir + "/network.json");
    base::SystemRng rng;
    crypto::Seed16 seed;
    rng.fill(seed.span());
    devnet::Person laptop("laptop", tmp.sub("laptop"), network_json, &seed);
    // A history of `mb` MB of bodies: 1 KB each, text that compresses about as chat does
    // (words from a small vocabulary), over 5 conversations.
    static const char* kWords[] = {"the", "dinner", "friday", "see", "you", "there", "ok", "thanks", "great", "tomorrow", "at", "8",
                                   "pm", "where", "are", "we", "meeting", "call", "me", "later", "sounds", "good", "love", "it"};
    std::size_t n = static_cast<std::size_t>(mb * 1000);
    std::vector<client::StoredMessage> all;
    std::uint64_t x = 88172645463325252ULL;
    std::size_t body_bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
      client::StoredMessage m;
      m.peer = "05" + std::string(63, 'e') + std::to_string(i % 5);
      m.direction = i % 2 ? client::Direction::Outgoing : client::Direction::Incoming;
      while (m.body.size() < 1000) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        m.body += kWords[x % (sizeof kWords / sizeof *kWords)];
        m.body += ' ';
      }
      body_bytes += m.body.size();
      m.timestamp_ms = m.local_ms = 1'790'000'000'000 + static_cast<std::int64_t>(i);
      m.hash = base::to_base64(crypto::blake2b_256(as_bytes(std::to_string(i))), base::Padding::No);
      m.state = m.direction == client::Direction::Outgoing ? client::DeliveryState::Sent : client::DeliveryState::Received;
      all.push_back(std::move(m));
    }
    if (!laptop.m->store().import({}, {}, all)) throw std::runtime_error("import");
    double history_mb = static_cast<double>(body_bytes) / 1e6;

    auto b0 = Clock::now();
    auto b = laptop.m->backup_now();
    double tb = seconds_since(b0);
    if (!b) throw std::runtime_error("backup: " + b.error().message());

    devnet::Person phone("phone", tmp.sub("phone"), network_json, &seed);
    auto r0 = Clock::now();
    auto r = phone.m->restore_backup();
    double tr = seconds_since(r0);
    if (!r) throw std::runtime_error("restore: " + r.error().message());

    // Baseline: the same bytes as the backup's chunks, as 64 KiB blobs stored one at a time
    // straight to a member of a fresh account's swarm, then retrieved back.
    crypto::Seed16 seed2;
    rng.fill(seed2.span());
    devnet::Person raw("raw", tmp.sub("raw"), network_json, &seed2);
    auto keys = raw.profile.load_keys(nullptr);
    std::string account = crypto::account_id_of(*keys).hex();
    client::NetworkView view = *client::NetworkView::open(raw.profile, base::SystemClock().now_ms() / 1000);
    auto members = view.swarm_of(crypto::AccountId::parse(account)->bytes());
    net::HttpClient direct(members[0].ip, members[0].port_https, true, std::chrono::seconds(60));
    std::size_t blobs = (b->bytes + 65535) / 65536;
    auto s0 = Clock::now();
    for (std::size_t i = 0; i < blobs; ++i) {
      Bytes blob(65536);
      rng.fill(blob);
      std::int64_t ts = base::SystemClock().now_ms();
      auto sig = crypto::sign(keys->ed25519_secret(), as_bytes(proto::signed_store(31, ts)));
      json req{{"method", "store"},
               {"params", {{"pubkey", account}, {"pubkey_ed25519", keys->ed25519_public().hex()}, {"namespace", 31}, {"timestamp", ts},
                           {"ttl", 86'400'000}, {"data", base::to_base64(blob)}, {"signature", base::to_base64(sig)}}}};
      auto s = direct.post("/storage_rpc/v1", req.dump());
      if (!s || s->status != 200) throw std::runtime_error("baseline store failed");
    }
    double ts_store = seconds_since(s0);
    auto g0 = Clock::now();
    std::string last;
    std::size_t got = 0;
    for (int page = 0; page < 10'000; ++page) {
      std::int64_t ts = base::SystemClock().now_ms();
      auto sig = crypto::sign(keys->ed25519_secret(), as_bytes(proto::signed_retrieve(31, ts)));
      json req{{"method", "retrieve"},
               {"params", {{"pubkey", account}, {"pubkey_ed25519", keys->ed25519_public().hex()}, {"namespace", 31}, {"timestamp", ts},
                           {"signature", base::to_base64(sig)}, {"last_hash", last}}}};
      auto s = direct.post("/storage_rpc/v1", req.dump());
      if (!s || s->status != 200) throw std::runtime_error("baseline retrieve failed");
      json j = json::parse(s->body);
      for (const auto& m : j["messages"]) last = m["hash"], ++got;
      if (!j["more"].get<bool>() || j["messages"].empty()) break;
    }
    double ts_get = seconds_since(g0);
    double raw_mb = static_cast<double>(blobs * 65536) / 1e6;

    std::printf("backup of a %.1f MB history (%zu messages, 5 conversations) on the loopback devnet (12 nodes, swarms of 6):\n", history_mb, n);
    std::printf("  encrypted chunks: %zu, %.1f MB (%.0f%% of the history), in %zu parts\n", b->chunks, static_cast<double>(b->bytes) / 1e6,
                100.0 * static_cast<double>(b->bytes) / 1e6 / history_mb, b->parts_uploaded);
    std::printf("  backup through onion paths:  %6.1f s = %5.2f MB/s of history (%5.2f MB/s stored)\n", tb, history_mb / tb,
                static_cast<double>(b->bytes) / 1e6 / tb);
    std::printf("  restore through onion paths: %6.1f s = %5.2f MB/s of history; %zu messages restored\n", tr, history_mb / tr, r->added);
    std::printf("  baseline, same run: %zu blobs of 64 KiB (%.1f MB) straight to one member:\n", blobs, raw_mb);
    std::printf("    store    %6.1f s = %5.2f MB/s   (backup stores at %.0f%% of it)\n", ts_store, raw_mb / ts_store,
                100.0 * (static_cast<double>(b->bytes) / 1e6 / tb) / (raw_mb / ts_store));
    std::printf("    retrieve %6.1f s = %5.2f MB/s   (%zu blobs back; restore reads at %.0f%% of it)\n", ts_get, raw_mb / ts_get, got,
                100.0 * (static_cast<double>(b->bytes) / 1e6 / tr) / (raw_mb / ts_get));
    sotto::bench::Report report("backup");
    report.fact("history backed up", history_mb, "MB");
    report.figure("backup through onion paths: encrypted chunks stored", static_cast<double>(b->bytes) / 1e6 / tb, "MB/s",
                  "64 KiB blobs stored straight at one member", raw_mb / ts_store, true);
    report.figure("restore through onion paths: encrypted chunks read, checked and written", static_cast<double>(b->bytes) / 1e6 / tr, "MB/s",
                  "64 KiB blobs retrieved straight from one member", raw_mb / ts_get, true);
    report.fact("backup, MB of history per second", history_mb / tb, "MB/s");
    report.fact("restore, MB of history per second", history_mb / tr, "MB/s");
    if (!report.write()) return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "backup bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
