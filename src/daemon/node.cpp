#include "daemon/node.hpp"

#include <filesystem>
#include <fstream>
#include <future>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/rng.hpp"
#include "daemon/node_parts.hpp"
#include "net/tls_files.hpp"
#include "node/identity.hpp"

namespace sotto::daemon {

namespace fs = std::filesystem;

namespace {

// The data dir (made private), the node's key, its certificate and its database.
Result<void> open_files(NodeDaemon::Parts& p) {
  fs::path dir(p.options.data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(base::Errc::Io, "cannot create the data dir " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return Error(base::Errc::Io, "cannot make the data dir " + dir.string() + " private: " + ec.message());
  base::SystemRng rng;
  auto keys = node::load_or_create_identity(dir, rng, p.key_created);
  if (!keys) return std::move(keys).error();
  p.keys = std::make_unique<crypto::Keypair>(std::move(*keys));
  auto cert = net::load_or_create_certificate(dir, "sotto-node " + p.keys->ed25519_public().hex().substr(0, 16));
  if (!cert) return std::move(cert).error();
  p.cert = std::move(*cert);
  p.db_path = (dir / "messages.db").string();
  auto store = node::storage::MessageStore::open(p.db_path, p.options.limits);
  if (!store) return std::move(store).error();
  p.store = std::move(*store);
  p.readers = std::make_unique<ReaderPool>(p.db_path);
  for (int i = 0; i < std::max(1, p.options.threads); ++i)
    if (auto r = p.readers->add(); !r) return r;
  return {};
}

// network.json, when the node joins a network.
Result<std::optional<directory::Network>> read_network(const NodeOptions& o) {
  if (o.network.empty()) return std::optional<directory::Network>();
  std::ifstream nf(o.network);
  if (!nf) return Error(base::Errc::Io, "cannot read the network file " + o.network);
  std::string text((std::istreambuf_iterator<char>(nf)), {});
  auto net = directory::parse_network(text);
  if (!net) return Error(net.error().code(), o.network + ": " + net.error().message());
  if (!o.record_onion.empty() && net->network_id.rfind("sotto-devnet-", 0) != 0)
    return Error(base::Errc::Io, "record_onion is a test-only switch: it is refused outside a devnet (network_id sotto-devnet-…), and this network is " +
                                     net->network_id);
  return std::optional<directory::Network>(std::move(*net));
}

// The expiry sweep on the storage thread, 1,000 rows at a time: more to do goes after
// what was queued meanwhile.
void sweep(NodeDaemon::Parts& p) {
  auto swept = p.store->sweep(p.clock.now_ms(), 1000);
  if (!swept) return log::error("sweep_failed", {log::kv("reason", base::Plain(swept.error().message()))});
  if (*swept) p.metrics.count("messages_expired", "", "", *swept);
  if (*swept == 1000) p.storage.post([&p] { sweep(p); });
}

// The storage thread's periodic look at the store: the sweep, a checkpoint (what the last
// groups left in the WAL, once the load has stopped), and the storage gauges.
void refresh(NodeDaemon::Parts& p) {
  sweep(p);
  p.writes->checkpoint();
  if (auto st = p.store->stats()) {
    p.metrics.gauge("messages_stored", static_cast<double>(st->messages));
    p.metrics.gauge("message_bytes_stored", static_cast<double>(st->data_bytes));
    p.metrics.gauge("database_bytes", static_cast<double>(st->db_bytes));
  }
}

}  // namespace

NodeDaemon::NodeDaemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
NodeDaemon::~NodeDaemon() { stop(); }

Result<std::unique_ptr<NodeDaemon>> NodeDaemon::start(const NodeOptions& options) {
  auto p = std::make_unique<Parts>(options);
  if (auto r = open_files(*p); !r) return std::move(r).error();
  auto net = read_network(options);
  if (!net) return std::move(net).error();
  p->announced_ip = options.public_ip.empty() ? options.listen.host : options.public_ip;
  if (*net) build_network(*p, std::move(**net));
  if (auto r = build_service(*p); !r) return std::move(r).error();
  std::unique_ptr<NodeDaemon> d(new NodeDaemon(std::move(p)));
  Parts& parts = *d->parts_;
  if (auto r = parts.admin->start(); !r) return std::move(r).error();
  // The first look at the store before "ready": from then on /metrics has the storage
  // gauges (a scrape right after start would otherwise miss them).
  std::promise<void> refreshed;
  parts.storage.post([&] {
    refresh(parts);
    refreshed.set_value();
  });
  refreshed.get_future().wait();
  parts.storage.every(std::chrono::seconds(std::max(1, options.sweep_seconds)), [&parts] { refresh(parts); });
  if (parts.follower) parts.follower->start(parts.server->port());
  if (parts.worker) parts.worker->start();
  log::info("node_started", {log::kv("ed25519", base::Plain(parts.keys->ed25519_public().hex())),
                              log::kv("x25519", base::Plain(parts.keys->x25519_public().hex())), log::kv("key_created", parts.key_created),
                              log::kv("listen", base::Plain(options.listen.host + ":" + std::to_string(parts.server->port()))),
                              log::kv("admin", base::Plain(options.admin.host + ":" + std::to_string(parts.admin->port())))});
  return d;
}

void NodeDaemon::stop() {
  if (!parts_ || parts_->stopped) return;
  Parts& p = *parts_;
  p.stopped = true;
  p.polls.stop();                  // waiting retrieves are answered now (with what there is)
  if (p.onion) p.onion->stop();    // relays in flight fail instead of holding the server's stop
  if (p.server) p.server->stop();  // in-flight requests finish and are answered (replication included)
  if (p.follower) p.follower->stop();
  if (p.worker) p.worker->stop();
  if (p.link) p.link->stop();
  if (p.admin) p.admin->stop();
  p.storage.stop();  // queued store work runs to its end
  if (p.readers) p.readers->close_all();
  p.store.reset();  // closes the database (the writer last: it checkpoints the WAL)
}

std::uint16_t NodeDaemon::port() const { return parts_->server->port(); }
std::uint16_t NodeDaemon::admin_port() const { return parts_->admin->port(); }
std::string NodeDaemon::ed25519_hex() const { return parts_->keys->ed25519_public().hex(); }
std::string NodeDaemon::x25519_hex() const { return parts_->keys->x25519_public().hex(); }
bool NodeDaemon::key_created() const { return parts_->key_created; }

}  // namespace sotto::daemon
