// sotto-devnet: a whole sotto network on this machine, as separate processes on 127.0.0.1
// (docs/devnet.md).
//
//   sotto-devnet up --dir DIR --nodes N [--authorities K] [--swarm MIN,IDEAL,MAX] [--epoch-seconds S]
//   sotto-devnet status --dir DIR [--json]
//   sotto-devnet down --dir DIR
//
// `up` writes DIR/network.json, starts the authorities and the nodes (each with its data
// dir under DIR and its log in DIR/<name>/log), waits until a consensus lists every node,
// and prints a summary. The processes keep running after it returns; DIR/devnet.json says
// where they are.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "net/client.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sotto;

namespace {

int fail(const std::string& why) {
  std::cerr << "sotto-devnet: " << why << std::endl;
  return 1;
}

fs::path bin_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

// A free TCP port on 127.0.0.1 (bound, read, released: the authorities' ports must be in
// network.json before they start).
int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (s >= 0) ::close(s);
    return -1;
  }
  ::close(s);
  return ntohs(a.sin_port);
}

// Starts `args` detached (its own session), stdout to dir/stdout, stderr to dir/log.
pid_t spawn(const std::vector<std::string>& args, const fs::path& dir) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setsid();
  int out = ::open((dir / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = ::open((dir / "log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || in < 0) _exit(126);
  ::dup2(in, 0), ::dup2(out, 1), ::dup2(err, 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  _exit(127);
}

// The JSON "ready" line a daemon prints on stdout, within `seconds`.
std::optional<json> wait_ready(const fs::path& dir, pid_t pid, int seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(dir / "stdout");
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("event", "") == "ready") return j;
    }
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return std::nullopt;  // it exited
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

std::optional<json> fetch_consensus(const json& state) {
  for (const auto& a : state["authorities"]) {
    std::string url = a["url"];
    auto colon = url.rfind(':');
    net::HttpClient c("127.0.0.1", static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1))), true, std::chrono::seconds(2));
    auto r = c.get("/directory/v1/consensus");
    if (r && r->status == 200) {
      json j = json::parse(r->body, nullptr, false);
      if (!j.is_discarded()) return j["consensus"];
    }
  }
  return std::nullopt;
}

json load_state(const fs::path& dir) {
  std::ifstream in(dir / "devnet.json");
  if (!in) throw std::runtime_error("no devnet in " + dir.string() + " (run sotto-devnet up first)");
  return json::parse(in);
}

// True if `pid` is still one of ours (after a reboot a stale devnet.json may name pids
// that now belong to other programs).
bool is_ours(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string cmd((std::istreambuf_iterator<char>(in)), {});
  return cmd.find("sotto-node") != std::string::npos || cmd.find("sotto-authority") != std::string::npos;
}

void stop_all(const json& state) {
  std::vector<pid_t> pids;
  for (const char* role : {"nodes", "authorities"})
    for (const auto& p : state[role])
      if (is_ours(p["pid"].get<pid_t>())) pids.push_back(p["pid"].get<pid_t>());
  for (pid_t p : pids) ::kill(p, SIGTERM);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (pid_t p : pids) {
    while (::kill(p, 0) == 0 && std::chrono::steady_clock::now() < until) {
      ::waitpid(p, nullptr, WNOHANG);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (::kill(p, 0) == 0) ::kill(p, SIGKILL);
  }
}

int up(const fs::path& dir, int nodes, int authorities, const std::string& swarm, int epoch_seconds, int wait_seconds,
       const std::string& node_config) {
  if (fs::exists(dir / "devnet.json")) return fail(dir.string() + " already holds a devnet: sotto-devnet down --dir " + dir.string() + " first");
  int smin = 0, sideal = 0, smax = 0;
  if (std::sscanf(swarm.c_str(), "%d,%d,%d", &smin, &sideal, &smax) != 3 || smin < 1 || smin > sideal || sideal > smax)
    return fail("--swarm must be MIN,IDEAL,MAX with 1 <= MIN <= IDEAL <= MAX");
  if (nodes < 1 || authorities < 1) return fail("--nodes and --authorities must be at least 1");
  fs::create_directories(dir);
  const fs::path bin = bin_dir();
  json state{{"authorities", json::array()}, {"nodes", json::array()}};
  json net_auths = json::array();
  std::vector<std::pair<fs::path, int>> adirs;
  for (int i = 0; i < authorities; ++i) {
    fs::path d = dir / ("authority-" + std::to_string(i + 1));
    fs::create_directories(d);
    // No shell: the dir may hold any character.
    pid_t init_pid = spawn({(bin / "sotto-authority").string(), "--init", "--data-dir", d.string()}, d);
    int st = 0;
    ::waitpid(init_pid, &st, 0);
    std::ifstream init_out(d / "stdout");
    std::string out;
    std::getline(init_out, out);
    json k = json::parse(out, nullptr, false);
    if (k.is_discarded() || !k.contains("ed25519")) return fail("sotto-authority --init failed in " + d.string());
    int port = free_port();
    if (port <= 0) return fail("no free port");
    net_auths.push_back({{"ed25519", k["ed25519"]}, {"url", "https://127.0.0.1:" + std::to_string(port)}});
    adirs.emplace_back(d, port);
  }
  std::mt19937_64 rng(std::random_device{}());
  char id[9];
  std::snprintf(id, sizeof id, "%08llx", static_cast<unsigned long long>(rng() & 0xffffffff));
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  json network{{"network_id", std::string("sotto-devnet-") + id},
               {"genesis", now_s},
               {"epoch_seconds", epoch_seconds},
               {"swarm", {{"min", smin}, {"ideal", sideal}, {"max", smax}}},
               {"tolerance_seconds", 259200},
               {"max_nodes_per_ip", 1000},  // every node is on 127.0.0.1 (and more may join later)
               {"authorities", net_auths},
               {"seed_nodes", json::array()}};
  std::ofstream(dir / "network.json") << network.dump(2) << "\n";
  auto record = [&] { std::ofstream(dir / "devnet.json") << state.dump(2) << "\n"; };
  for (std::size_t i = 0; i < adirs.size(); ++i) {
    auto& [d, port] = adirs[i];
    pid_t pid = spawn({(bin / "sotto-authority").string(), "--data-dir", d.string(), "--network", (dir / "network.json").string(),
                       "--listen", "127.0.0.1:" + std::to_string(port)},
                      d);
    state["authorities"].push_back({{"name", d.filename().string()}, {"pid", pid}, {"url", net_auths[i]["url"]}, {"ed25519", net_auths[i]["ed25519"]}});
    record();
    if (!wait_ready(d, pid, 20)) {
      stop_all(state);
      return fail(d.filename().string() + " did not start; see " + (d / "log").string());
    }
  }
  for (int i = 0; i < nodes; ++i) {
    fs::path d = dir / ("node-" + std::to_string(i + 1));
    fs::create_directories(d);
    std::vector<std::string> args{(bin / "sotto-node").string(), "--data-dir", d.string(), "--listen", "127.0.0.1:0", "--admin-listen",
                                  "127.0.0.1:0", "--network", (dir / "network.json").string()};
    if (!node_config.empty()) args.insert(args.end(), {"--config", fs::absolute(node_config).string()});
    pid_t pid = spawn(args, d);
    auto ready = wait_ready(d, pid, 20);
    if (!ready) {
      state["nodes"].push_back({{"name", d.filename().string()}, {"pid", pid}});
      stop_all(state);
      return fail(d.filename().string() + " did not start; see " + (d / "log").string());
    }
    state["nodes"].push_back({{"name", d.filename().string()},
                              {"pid", pid},
                              {"url", "https://" + (*ready)["listen"].get<std::string>()},
                              {"admin", "http://" + (*ready)["admin"].get<std::string>()},
                              {"ed25519", (*ready)["pubkey_ed25519"]}});
    record();
  }
  // Until a consensus lists every node (authorities abstain for their first two epochs,
  // and test every node before they vote for it).
  std::cout << "sotto-devnet: " << authorities << " authorities and " << nodes << " nodes started; waiting for a consensus of them all"
            << std::endl;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  auto next_report = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::optional<json> c;
  while (std::chrono::steady_clock::now() < until) {
    c = fetch_consensus(state);
    if (c && c->contains("nodes") && static_cast<int>((*c)["nodes"].size()) == nodes) break;
    if (std::chrono::steady_clock::now() >= next_report) {
      std::cout << "  ... " << (c ? "epoch " + (*c)["epoch"].dump() + " lists " + std::to_string((*c)["nodes"].size()) + " nodes" : "no consensus yet")
                << std::endl;
      next_report += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (!c || static_cast<int>((*c)["nodes"].size()) != nodes)
    return fail("no consensus listed all " + std::to_string(nodes) + " nodes within " + std::to_string(wait_seconds) +
                " s; the devnet is still up (sotto-devnet status / down --dir " + dir.string() + "); logs are in " + dir.string());
  // And until every node holds it (they fetch it just after each epoch starts).
  for (const auto& n : state["nodes"]) {
    std::string url = n["url"];
    bool holds = false;
    while (!holds && std::chrono::steady_clock::now() < until) {
      net::HttpClient hc("127.0.0.1", static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))), true, std::chrono::seconds(2));
      auto r = hc.get("/directory/v1/consensus");
      json j = r && r->status == 200 ? json::parse(r->body, nullptr, false) : json();
      holds = j.is_object() && j.contains("consensus") && j["consensus"]["nodes"].size() == static_cast<std::size_t>(nodes);
      if (!holds) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!holds) return fail(n["name"].get<std::string>() + " did not get the consensus within " + std::to_string(wait_seconds) + " s");
  }
  std::map<std::string, int> swarms;
  for (const auto& n : (*c)["nodes"]) ++swarms[n["swarm_id"].get<std::string>()];
  std::cout << "sotto-devnet: " << authorities << " authorities and " << nodes << " nodes up in " << dir.string() << "\n"
            << "  network " << network["network_id"].get<std::string>() << ", epoch " << (*c)["epoch"] << " consensus, "
            << swarms.size() << " swarms:";
  for (const auto& [sid, n] : swarms) std::cout << " " << sid << " (" << n << ")";
  std::cout << "\n  sotto-devnet status --dir " << dir.string() << "   |   sotto-devnet down --dir " << dir.string() << std::endl;
  return 0;
}

int status(const fs::path& dir, bool as_json) {
  json state = load_state(dir);
  auto c = fetch_consensus(state);
  std::map<std::string, std::string> swarm_of;
  if (c)
    for (const auto& n : (*c)["nodes"]) swarm_of[n["ed25519"]] = n["swarm_id"];
  json out = json::array();
  for (const char* role : {"authorities", "nodes"})
    for (const auto& p : state[role]) {
      json e{{"role", std::string(role) == "nodes" ? "node" : "authority"}, {"name", p["name"]}, {"pid", p["pid"]},
             {"alive", ::kill(p["pid"].get<pid_t>(), 0) == 0 && is_ours(p["pid"].get<pid_t>())}, {"url", p.value("url", "")}, {"ed25519", p.value("ed25519", "")}};
      if (e["role"] == "node") e["swarm_id"] = swarm_of.count(e["ed25519"]) ? json(swarm_of[e["ed25519"]]) : json(nullptr);
      out.push_back(e);
    }
  if (as_json) {
    std::cout << json{{"epoch", c ? (*c)["epoch"] : json(nullptr)}, {"members", out}}.dump(2) << std::endl;
    return 0;
  }
  std::cout << "consensus epoch: " << (c ? (*c)["epoch"].dump() : std::string("none")) << "\n";
  for (const auto& e : out)
    std::cout << "  " << e["name"].get<std::string>() << "  pid " << e["pid"] << (e["alive"].get<bool>() ? "" : " (dead)") << "  "
              << e["url"].get<std::string>() << "  " << e["ed25519"].get<std::string>().substr(0, 16) << "…"
              << (e.contains("swarm_id") && !e["swarm_id"].is_null() ? "  swarm " + e["swarm_id"].get<std::string>() : "") << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sotto-devnet: a sotto network of separate processes on 127.0.0.1"};
  app.require_subcommand(1);
  std::string dir;
  int nodes = 12, authorities = 3, epoch_seconds = 2, wait_seconds = 90;
  std::string node_config;
  std::string swarm = "3,5,7";
  bool as_json = false;
  auto* up_cmd = app.add_subcommand("up", "start a devnet");
  up_cmd->add_option("--dir", dir, "where its files go")->required();
  up_cmd->add_option("--nodes", nodes, "service nodes (default 12)");
  up_cmd->add_option("--authorities", authorities, "directory authorities (default 3)");
  up_cmd->add_option("--swarm", swarm, "swarm sizes MIN,IDEAL,MAX (default 3,5,7)");
  up_cmd->add_option("--epoch-seconds", epoch_seconds, "epoch length (default 2)");
  up_cmd->add_option("--wait", wait_seconds, "seconds to wait for a consensus of every node (default 90)");
  up_cmd->add_option("--node-config", node_config, "a TOML config every node also reads (flags still set its dir, ports and network)");
  auto* status_cmd = app.add_subcommand("status", "list the devnet's processes and swarms");
  status_cmd->add_option("--dir", dir, "the devnet's dir")->required();
  status_cmd->add_flag("--json", as_json, "as JSON");
  auto* down_cmd = app.add_subcommand("down", "stop every process of the devnet");
  down_cmd->add_option("--dir", dir, "the devnet's dir")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*up_cmd) return up(dir, nodes, authorities, swarm, epoch_seconds, wait_seconds, node_config);
    if (*status_cmd) return status(dir, as_json);
    json state = load_state(dir);
    stop_all(state);
    fs::remove(fs::path(dir) / "devnet.json");
    std::cout << "sotto-devnet: stopped " << state["authorities"].size() << " authorities and " << state["nodes"].size() << " nodes" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
