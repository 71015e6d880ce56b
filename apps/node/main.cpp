// sotto-node: the service node daemon. Wiring only: the configuration (a TOML file, then
// flags), then daemon::NodeDaemon until SIGTERM or SIGINT.

#include <CLI/CLI.hpp>
#include <iostream>

#include "base/log.hpp"
#include "config.hpp"
#include "daemon/node.hpp"
#include "net/executor.hpp"

using namespace sotto;

namespace {

int fail(const std::string& why) {
  log::error("startup_failed", {log::kv("reason", base::Plain(why))});
  std::cerr << "sotto-node: " << why << std::endl;
  return 1;
}

// The options from the config file and the flags; an error is a usage error (exit 2).
Result<daemon::NodeOptions> options(const std::string& config_file, const std::string& data_dir, const std::string& listen,
                                    const std::string& admin, const std::string& public_ip, const std::string& log_level,
                                    const std::string& network_file) {
  apps::NodeConfig cfg;
  if (!config_file.empty())
    if (auto r = apps::load_toml(config_file, cfg); !r) return std::move(r).error();
  if (!data_dir.empty()) cfg.data_dir = data_dir;
  if (!public_ip.empty()) cfg.public_ip = public_ip;
  if (!network_file.empty()) cfg.network = network_file;
  if (!log_level.empty()) cfg.log_level = log_level;
  for (auto [text, target] : {std::pair{&listen, &cfg.listen}, std::pair{&admin, &cfg.admin}})
    if (!text->empty()) {
      auto hp = net::parse_host_port(*text);
      if (!hp) return std::move(hp).error();
      *target = *hp;
    }
  if (cfg.public_ip.empty() && (cfg.listen.host == "0.0.0.0" || cfg.listen.host == "::"))
    return Error(base::Errc::Io, "listening on " + cfg.listen.host + " needs public_ip (--public-ip or the config): it is the address get_swarm announces");
  if (!cfg.record_onion.empty() && cfg.network.empty())
    return Error(base::Errc::Io, "record_onion is a test-only switch for a devnet; this node is in no network");
  if (!log::set_level(cfg.log_level)) return Error(base::Errc::Io, "unknown log level '" + cfg.log_level + "'");
  return cfg;
}

}  // namespace

int main(int argc, char** argv) {
  net::block_shutdown_signals();  // before any thread starts: signals wait for the clean path
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
  auto cfg = options(config_file, data_dir, listen, admin, public_ip, log_level, network_file);
  if (!cfg) {
    std::cerr << "sotto-node: " << cfg.error().message() << std::endl;
    return 2;
  }
  auto node = daemon::NodeDaemon::start(*cfg);
  if (!node) return fail(node.error().message());
  // One JSON line on stdout for scripts and tests: where the node listens, and its keys.
  std::cout << R"({"event":"ready","listen":")" << cfg->listen.host << ":" << (*node)->port() << R"(","admin":")" << cfg->admin.host
            << ":" << (*node)->admin_port() << R"(","pubkey_ed25519":")" << (*node)->ed25519_hex() << R"(","pubkey_x25519":")"
            << (*node)->x25519_hex() << "\"}" << std::endl;
  int sig = net::wait_for_shutdown_signal();
  log::info("node_stopping", {log::kv("signal", sig)});
  (*node)->stop();
  log::info("node_stopped");
  return 0;
}
