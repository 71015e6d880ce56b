// sotto-node: the service node daemon. Wiring only: configuration, identity, TLS
// certificate, message store, the storage RPC behind the HTTPS server, metrics on the
// admin port, the expiry sweep, and a clean shutdown on SIGTERM/SIGINT.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

#include "base/clock.hpp"
#include "base/fd_io.hpp"
#include "base/log.hpp"
#include "base/rng.hpp"
#include "common/tls_files.hpp"
#include "config.hpp"
#include "network.hpp"
#include "long_poll.hpp"
#include "onion_relay.hpp"
#include "net/executor.hpp"
#include "net/server.hpp"
#include "net/tls_cert.hpp"
#include "node/identity.hpp"
#include "node/metrics.hpp"
#include "node/rpc/handler.hpp"

namespace fs = std::filesystem;
using namespace sotto;

namespace {

int fail(const std::string& why) {
  log::error("startup_failed", {log::kv("reason", base::Plain(why))});
  std::cerr << "sotto-node: " << why << std::endl;
  return 1;
}

// Read-only connections for the I/O threads, one per thread in use at a time.
class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}
  Result<void> add() {
    auto r = node::storage::MessageStore::open_reader(path_);
    if (!r) return std::move(r).error();
    give(std::move(*r));
    return {};
  }
  // A reader of its own for the caller; a new one if all are in use (more threads than
  // were counted), so nobody waits.
  Result<std::unique_ptr<node::storage::MessageStore>> take() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        auto r = std::move(free_.back());
        free_.pop_back();
        return r;
      }
    }
    return node::storage::MessageStore::open_reader(path_);
  }
  void give(std::unique_ptr<node::storage::MessageStore> r) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(r));
  }
  void close_all() {
    std::lock_guard lock(mu_);
    free_.clear();
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<node::storage::MessageStore>> free_;
};

}  // namespace

int main(int argc, char** argv) {
  net::block_shutdown_signals();  // before any thread starts: signals wait for the clean path
  apps::NodeConfig cfg;
  std::string config_file, listen, admin, data_dir, log_level, public_ip, network_file;
  CLI::App app{"sotto-node: a sotto service node. Stores end-to-end encrypted messages for the accounts of its swarm."};
  app.set_version_flag("--version", "sotto-node 0.1.0");
  app.add_option("--config", config_file, "TOML config file (flags override it)")->check(CLI::ExistingFile);
  app.add_option("--data-dir", data_dir, "Where the node keeps its key, certificate and messages");
  app.add_option("--listen", listen, "HTTPS address for clients and nodes, HOST:PORT (port 0: any free port)");
  app.add_option("--admin-listen", admin, "Plain-HTTP address for /metrics, HOST:PORT (default 127.0.0.1:22025)");
  app.add_option("--public-ip", public_ip, "The IP this node announces (default: the listen address)");
  app.add_option("--log-level", log_level, "debug, info, warn or error");
  app.add_option("--network", network_file, "network.json of the network to join (default: serve alone)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!config_file.empty())
    if (auto r = apps::load_toml(config_file, cfg); !r) {
      std::cerr << "sotto-node: " << r.error().message() << std::endl;
      return 2;
    }
  if (!data_dir.empty()) cfg.data_dir = data_dir;
  if (!public_ip.empty()) cfg.public_ip = public_ip;
  if (!network_file.empty()) cfg.network = network_file;
  if (!log_level.empty()) cfg.log_level = log_level;
  for (auto [text, target] : {std::pair{&listen, &cfg.listen}, std::pair{&admin, &cfg.admin}})
    if (!text->empty()) {
      auto hp = apps::parse_host_port(*text);
      if (!hp) {
        std::cerr << "sotto-node: " << hp.error().message() << std::endl;
        return 2;
      }
      *target = *hp;
    }
  if (cfg.public_ip.empty() && (cfg.listen.host == "0.0.0.0" || cfg.listen.host == "::")) {
    std::cerr << "sotto-node: listening on " << cfg.listen.host
              << " needs public_ip (--public-ip or the config): it is the address get_swarm announces" << std::endl;
    return 2;
  }
  if (!cfg.record_onion.empty() && cfg.network.empty()) {
    std::cerr << "sotto-node: record_onion is a test-only switch for a devnet; this node is in no network" << std::endl;
    return 2;
  }
  if (!log::set_level(cfg.log_level)) {
    std::cerr << "sotto-node: unknown log level '" << cfg.log_level << "'" << std::endl;
    return 2;
  }

  fs::path dir(cfg.data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create the data dir " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return fail("cannot make the data dir " + dir.string() + " private: " + ec.message());

  base::SystemRng rng;
  bool created = false;
  auto keys = node::load_or_create_identity(dir, rng, created);
  if (!keys) return fail(keys.error().message());
  auto cert = apps::load_or_create_certificate(dir, "sotto-node " + keys->ed25519_public().hex().substr(0, 16));
  if (!cert) return fail(cert.error().message());
  auto store = node::storage::MessageStore::open((dir / "messages.db").string(), cfg.limits);
  if (!store) return fail(store.error().message());

  base::SystemClock clock;
  node::Metrics metrics;
  net::SerialExecutor storage;  // the MessageStore is used from this thread only
  std::string announced_ip = cfg.public_ip.empty() ? cfg.listen.host : cfg.public_ip;
  // Retrieves waiting for a message (the `wait` extension); woken after each write on the
  // storage thread by what it newly stored.
  apps::LongPolls polls;
  std::function<void()> wake = [&] {
    auto fresh = (*store)->take_fresh();
    if (fresh.empty()) return;
    std::vector<std::string> keys_woken;
    keys_woken.reserve(fresh.size());
    for (const auto& [account, ns] : fresh) keys_woken.push_back(node::rpc::wait_key(account, ns));
    polls.notify(keys_woken);
  };

  net::ServerConfig pub;
  pub.host = cfg.listen.host;
  pub.port = cfg.listen.port;
  pub.cert_pem = cert->cert;
  pub.key_pem = cert->key;
  pub.threads = cfg.threads;
  pub.rate_per_second = cfg.rate_per_second;
  pub.rate_burst = cfg.rate_burst;
  pub.max_connections = cfg.max_connections;
  pub.max_connections_per_ip = cfg.max_connections_per_ip;

  // In a network, the swarms come from the consensus; alone, this node is the one swarm
  // (built once the port is known: port 0 picks one).
  std::unique_ptr<apps::NetworkMode> network;
  if (!cfg.network.empty()) {
    std::ifstream nf(cfg.network);
    if (!nf) return fail("cannot read the network file " + cfg.network);
    std::string text((std::istreambuf_iterator<char>(nf)), {});
    auto net = directory::parse_network(text);
    if (!net) return fail(cfg.network + ": " + net.error().message());
    if (!cfg.record_onion.empty() && net->network_id.rfind("sotto-devnet-", 0) != 0)
      return fail("record_onion is a test-only switch: it is refused outside a devnet (network_id sotto-devnet-…), and this network is " +
                  net->network_id);
    network = std::make_unique<apps::NetworkMode>(
        *net, *keys, announced_ip, (dir / "messages.db").string(),
        [&](std::vector<node::storage::StoreRequest> reqs, std::function<void(Result<void>)> done) {
          storage.post([&store, &wake, reqs = std::move(reqs), done = std::move(done)] {
            auto r = (*store)->store_batch(reqs);
            wake();
            if (!r) return done(std::move(r).error());
            done({});
          });
        });
  }
  // Relays, replication and pushes come from other nodes, each carrying many clients'
  // traffic: on the node-to-node endpoints, the per-IP rate limit is for clients only
  // (anything else from a node's address is limited as a client's would be).
  if (network)
    pub.rate_exempt = [nm = network.get()](const std::string& ip, const std::string& target) {
      return (target == "/onion_req/v2" || target.rfind("/sotto/v1/", 0) == 0) && nm->is_node_ip(ip);
    };
  std::unique_ptr<node::SingleNodeSwarm> single;
  node::SwarmView* swarm = network ? static_cast<node::SwarmView*>(&network->swarm()) : nullptr;
  std::unique_ptr<node::rpc::Context> ctx;
  std::string ping_key = base::to_base64(keys->ed25519_public().bytes);

  // Readers: retrieve, get_expiries and every other request that writes nothing run on
  // the I/O threads with a read-only connection each (WAL lets them read beside the
  // writer); they see every committed store, so an acknowledged store is retrievable.
  ReaderPool readers((dir / "messages.db").string());
  for (int i = 0; i < std::max(1, cfg.threads); ++i)
    if (auto r = readers.add(); !r) return fail(r.error().message());

  // Group commit: the I/O threads parse, check, verify and sign (rpc::prepare); what
  // writes queues up while the storage thread works. It takes up to kMaxGroup of them,
  // runs them in one transaction and answers them only after that transaction's COMMIT
  // is on disk. If the commit fails, every answer in the group becomes a 500: nothing is
  // acknowledged that was not stored.
  constexpr std::size_t kMaxGroup = 256;
  constexpr std::size_t kMaxQueuedBytes = 64 * 1024 * 1024;  // beyond: 503, never unbounded memory
  struct Queued {
    node::rpc::Pending work;
    std::size_t bytes;  // what it holds in memory (about), counted against kMaxQueuedBytes
    std::function<void(node::rpc::Reply)> done;  // answers the client (after replicating, for a write)
    std::chrono::steady_clock::time_point start;
  };
  std::mutex queue_mu;
  std::vector<Queued> queue;  // guarded by queue_mu
  std::size_t queued_bytes = 0;  // guarded by queue_mu
  bool drain_posted = false;   // guarded by queue_mu
  using Done = std::function<void(node::rpc::Reply)>;
  auto answer = [&](const Done& done, node::rpc::Reply r, std::chrono::steady_clock::time_point start) {
    metrics.request(r.method, r.status);
    if (r.method == "store" || r.method == "retrieve")
      metrics.latency(r.method, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    done(std::move(r));
  };
  // Commit pacing: a group starts no sooner than commit_interval after the last commit
  // ended, so the node does at most one fsync per interval however the load arrives
  // (requests that come meanwhile join the group). An idle node commits at once.
  const auto commit_interval = std::chrono::milliseconds(cfg.commit_interval_ms);
  auto last_commit = std::chrono::steady_clock::now() - commit_interval;  // storage thread only
  // WAL checkpoints run here, on the storage thread, between groups and after their
  // answers: every kCheckpointEvery under load (up to kCheckpointAtMost while more stores
  // are queued), so that each copies little and its database fsync never runs beside a
  // commit's fsync (on a thread of its own, every 250 ms, one in a hundred commits waited
  // 5-20 ms behind it). SQLite's own checkpoint inside a commit (at 1,000 pages) stays as
  // a backstop and then finds little to do.
  constexpr auto kCheckpointEvery = std::chrono::milliseconds(10), kCheckpointAtMost = std::chrono::milliseconds(50);
  auto last_checkpoint = std::chrono::steady_clock::now();  // storage thread only
  auto checkpoint = [&] {
    last_checkpoint = std::chrono::steady_clock::now();
    auto p = (*store)->checkpoint();
    if (!p) return log::error("checkpoint_failed", {log::kv("reason", base::Plain(p.error().message()))});
    metrics.gauge("wal_frames", static_cast<double>(p->wal_frames));
  };
  std::function<void()> drain = [&] {
    if (auto wait = last_commit + commit_interval - std::chrono::steady_clock::now(); wait > wait.zero())
      std::this_thread::sleep_for(wait);
    std::vector<Queued> group;
    bool more = false;
    {
      std::lock_guard lock(queue_mu);
      std::size_t n = std::min(queue.size(), kMaxGroup);
      group.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.begin() + static_cast<std::ptrdiff_t>(n)));
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
      for (const auto& q : group) queued_bytes -= q.bytes;
      more = !queue.empty();
      drain_posted = more;
    }
    if (more) storage.post(drain);
    if (group.empty()) return;
    // Always a group, even of one: the commit is then timed in one place.
    bool grouped = static_cast<bool>((*store)->begin_group());
    std::vector<node::rpc::Reply> replies;
    replies.reserve(group.size());
    for (auto& q : group) {
      // Once SQLite has rolled the group back, nothing more may run in it.
      if (grouped && (*store)->group_broken()) replies.push_back({500, "the node could not commit to its database", false, {}, {}, {}});
      else replies.push_back(node::rpc::apply(*ctx, q.work));
    }
    auto commit_start = std::chrono::steady_clock::now();
    if (grouped) {
      if (auto c = (*store)->end_group(); !c) {
        log::error("group_commit_failed", {log::kv("requests", group.size()), log::kv("reason", base::Plain(c.error().message()))});
        for (auto& r : replies) r = {500, "the node could not commit to its database", false, r.method, {}, {}};
      }
    }
    last_commit = std::chrono::steady_clock::now();
    double commit_s = std::chrono::duration<double>(last_commit - commit_start).count();
    if (grouped) metrics.latency("commit", commit_s);
    if (commit_s > 0.05) log::warn("slow_commit", {log::kv("ms", static_cast<std::int64_t>(commit_s * 1000)), log::kv("requests", group.size())});
    metrics.count("group_commits", "size", group.size() >= 64 ? "64+" : group.size() >= 8 ? "8-63" : group.size() > 1 ? "2-7" : "1");
    for (std::size_t i = 0; i < group.size(); ++i) answer(group[i].done, std::move(replies[i]), group[i].start);
    wake();
    // More stores already waiting (a load near the peak): they go first, and the
    // checkpoint waits up to kCheckpointAtMost, so that it copies more at a time.
    auto since = std::chrono::steady_clock::now() - last_checkpoint;
    bool waiting = false;
    if (since >= kCheckpointEvery && since < kCheckpointAtMost) {
      std::lock_guard lock(queue_mu);
      waiting = !queue.empty();
    }
    if (since >= kCheckpointAtMost || (since >= kCheckpointEvery && !waiting)) checkpoint();
  };

  // rpc::prepare() with a reader of the pool; a 500 reply if none could be opened.
  auto prepare = [&](std::string_view body, bool may_wait) {
    node::rpc::Prepared prepared;
    auto reader = readers.take();
    if (!reader) {
      log::error("reader_failed", {log::kv("reason", base::Plain(reader.error().message()))});
      prepared.reply = node::rpc::Reply{500, "the node could not open its database", false, {}, {}, {}};
      return prepared;
    }
    struct GiveBack {  // the reader returns to the pool however prepare() ends
      ReaderPool& pool;
      std::unique_ptr<node::storage::MessageStore>& r;
      ~GiveBack() { pool.give(std::move(r)); }
    } give_back{readers, *reader};
    node::rpc::Context read_ctx{**reader, clock, *keys, *swarm, may_wait};
    prepared = node::rpc::prepare(read_ctx, body);
    return prepared;
  };

  // One storage RPC request: prepared on this I/O thread, queued for the storage thread if
  // it writes. In a network, a client's single store that succeeded here goes on to every
  // swarm peer (`replicate`), and the reply carries each member's result. A retrieve that
  // finds nothing and asks to wait (`may_wait`: a client's request) is held in `polls`.
  std::function<void(std::string, net::Reply, bool, bool)> storage_rpc = [&](std::string body, net::Reply reply, bool replicate,
                                                                             bool may_wait) {
    {
      auto start = std::chrono::steady_clock::now();
      if (network && !network->has_consensus()) {
        reply({503, "this node has no consensus of its network yet; try another node", "text/plain", {}});
        return;
      }
      // A held request keeps its body: only small ones (a retrieve is well under 1 KiB) wait.
      constexpr std::size_t kMaxWaitingBody = 4096;
      node::rpc::Prepared prepared = prepare(body, may_wait && body.size() <= kMaxWaitingBody);
      if (prepared.reply && prepared.reply->wait) {
        // Held until a message for it is stored here or its time is up; then run again
        // (without waiting) and answered.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(prepared.reply->wait->ms);
        auto id = polls.add(prepared.reply->wait->key, deadline, [&storage_rpc, body, reply] { storage_rpc(body, reply, false, false); });
        if (id == 0) return storage_rpc(std::move(body), std::move(reply), false, false);  // not held: answer now
        // A message stored between the first look and add() woke nobody: look once more.
        prepared = prepare(body, true);
        if (prepared.reply && prepared.reply->wait) return;  // still nothing: it waits
        if (!polls.cancel(id)) return;                          // it fired meanwhile and answers
        metrics.count("long_polls", "result", "raced");
      }
      Done done = [reply](node::rpc::Reply r) { apps::send(reply, std::move(r)); };
      if (prepared.reply) return answer(done, std::move(*prepared.reply), start);
      // A parsed JSON tree (every write but a single store) takes a few times its text.
      std::size_t cost = body.size() * (prepared.pending->is_single_store() ? 1 : 3);
      if (replicate && network)  // every write goes to every member of the swarm
        done = [reply, body, nm = network.get()](node::rpc::Reply r) {
          if (r.status != 200) return apps::send(reply, std::move(r));
          nm->replicate(body, std::move(r), reply);
        };
      bool post = false, busy = false;
      {
        std::lock_guard lock(queue_mu);
        if (queued_bytes + cost > kMaxQueuedBytes) {
          busy = true;
        } else {
          queued_bytes += cost;
          queue.push_back({std::move(*prepared.pending), cost, std::move(done), start});
          post = !drain_posted;
          drain_posted = true;
        }
      }
      if (busy) {
        metrics.count("rejected", "cause", "busy");
        reply({503, "Service busy, try again later", "text/plain", {}});
        return;
      }
      if (post) storage.post(drain);
      return;
    }
  };

  // Onion requests: node-to-node connections go out from the listen address when it is a
  // specific one (a host with many addresses, or a devnet on 127.0.x.1).
  if (network) network->set_local_ip(cfg.listen.host);
  apps::OnionRelay onion(
      *keys, cfg.listen.host,
      [&](const crypto::Ed25519Public& k) { return network ? network->find_node(k) : std::optional<node::NodeAddress>{}; },
      [&](std::string body, net::Reply r) { storage_rpc(std::move(body), std::move(r), true, true); }, metrics,
      cfg.record_onion.empty() ? "" : (dir / cfg.record_onion).string());  // a relative path is inside the data dir

  net::Server server(pub, [&](net::HttpRequest req, net::Reply reply) {
    if (req.method == "POST" && req.target == "/storage_rpc/v1") return storage_rpc(std::move(req.body), std::move(reply), true, true);
    if (req.method == "POST" && req.target == "/onion_req/v2") {
      if (network && !network->has_consensus()) return reply({503, "Snode not ready", "text/plain; charset=utf-8", {}});
      return onion.handle(req, std::move(reply));
    }
    if (network && network->handle(req, reply, [&](const std::string& body, net::Reply r) { storage_rpc(body, std::move(r), false, false); }))
      return;
    if (req.method == "POST" && req.target == "/ping_test/v1") {
      // A signature over the caller's nonce proves this node holds its key. The nonce is
      // short and fixed in form, and the signed text is domain-separated, so this is no
      // signing oracle for anything else the key signs.
      if (req.body.size() < 16 || req.body.size() > 64) {
        reply({400, "ping_test needs a nonce of 16 to 64 bytes", "text/plain", {}});
        return;
      }
      std::string proof = base::to_base64(crypto::sign(keys->ed25519_secret(), as_bytes("sotto-ping-test-v1:" + req.body)));
      metrics.request("ping_test", 200);  // before the reply, as every other request: a scrape after it sees it
      reply({200, R"({"status":"OK"})", "application/json", {{"X-Oxen-Snode-Pubkey", ping_key}, {"X-Sotto-Ping-Signature", proof}}});
      return;
    }
    metrics.request("other", 404);
    reply({404, "Not found", "text/plain", {}});
  });
  if (auto r = server.listen(); !r) return fail(r.error().message());
  if (!network) {
    single = std::make_unique<node::SingleNodeSwarm>(
        node::NodeAddress{keys->ed25519_public(), keys->x25519_public(), announced_ip, server.port()});
    swarm = single.get();
  }
  ctx = std::make_unique<node::rpc::Context>(node::rpc::Context{**store, clock, *keys, *swarm});
  server.run();  // only now: the handler's context exists
  if (network) network->start(server.port());

  net::ServerConfig adm;
  adm.host = cfg.admin.host;
  adm.port = cfg.admin.port;
  adm.tls = false;
  adm.rate_per_second = 0;
  net::Server admin_server(adm, [&](net::HttpRequest req, net::Reply reply) {
    if (req.method == "GET" && req.target == "/metrics") {
      auto s = server.stats();
      metrics.gauge("connections_open", static_cast<double>(s.connections_open));
      metrics.gauge("connections_refused", static_cast<double>(s.connections_refused));
      metrics.gauge("rate_limited", static_cast<double>(s.rate_limited));
      metrics.gauge("requests_too_large", static_cast<double>(s.too_large));
      metrics.gauge("long_polls_waiting", static_cast<double>(polls.waiting()));
      reply({200, metrics.prometheus(), "text/plain; version=0.0.4", {}});
      return;
    }
    reply({404, "Not found", "text/plain", {}});
  });
  if (auto r = admin_server.start(); !r) {
    server.stop();
    storage.stop();
    return fail(r.error().message());
  }

  std::function<void()> sweep = [&] {
    auto swept = (*store)->sweep(clock.now_ms(), 1000);
    if (!swept) return log::error("sweep_failed", {log::kv("reason", base::Plain(swept.error().message()))});
    if (*swept) metrics.count("messages_expired", "", "", *swept);
    if (*swept == 1000) storage.post(sweep);  // more to do: after what is queued meanwhile
  };
  auto refresh = [&] {
    sweep();
    checkpoint();  // what the last groups left in the WAL, once the load has stopped
    if (auto st = (*store)->stats()) {
      metrics.gauge("messages_stored", static_cast<double>(st->messages));
      metrics.gauge("message_bytes_stored", static_cast<double>(st->data_bytes));
      metrics.gauge("database_bytes", static_cast<double>(st->db_bytes));
    }
  };
  // The first refresh is done before "ready": from then on /metrics has the storage gauges
  // (a scrape or a test right after start would otherwise miss them, or read stale ones).
  std::promise<void> refreshed;
  storage.post([&] {
    refresh();
    refreshed.set_value();
  });
  refreshed.get_future().wait();
  storage.every(std::chrono::seconds(std::max(1, cfg.sweep_seconds)), refresh);
  log::info("node_started", {log::kv("ed25519", base::Plain(keys->ed25519_public().hex())),
                              log::kv("x25519", base::Plain(keys->x25519_public().hex())),
                              log::kv("key_created", created), log::kv("listen", base::Plain(cfg.listen.host + ":" + std::to_string(server.port()))),
                              log::kv("admin", base::Plain(cfg.admin.host + ":" + std::to_string(admin_server.port())))});
  // One JSON line on stdout for scripts and tests: where the node listens, and its keys.
  std::cout << R"({"event":"ready","listen":")" << cfg.listen.host << ":" << server.port() << R"(","admin":")"
            << cfg.admin.host << ":" << admin_server.port() << R"(","pubkey_ed25519":")" << keys->ed25519_public().hex()
            << R"(","pubkey_x25519":")" << keys->x25519_public().hex() << "\"}" << std::endl;

  int sig = net::wait_for_shutdown_signal();
  log::info("node_stopping", {log::kv("signal", sig)});
  polls.stop();         // waiting retrieves are answered now (with what there is)
  onion.stop();         // relays in flight fail (504/502) instead of holding the server's stop
  server.stop();        // in-flight requests finish and are answered (replication included)
  if (network) network->stop();
  admin_server.stop();
  storage.stop();       // queued store work runs to its end
  readers.close_all();
  store->reset();       // closes the database (the writer last: it checkpoints the WAL)
  log::info("node_stopped");
  return 0;
}
