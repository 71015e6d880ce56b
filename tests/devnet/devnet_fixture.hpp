#pragma once
// The devnet fixture shared by the devnet tests: sotto-devnet up / down around a test,
// node addresses, and direct storage RPCs to one node.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "net/client.hpp"
#include "support/process.hpp"

namespace sotto {
namespace devnet {

using nlohmann::json;

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A node's address: each devnet node listens on its own 127.0.x.1.
struct Addr {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const Addr&) const = default;
  std::string str() const { return host + ":" + std::to_string(port); }
};
inline Addr addr_of(const std::string& url) {
  auto rest = url.substr(url.find("://") + 3);
  auto colon = rest.rfind(':');
  return {rest.substr(0, colon), static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)))};
}

// True when a TCP connect to the address is refused: nothing listens there (a killed
// node's process has exited and closed its socket).
inline bool refuses_connections(const Addr& at) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(at.port);
  bool refused = ::inet_pton(AF_INET, at.host.c_str(), &sa.sin_addr) == 1 &&
                 ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 && errno == ECONNREFUSED;
  ::close(fd);
  return refused;
}

inline std::pair<int, json> rpc(const Addr& at, const json& body) {
  net::HttpClient c(at.host, at.port, true, std::chrono::seconds(10));
  auto r = c.post("/storage_rpc/v1", body.dump());
  if (!r) return {0, json()};
  json j = json::parse(r->body, nullptr, false);
  return {r->status, j.is_discarded() ? json(r->body) : j};
}

// The hashes a member holds for the account (namespace -10: no signature needed).
inline std::set<std::string> held(const Addr& at, const std::string& account) {
  auto [status, body] = rpc(at, {{"method", "retrieve"}, {"params", {{"pubkey", account}, {"namespace", -10}}}});
  std::set<std::string> out;
  if (status != 200) return out;
  for (const auto& m : body["messages"]) out.insert(m["hash"].get<std::string>());
  return out;
}

struct Devnet {
  test::TempDir tmp;
  std::string dir = tmp.sub("devnet");
  json state;
  // `node_config`: TOML text every node also reads (sotto-devnet --node-config).
  explicit Devnet(const std::string& node_config = {}) {
    std::vector<std::string> args{"up", "--dir", dir, "--nodes", "12", "--authorities", "3", "--wait", "120"};
    if (!node_config.empty()) {
      std::ofstream(tmp.sub("node.toml")) << node_config;
      args.insert(args.end(), {"--node-config", tmp.sub("node.toml")});
    }
    auto r = test::run_process(SOTTO_DEVNET_BIN, args);
    if (r.exit_code != 0) {
      // `up` leaves what it started running for a person to look at; a test must not leave
      // 15 processes loading the cores for every test after it.
      (void)test::run_process(SOTTO_DEVNET_BIN, {"down", "--dir", dir});
      throw std::runtime_error("sotto-devnet up failed: " + r.out + r.err);
    }
    std::ifstream in(dir + "/devnet.json");
    state = json::parse(in);
  }
  ~Devnet() { (void)test::run_process(SOTTO_DEVNET_BIN, {"down", "--dir", dir}); }
  const json* node_at(const Addr& at) const {
    for (const auto& n : state["nodes"])
      if (addr_of(n["url"]) == at) return &n;
    return nullptr;
  }
};

}  // namespace devnet
}  // namespace sotto
