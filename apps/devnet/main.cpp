// sotto-devnet: a whole sotto network on this machine, as separate processes on 127.0.0.0/8
// (authorities on 127.0.0.1, node i on 127.0.(10+i).1)
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
//
// With `--netns H` (root only) the devnet runs in network namespaces instead of on
// 127.0.0.1: a router namespace, a host for the authorities, H hosts for the nodes and a
// host for clients, each host on its own /24 behind a veth pair to the router, so that
// every request crosses real interfaces. `down` removes the namespaces.

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
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

#include "net/address.hpp"
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

// Moves the calling thread into the named network namespace (from `ip netns add`).
bool enter_netns(const std::string& name) {
  int fd = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::setns(fd, CLONE_NEWNET) == 0;
  ::close(fd);
  return ok;
}

// Starts `args` detached (its own session, in network namespace `netns` if not empty),
// stdout to dir/stdout, stderr to dir/log.
pid_t spawn(const std::vector<std::string>& args, const fs::path& dir, const std::string& netns = {}) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setsid();
  if (!netns.empty() && !enter_netns(netns)) _exit(125);
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

// Runs a command (no shell) and returns true if it exited 0; its stderr goes to ours.
bool run(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) ::dup2(in, 0), ::dup2(2, 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    _exit(127);
  }
  int st = 0;
  return pid > 0 && ::waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// The namespaces of a --netns devnet: `router` forwards between the hosts; host i has
// 10.231.i.2/24 on its eth0, the router 10.231.i.1 on its v<i>. Host 0 is for clients,
// host 1 runs the authorities, hosts 2.. the nodes.
struct Netns {
  std::string prefix;  // "sotto-<8 hex>-"
  int node_hosts = 0;
  std::string router() const { return prefix + "router"; }
  std::string host(int i) const { return prefix + (i == 0 ? std::string("client") : i == 1 ? std::string("auth") : "h" + std::to_string(i - 1)); }
  static std::string ip(int i) { return "10.231." + std::to_string(i) + ".2"; }
  int hosts() const { return node_hosts + 2; }
  json to_json() const {
    json hs = json::array();
    for (int i = 0; i < hosts(); ++i) hs.push_back({{"name", host(i)}, {"ip", ip(i)}, {"interface", "eth0"}});
    return {{"router", router()}, {"client", host(0)}, {"hosts", hs}};
  }
};

// Writes "1" to the router namespace's ip_forward (in a child, so this process stays put).
bool enable_forwarding(const std::string& ns) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!enter_netns(ns)) _exit(1);
    int fd = ::open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
    _exit(fd >= 0 && ::write(fd, "1", 1) == 1 ? 0 : 1);
  }
  int st = 0;
  return pid > 0 && ::waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// Removes the namespaces that are still there (after a reboot none are).
void remove_netns(const json& netns) {
  if (!netns.is_object()) return;
  std::vector<std::string> names{netns["router"].get<std::string>()};
  for (const auto& h : netns["hosts"]) names.push_back(h["name"].get<std::string>());
  for (const auto& n : names)
    if (fs::exists("/run/netns/" + n) && !run({"ip", "netns", "del", n})) std::cerr << "sotto-devnet: could not remove network namespace " << n << std::endl;
}

std::optional<std::string> create_netns(const Netns& n) {
  if (!run({"ip", "netns", "add", n.router()}))
    return "could not create network namespace " + n.router() + " (--netns needs root, or CAP_NET_ADMIN, and iproute2)";
  bool ok = run({"ip", "-n", n.router(), "link", "set", "lo", "up"}) && enable_forwarding(n.router());
  for (int i = 0; ok && i < n.hosts(); ++i) {
    std::string h = n.host(i), v = "v" + std::to_string(i), net = "10.231." + std::to_string(i);
    ok = run({"ip", "netns", "add", h}) && run({"ip", "-n", n.router(), "link", "add", v, "type", "veth", "peer", "name", "eth0", "netns", h}) &&
         run({"ip", "-n", n.router(), "addr", "add", net + ".1/24", "dev", v}) && run({"ip", "-n", n.router(), "link", "set", v, "up"}) &&
         run({"ip", "-n", h, "addr", "add", net + ".2/24", "dev", "eth0"}) && run({"ip", "-n", h, "link", "set", "eth0", "up"}) &&
         run({"ip", "-n", h, "link", "set", "lo", "up"}) && run({"ip", "-n", h, "route", "add", "default", "via", net + ".1"});
  }
  if (!ok) {
    remove_netns(n.to_json());
    return "could not set up the network namespaces " + n.prefix + "*";
  }
  return std::nullopt;
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
    auto at = net::parse_https_url(a["url"]);
    if (!at) continue;
    net::HttpClient c(at->host, at->port, true, std::chrono::seconds(2));
    auto r = c.get("/directory/v1/consensus");
    if (r && r->status == 200) {
      json j = json::parse(r->body, nullptr, false);
      if (!j.is_discarded()) return j["consensus"];
    }
  }
  return std::nullopt;
}

// Reads DIR/devnet.json; for a --netns devnet and `enter`, moves this process into the
// client host so that it can reach the others (`down` needs no network: it stops the
// processes and removes whatever namespaces are left).
json load_state(const fs::path& dir, bool enter = true) {
  std::ifstream in(dir / "devnet.json");
  if (!in) throw std::runtime_error("no devnet in " + dir.string() + " (run sotto-devnet up first)");
  json state = json::parse(in);
  if (enter && state.contains("netns") && !enter_netns(state["netns"]["client"]))
    throw std::runtime_error("cannot enter network namespace " + state["netns"]["client"].get<std::string>() + " (needs root)");
  return state;
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
       const std::string& node_config, int netns_hosts) {
  if (fs::exists(dir / "devnet.json")) return fail(dir.string() + " already holds a devnet: sotto-devnet down --dir " + dir.string() + " first");
  int smin = 0, sideal = 0, smax = 0;
  if (std::sscanf(swarm.c_str(), "%d,%d,%d", &smin, &sideal, &smax) != 3 || smin < 1 || smin > sideal || sideal > smax)
    return fail("--swarm must be MIN,IDEAL,MAX with 1 <= MIN <= IDEAL <= MAX");
  if (nodes < 1 || authorities < 1) return fail("--nodes and --authorities must be at least 1");
  if (netns_hosts < 0 || netns_hosts > 200) return fail("--netns must be between 1 and 200 hosts");
  fs::create_directories(dir);
  const fs::path bin = bin_dir();
  json state{{"authorities", json::array()}, {"nodes", json::array()}};
  auto record = [&] { std::ofstream(dir / "devnet.json") << state.dump(2) << "\n"; };
  std::mt19937_64 rng(std::random_device{}());
  char id[9];
  std::snprintf(id, sizeof id, "%08llx", static_cast<unsigned long long>(rng() & 0xffffffff));
  Netns ns{std::string("sotto-") + id + "-", netns_hosts};
  if (netns_hosts > 0) {
    if (auto err = create_netns(ns)) return fail(*err);
    state["netns"] = ns.to_json();
    record();
    if (!enter_netns(ns.host(0))) {
      remove_netns(state["netns"]);
      return fail("cannot enter network namespace " + ns.host(0));
    }
  }
  // Stops what started and removes the namespaces.
  auto abandon = [&](const std::string& why) {
    stop_all(state);
    remove_netns(state.value("netns", json()));
    fs::remove(dir / "devnet.json");
    return fail(why);
  };
  json net_auths = json::array();
  std::vector<std::pair<fs::path, int>> adirs;
  for (int i = 0; i < authorities; ++i) {
    fs::path d = dir / ("authority-" + std::to_string(i + 1));
    fs::create_directories(d);
    // No shell: the dir may hold any character.
    pid_t init_pid = spawn({(bin / "sotto-authority").string(), "--init", "--data-dir", d.string()}, d);
    if (init_pid < 0) return abandon("fork failed");
    int st = 0;
    ::waitpid(init_pid, &st, 0);
    std::ifstream init_out(d / "stdout");
    std::string out;
    std::getline(init_out, out);
    json k = json::parse(out, nullptr, false);
    if (k.is_discarded() || !k.contains("ed25519")) return abandon("sotto-authority --init failed in " + d.string());
    int port = netns_hosts > 0 ? 7001 + i : free_port();  // a new namespace has every port free
    if (port <= 0) return abandon("no free port");
    std::string host = netns_hosts > 0 ? Netns::ip(1) : "127.0.0.1";
    net_auths.push_back({{"ed25519", k["ed25519"]}, {"url", "https://" + host + ":" + std::to_string(port)}});
    adirs.emplace_back(d, port);
  }
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  json network{{"network_id", std::string("sotto-devnet-") + id},
               {"genesis", now_s},
               {"epoch_seconds", epoch_seconds},
               {"swarm", {{"min", smin}, {"ideal", sideal}, {"max", smax}}},
               {"tolerance_seconds", 259200},
               {"max_nodes_per_ip", 1000},  // nodes share 127.0.0.1 or a host's address (and more may join later)
               {"authorities", net_auths},
               {"seed_nodes", json::array()}};
  std::ofstream(dir / "network.json") << network.dump(2) << "\n";
  for (std::size_t i = 0; i < adirs.size(); ++i) {
    auto& [d, port] = adirs[i];
    std::string netns = netns_hosts > 0 ? ns.host(1) : "";
    pid_t pid = spawn({(bin / "sotto-authority").string(), "--data-dir", d.string(), "--network", (dir / "network.json").string(),
                       "--listen", net::parse_https_url(net_auths[i]["url"])->host + ":" + std::to_string(port)},
                      d, netns);
    state["authorities"].push_back(
        {{"name", d.filename().string()}, {"pid", pid}, {"url", net_auths[i]["url"]}, {"ed25519", net_auths[i]["ed25519"]}, {"netns", netns}});
    record();
    if (!wait_ready(d, pid, 20)) return abandon(d.filename().string() + " did not start; see " + (d / "log").string());
  }
  for (int i = 0; i < nodes; ++i) {
    fs::path d = dir / ("node-" + std::to_string(i + 1));
    fs::create_directories(d);
    // With --netns, round robin over the node hosts; the admin port stays on the host's loopback.
    int host = netns_hosts > 0 ? 2 + i % netns_hosts : -1;
    std::string netns = host >= 0 ? ns.host(host) : "";
    // Without namespaces, each node on its own 127.0.x.1: its own /24, as paths want, and
    // its own address in its peers' logs.
    std::string ip = host >= 0 ? Netns::ip(host) : i < 240 ? "127.0." + std::to_string(10 + i) + ".1" : "127.0.0.1";
    std::vector<std::string> args{(bin / "sotto-node").string(), "--data-dir", d.string(), "--listen", ip + ":0",
                                  "--admin-listen", "127.0.0.1:0", "--network", (dir / "network.json").string()};
    if (!node_config.empty()) args.insert(args.end(), {"--config", fs::absolute(node_config).string()});
    pid_t pid = spawn(args, d, netns);
    auto ready = wait_ready(d, pid, 20);
    if (!ready) {
      state["nodes"].push_back({{"name", d.filename().string()}, {"pid", pid}});
      return abandon(d.filename().string() + " did not start; see " + (d / "log").string());
    }
    state["nodes"].push_back({{"name", d.filename().string()},
                              {"pid", pid},
                              {"url", "https://" + (*ready)["listen"].get<std::string>()},
                              {"admin", "http://" + (*ready)["admin"].get<std::string>()},
                              {"ed25519", (*ready)["pubkey_ed25519"]},
                              {"netns", netns}});
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
      auto at = net::parse_https_url(url);
      if (!at) return fail("a node's url is not https://HOST:PORT: " + url);
      net::HttpClient hc(at->host, at->port, true, std::chrono::seconds(2));
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
  for (const auto& [sid, n] : swarms)
    std::cout << " " << (sid == "ffffffffffffffff" ? "unassigned, waiting for enough nodes to form a swarm" : sid) << " (" << n << ")";
  if (netns_hosts > 0)
    std::cout << "\n  in network namespaces " << ns.prefix << "*: authorities on " << Netns::ip(1) << ", nodes on " << Netns::ip(2) << " to "
              << Netns::ip(netns_hosts + 1) << "; run clients with: ip netns exec " << ns.host(0) << " COMMAND";
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
  CLI::App app{"sotto-devnet: a sotto network of separate processes on 127.0.0.1 (or in network namespaces)"};
  app.require_subcommand(1);
  std::string dir;
  int nodes = 12, authorities = 3, epoch_seconds = 2, wait_seconds = 90, netns_hosts = 0;
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
  up_cmd->add_option("--netns", netns_hosts, "run in network namespaces (root): the nodes spread over this many hosts, each on its own /24");
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
    if (*up_cmd) return up(dir, nodes, authorities, swarm, epoch_seconds, wait_seconds, node_config, netns_hosts);
    if (*status_cmd) return status(dir, as_json);
    json state = load_state(dir, false);
    stop_all(state);
    remove_netns(state.value("netns", json()));
    fs::remove(fs::path(dir) / "devnet.json");
    std::cout << "sotto-devnet: stopped " << state["authorities"].size() << " authorities and " << state["nodes"].size() << " nodes" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
