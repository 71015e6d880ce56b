#include "daemon/authority.hpp"

#include <filesystem>
#include <fstream>

#include "base/log.hpp"
#include "base/rng.hpp"
#include "daemon/authority_parts.hpp"
#include "net/tls_files.hpp"
#include "node/identity.hpp"

namespace sotto::daemon {

namespace fs = std::filesystem;

namespace {

Result<crypto::Keypair> load_key(const std::string& data_dir) {
  fs::path dir(data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(base::Errc::Io, "cannot create the data dir " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  base::SystemRng rng;
  bool created = false;
  return node::load_or_create_identity(dir, rng, created);
}

// network.json, with this authority among its authorities, and where the others are.
Result<void> read_network(AuthorityDaemon::Parts& p) {
  std::ifstream nf(p.options.network_file);
  if (!nf) return Error(base::Errc::Io, "cannot read " + p.options.network_file);
  std::string text((std::istreambuf_iterator<char>(nf)), {});
  auto net = directory::parse_network(text);
  if (!net) return Error(net.error().code(), p.options.network_file + ": " + net.error().message());
  p.net = std::move(*net);
  const auto& me = p.keys->ed25519_public();
  if (std::none_of(p.net.authorities.begin(), p.net.authorities.end(), [&](const directory::Peer& a) { return a.ed25519 == me; }))
    return Error(base::Errc::Io, "this authority's key " + me.hex() + " is not among the authorities of " + p.options.network_file);
  for (const auto& a : p.net.authorities) {
    if (a.ed25519 == me) continue;
    auto at = net::parse_https_url(a.url);
    if (!at) return Error(at.error().code(), p.options.network_file + ": " + at.error().message());
    p.others.push_back({a.ed25519, *at});
  }
  return {};
}

}  // namespace

Result<std::string> AuthorityDaemon::init_key(const std::string& data_dir) {
  auto keys = load_key(data_dir);
  if (!keys) return std::move(keys).error();
  return keys->ed25519_public().hex();
}

AuthorityDaemon::AuthorityDaemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
AuthorityDaemon::~AuthorityDaemon() { stop(); }

Result<std::unique_ptr<AuthorityDaemon>> AuthorityDaemon::start(const AuthorityOptions& options) {
  auto p = std::make_unique<Parts>();
  p->options = options;
  auto keys = load_key(options.data_dir);
  if (!keys) return std::move(keys).error();
  p->keys = std::make_unique<crypto::Keypair>(std::move(*keys));
  if (auto r = read_network(*p); !r) return std::move(r).error();
  auto cert = net::load_or_create_certificate(options.data_dir, "sotto-authority " + p->keys->ed25519_public().hex().substr(0, 16));
  if (!cert) return std::move(cert).error();
  p->engine = std::make_unique<directory::Authority>(p->net, p->keys->clone());
  p->call_timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(p->net.epoch_seconds * 1000 / 4, 200, 5000));
  net::ServerConfig sc;
  sc.host = options.listen.host;
  sc.port = options.listen.port;
  sc.cert_pem = cert->cert;
  sc.key_pem = cert->key;
  sc.max_body = directory::kMaxConsensusJson;
  // Per client IP: nodes register once an epoch and authorities exchange a few requests;
  // this bounds what one address can make the authority do (a devnet shares 127.0.0.1).
  sc.rate_per_second = 100;
  sc.rate_burst = 500;
  Parts& parts = *p;
  p->server = std::make_unique<net::Server>(sc, [&parts](net::HttpRequest req, net::Reply reply) { route(parts, req, reply); });
  if (auto r = p->server->start(); !r) return std::move(r).error();
  p->started_ms = wall_ms();
  p->scheduler = std::thread([&parts] { run_schedule(parts); });
  p->tester = std::thread([&parts] { run_tests(parts); });
  log::info("authority_started", {log::kv("ed25519", base::Plain(p->keys->ed25519_public().hex())),
                                   log::kv("listen", base::Plain(options.listen.host + ":" + std::to_string(p->server->port()))),
                                   log::kv("network", base::Plain(p->net.network_id))});
  return std::unique_ptr<AuthorityDaemon>(new AuthorityDaemon(std::move(p)));
}

void AuthorityDaemon::stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  parts_->sleeper.stop();
  if (parts_->scheduler.joinable()) parts_->scheduler.join();
  if (parts_->tester.joinable()) parts_->tester.join();
  parts_->server->stop();
}

std::uint16_t AuthorityDaemon::port() const { return parts_->server->port(); }
std::string AuthorityDaemon::ed25519_hex() const { return parts_->keys->ed25519_public().hex(); }
std::string AuthorityDaemon::network_id() const { return parts_->net.network_id; }

}  // namespace sotto::daemon
