// sotto-loadgen: drives a network (a devnet, usually) with many simulated accounts, each
// with its own keys, profile, onion paths and a listener waiting on its own swarm, at a
// chosen offered load, open loop: message i of a step is due at t0 + i/rate whatever
// happened to the ones before it, and its latency counts from when it was due. So an
// overloaded network shows up as latency and failures, never as a generator that slowed
// down to match it (docs/bench.md, "The load generator").
//
//   sotto-loadgen --devnet DIR [--accounts N] [--rates R1,R2,...] [--duration S]
//                 [--workers K] [--drain S] [--idle S] [--json FILE]
//
// For every rate it reports sent, confirmed (a swarm member's signed receipt verified),
// failed (and why), delivered (held by the recipient's listener by the end of the run),
// late (delivered after its step's drain), lost (confirmed, never delivered), duplicated,
// the latency percentiles from due time to delivery, and the CPU each process used (the
// generator itself, every node, every authority) and the machine's.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "loadgen/loadgen.hpp"

namespace {

using namespace sotto::loadgen;
using nlohmann::json;

int fail(const std::string& why) {
  std::fprintf(stderr, "sotto-loadgen: %s\n", why.c_str());
  return 1;
}

std::optional<std::vector<double>> parse_rates(const std::string& text) {
  std::vector<double> rates;
  std::istringstream in(text);
  std::string r;
  while (std::getline(in, r, ',')) {
    char* end = nullptr;
    double v = std::strtod(r.c_str(), &end);
    if (r.empty() || *end != '\0' || !(v > 0) || v > 100'000) return std::nullopt;
    rates.push_back(v);
  }
  if (rates.empty()) return std::nullopt;
  return rates;
}

// The devnet's network.json, and its processes (this one first) from its devnet.json.
bool read_devnet(Options& o, Results& r) {
  o.network_json = read_file(o.devnet_dir + "/network.json");
  json devnet = json::parse(read_file(o.devnet_dir + "/devnet.json"), nullptr, false);
  if (o.network_json.empty() || devnet.is_discarded() || !devnet.is_object()) return false;
  r.procs.push_back({"loadgen", "sotto-loadgen", static_cast<int>(::getpid())});
  for (const char* role : {"nodes", "authorities"})
    if (devnet.contains(role) && devnet[role].is_array())
      for (const auto& p : devnet[role])
        if (p.is_object() && p.contains("pid") && p["pid"].is_number_integer())
          r.procs.push_back({role, p.value("name", "?"), p["pid"].get<int>()});
  r.nodes = devnet.contains("nodes") && devnet["nodes"].is_array() ? devnet["nodes"].size() : 0;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sotto-loadgen: offered load against a sotto network, open loop"};
  Options o;
  std::string rates_text = "5,10,20,40,80";
  app.add_option("--devnet", o.devnet_dir, "a devnet's directory (its network.json and devnet.json)")->required();
  app.add_option("--accounts", o.accounts, "simulated accounts (default 20)")->check(CLI::Range(2, 1000));
  app.add_option("--rates", rates_text, "offered loads in messages/s, in order (default 5,10,20,40,80)");
  app.add_option("--duration", o.duration, "seconds of load per rate (default 10)")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--drain", o.drain, "seconds to wait for deliveries after a step's last message is due (default 10)")
      ->check(CLI::Range(1.0, 600.0));
  app.add_option("--workers", o.workers, "sends in flight at most (default 32)")->check(CLI::Range(1, 1000));
  app.add_option("--json", o.json_out, "also write the results here as JSON");
  app.add_option("--idle", o.idle_s, "first measure the CPU the network uses with no load, for this many seconds")->check(CLI::Range(0.0, 600.0));
  CLI11_PARSE(app, argc, argv);

  auto rates = parse_rates(rates_text);
  if (!rates) return fail("--rates must be positive numbers of messages/s, e.g. 5,10,20");
  o.rates = std::move(*rates);
  for (double rate : o.rates)
    if (auto count = std::llround(rate * o.duration); count < 2 || count > 10'000'000) {
      char why[160];
      std::snprintf(why, sizeof why, "%g messages/s for %g s is %lld messages: give 2 to 10,000,000", rate, o.duration, count);
      return fail(why);
    }
  Results results;
  if (!read_devnet(o, results)) return fail(o.devnet_dir + " holds no running devnet (network.json, devnet.json)");
  if (!run(o, results)) return 1;
  return report(o, results) ? 0 : fail("cannot write " + o.json_out);
}
