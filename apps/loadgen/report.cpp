// sotto-loadgen's report: per rate, what was sent, confirmed, delivered, late, lost and
// duplicated, the latency percentiles from due time to delivery, and the CPU used; a
// table on stdout and, if asked, the same as JSON.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loadgen/loadgen.hpp"

namespace sotto::loadgen {

namespace {

using nlohmann::json;

// `v` sorted ascending.
double percentile(const std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  // Nearest rank: the smallest value with at least p of the values at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank > 0 ? rank - 1 : 0)];
}

// One step's counts and latencies, from its samples.
struct Counts {
  std::vector<double> latency;  // ms, sorted
  std::size_t confirmed = 0, failed = 0, delivered = 0, on_time = 0, late = 0, lost = 0, dup = 0;
  std::map<std::string, int> why;
  double goodput = 0, stores = 0;
};

Counts count(const Step& st, const std::deque<Sample>& samples) {
  Counts c;
  Clock::time_point last = st.t0, last_confirmed = st.t0;
  for (std::size_t i = st.first; i < st.first + st.count; ++i) {
    const Sample& s = samples[i];
    if (s.confirmed) ++c.confirmed, last_confirmed = std::max(last_confirmed, *s.confirmed_at);
    else if (!s.failure.empty()) ++c.failed, ++c.why[s.failure];
    if (s.delivered) {
      ++c.delivered;
      if (*s.delivered > st.end) ++c.late;
      else ++c.on_time, last = std::max(last, *s.delivered);
      c.latency.push_back(std::chrono::duration<double, std::milli>(*s.delivered - s.due).count());
    } else if (s.confirmed) {
      ++c.lost;
    }
    if (s.arrivals > 1) c.dup += static_cast<std::size_t>(s.arrivals - 1);
  }
  std::sort(c.latency.begin(), c.latency.end());
  double span = std::chrono::duration<double>(last - st.t0).count();
  // Delivered per second: the deliveries within the step (and its drain) over the time
  // they took, at least the step's length; late ones are counted apart.
  c.goodput = span > 0 ? static_cast<double>(c.on_time) / std::max(span, st.duration) : 0;
  // Stores the swarms confirmed per second: the network's store throughput at this load.
  c.stores = static_cast<double>(c.confirmed) / std::max(std::chrono::duration<double>(last_confirmed - st.t0).count(), st.duration);
  return c;
}

// One step: a table row (and its notes) on stdout, an object in the JSON.
json report_step(const Step& st, const Results& r) {
  Counts c = count(st, r.samples);
  const auto& lat = c.latency;
  double p50 = percentile(lat, 0.5), p90 = percentile(lat, 0.9), p99 = percentile(lat, 0.99), pmax = percentile(lat, 1.0);
  double nodes_cpu = 0, busiest = 0;
  std::string busiest_name;
  json cpu = json::object();
  for (const auto& p : r.procs) {
    auto it = st.cpu.find(p.name);
    if (it == st.cpu.end()) continue;
    cpu[p.name] = it->second;
    if (p.role == "nodes") {
      nodes_cpu += it->second;
      if (it->second > busiest) busiest = it->second, busiest_name = p.name;
    }
  }
  double gen = st.cpu.count("sotto-loadgen") ? st.cpu.at("sotto-loadgen") : 0;
  std::printf("%8.1f %6zu %6zu %6zu %6zu %6zu %5zu %9.1f %8.1f %8.1f %8.1f %8.1f  %.2f (%.2f), %.2f, %.2f (%s %.2f)\n", st.rate, st.count, c.confirmed,
              c.failed, c.delivered, c.lost, c.dup, c.goodput, p50, p90, p99, pmax, st.machine_busy, st.machine_iowait, gen, nodes_cpu,
              busiest_name.c_str(), busiest);
  for (const auto& [w, n] : c.why) std::printf("%8s   failed %d: %s\n", "", n, w.c_str());
  if (st.unfinished) std::printf("%8s   %zu sends still running when the drain ended\n", "", st.unfinished);
  if (c.late) std::printf("%8s   %zu delivered after the step's drain (late, not lost)\n", "", c.late);
  json cdf = json::array();
  for (int p = 0; p <= 100; ++p) cdf.push_back(percentile(lat, p / 100.0));
  return {{"offered_per_s", st.rate},
          {"sent", st.count},
          {"confirmed", c.confirmed},
          {"failed", c.failed},
          {"failures", c.why},
          {"unfinished", st.unfinished},
          {"delivered", c.delivered},
          {"late", c.late},
          {"lost", c.lost},
          {"duplicates", c.dup},
          {"delivered_per_s", c.goodput},
          {"confirmed_per_s", c.stores},
          {"latency_ms", {{"p50", p50}, {"p90", p90}, {"p99", p99}, {"max", pmax}, {"percentiles", cdf}}},
          {"cpu_cores",
           {{"machine", st.machine_busy},
            {"iowait", st.machine_iowait},
            {"generator", gen},
            {"nodes", nodes_cpu},
            {"busiest_node", busiest_name},
            {"busiest_node_cores", busiest},
            {"by_process", cpu}}}};
}

// The nodes' memory after the run (and before it), the idle CPU, the listeners' errors.
void report_totals(const Options& o, Results& r, json& out) {
  long rss = 0, rss_max = 0;
  int alive = 0;
  for (const auto& p : r.procs)
    if (p.role == "nodes")
      if (long k = rss_kb(p.pid); k > 0) rss += k, ++alive, rss_max = std::max(rss_max, k);
  long before = 0;
  for (long k : r.rss_before) before += k;
  out["node_rss_kb_mean"] = alive ? rss / alive : 0;
  out["node_rss_kb_max"] = rss_max;
  out["node_rss_kb_mean_before"] = r.rss_before.empty() ? 0 : before / static_cast<long>(r.rss_before.size());
  if (o.idle_s > 0) {
    out["idle_cores"] = r.idle_cores;
    std::printf("with no load (%.0f s before the accounts existed): nodes used %.2f cores, authorities %.2f\n", o.idle_s, r.idle_cores["nodes"],
                r.idle_cores["authorities"]);
  }
  out["receive_errors"] = r.receive_errors;
  out["strangers"] = r.strangers;
  std::printf("\nnodes' resident memory: %.1f MB each on average before the load, %.1f MB after (%d nodes, largest %.1f MB); "
              "listener errors (retried): %ld\n",
              r.rss_before.empty() ? 0.0 : static_cast<double>(before) / static_cast<double>(r.rss_before.size()) / 1024,
              alive ? static_cast<double>(rss) / alive / 1024 : 0.0, alive, static_cast<double>(rss_max) / 1024, r.receive_errors);
}

}  // namespace

bool report(const Options& o, Results& r) {
  json out{{"accounts", o.accounts}, {"workers", o.workers}, {"duration_s", o.duration}, {"drain_s", o.drain},
           {"nodes", static_cast<int>(r.nodes)},   {"steps", json::array()}};
  std::printf("sotto-loadgen: %d accounts on %zu nodes, open loop, %.0f s per rate; latency from when a message was due\n"
              "to when its recipient's listener held it (3-hop paths both ways). CPU in cores (2 = this whole machine).\n\n",
              o.accounts, r.nodes, o.duration);
  std::printf("%8s %6s %6s %6s %6s %6s %5s %9s %8s %8s %8s %8s  %s\n", "offered", "sent", "conf", "failed", "deliv", "lost", "dup", "deliv/s",
              "p50 ms", "p90 ms", "p99 ms", "max ms", "CPU: machine (iowait), generator, nodes (busiest)");
  for (const auto& st : r.steps) out["steps"].push_back(report_step(st, r));
  report_totals(o, r, out);
  if (o.json_out.empty()) return true;
  std::ofstream f(o.json_out);
  f << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return static_cast<bool>(f);
}

}  // namespace sotto::loadgen
