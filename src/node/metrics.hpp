#pragma once
// The node's counters, gauges and latency histograms, rendered in Prometheus' text format
// for the admin port's /metrics. Thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace sotto::node {

class Metrics {
 public:
  // requests_total{method, status}
  void request(const std::string& method, int status);
  // request_duration_seconds{method} histogram (store and retrieve)
  void latency(const std::string& method, double seconds);
  // A plain counter: sotto_<name>_total{label="value"} (label may be empty).
  void count(const std::string& name, const std::string& label, const std::string& value, std::uint64_t n = 1);
  void gauge(const std::string& name, double value);
  std::string prometheus() const;

  static constexpr std::array<double, 14> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02,
                                                   0.025,  0.05,  0.1,    0.25,  0.5,  1.0,   2.5};

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, std::map<std::pair<std::string, std::string>, std::uint64_t>> counters_;
  std::map<std::string, double> gauges_;
};

}  // namespace sotto::node
