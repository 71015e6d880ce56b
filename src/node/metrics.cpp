#include "node/metrics.hpp"

#include <cstdio>

namespace sotto::node {

void Metrics::request(const std::string& method, int status) {
  std::lock_guard lock(mu_);
  ++requests_[{method.empty() ? "unknown" : method, status}];
}

void Metrics::latency(const std::string& method, double seconds) {
  std::lock_guard lock(mu_);
  auto& h = latency_[method];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::count(const std::string& name, const std::string& label, const std::string& value, std::uint64_t n) {
  std::lock_guard lock(mu_);
  counters_[name][{label, value}] += n;
}

void Metrics::gauge(const std::string& name, double value) {
  std::lock_guard lock(mu_);
  gauges_[name] = value;
}

std::string Metrics::prometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  char buf[64];
  auto num = [&](double v) {
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  out += "# HELP sotto_requests_total Storage RPC requests by method and HTTP status.\n";
  out += "# TYPE sotto_requests_total counter\n";
  for (const auto& [k, v] : requests_)
    out += "sotto_requests_total{method=\"" + k.first + "\",status=\"" + std::to_string(k.second) + "\"} " + std::to_string(v) + "\n";
  out += "# HELP sotto_request_duration_seconds Time to answer a storage RPC, by method.\n";
  out += "# TYPE sotto_request_duration_seconds histogram\n";
  for (const auto& [m, h] : latency_) {
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
      out += "sotto_request_duration_seconds_bucket{method=\"" + m + "\",le=\"" + num(kBuckets[i]) + "\"} " + std::to_string(h.buckets[i]) + "\n";
    out += "sotto_request_duration_seconds_bucket{method=\"" + m + "\",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += "sotto_request_duration_seconds_sum{method=\"" + m + "\"} " + num(h.sum) + "\n";
    out += "sotto_request_duration_seconds_count{method=\"" + m + "\"} " + std::to_string(h.count) + "\n";
  }
  for (const auto& [name, series] : counters_) {
    out += "# TYPE sotto_" + name + "_total counter\n";
    for (const auto& [lv, v] : series) {
      out += "sotto_" + name + "_total";
      if (!lv.first.empty()) out += "{" + lv.first + "=\"" + lv.second + "\"}";
      out += " " + std::to_string(v) + "\n";
    }
  }
  for (const auto& [name, v] : gauges_) {
    out += "# TYPE sotto_" + name + " gauge\n";
    out += "sotto_" + name + " " + num(v) + "\n";
  }
  return out;
}

}  // namespace sotto::node
