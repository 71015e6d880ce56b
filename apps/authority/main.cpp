// sotto-authority: a directory authority (docs/authority.md, docs/wire/directory.md).
// Wiring only: flags, then daemon::AuthorityDaemon until SIGTERM or SIGINT.
//
//   sotto-authority --data-dir DIR --network network.json --listen 127.0.0.1:23001
//   sotto-authority --data-dir DIR --init     (create the key, print it, exit)

#include <CLI/CLI.hpp>
#include <iostream>

#include "base/log.hpp"
#include "daemon/authority.hpp"
#include "net/executor.hpp"

using namespace sotto;

namespace {

int fail(const std::string& why) {
  log::error("startup_failed", {log::kv("reason", base::Plain(why))});
  std::cerr << "sotto-authority: " << why << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  net::block_shutdown_signals();
  CLI::App app{"sotto-authority: a directory authority of a sotto network"};
  std::string data_dir, network_file, listen = "127.0.0.1:23001", log_level = "info";
  bool init = false;
  app.add_option("--data-dir", data_dir, "where the authority keeps its key and TLS certificate")->required();
  app.add_option("--network", network_file, "network.json naming the network and its authorities");
  app.add_option("--listen", listen, "HOST:PORT for HTTPS (default 127.0.0.1:23001)");
  app.add_option("--log-level", log_level, "debug, info, warn or error");
  app.add_flag("--init", init, "create the key if needed, print {\"ed25519\": ...} and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!log::set_level(log_level)) {
    std::cerr << "sotto-authority: unknown log level '" << log_level << "'" << std::endl;
    return 2;
  }
  if (init) {
    auto key = daemon::AuthorityDaemon::init_key(data_dir);
    if (!key) return fail(key.error().message());
    std::cout << R"({"ed25519":")" << *key << "\"}" << std::endl;
    return 0;
  }
  if (network_file.empty()) return fail("--network is required (or --init to create the key)");
  auto hp = net::parse_host_port(listen);
  if (!hp) return fail(hp.error().message());
  auto authority = daemon::AuthorityDaemon::start({data_dir, network_file, *hp});
  if (!authority) return fail(authority.error().message());
  std::cout << R"({"event":"ready","listen":")" << hp->host << ":" << (*authority)->port() << R"(","ed25519":")" << (*authority)->ed25519_hex()
            << "\"}" << std::endl;
  int sig = net::wait_for_shutdown_signal();
  log::info("authority_stopping", {log::kv("signal", sig)});
  (*authority)->stop();
  return 0;
}
