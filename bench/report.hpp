#pragma once
// What a benchmark prints, also as JSON for scripts/bench-report.py (which writes
// BENCHMARKS.md): when SOTTO_BENCH_RESULTS names a directory, Report::write() puts
// <name>.json there. Every figure stands beside the baseline it is compared with, measured
// in the same run, and their ratio; a target, where an issue sets one, is recorded as met
// or not. Bench-only (it includes nlohmann/json).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace sotto::bench {

class Report {
 public:
  explicit Report(std::string name) : name_(std::move(name)) {
    j_ = {{"benchmark", name_}, {"figures", nlohmann::json::array()}, {"targets", nlohmann::json::array()}, {"data", nlohmann::json::object()}};
  }

  // `value` in `unit`, against `baseline` (same unit, same run) described by `baseline_label`.
  // `higher_is_better`: for rates; false for times and latencies.
  void figure(const std::string& label, double value, const std::string& unit, const std::string& baseline_label, double baseline,
              bool higher_is_better) {
    nlohmann::json f{{"label", label}, {"value", value}, {"unit", unit}, {"higher_is_better", higher_is_better}};
    if (!baseline_label.empty()) {
      f["baseline"] = {{"label", baseline_label}, {"value", baseline}};
      if (baseline != 0) f["ratio"] = value / baseline;
    }
    j_["figures"].push_back(std::move(f));
  }
  // A figure with no baseline of its own (a count, a size).
  void fact(const std::string& label, double value, const std::string& unit) {
    j_["figures"].push_back({{"label", label}, {"value", value}, {"unit", unit}});
  }
  void target(const std::string& what, bool met) { j_["targets"].push_back({{"target", what}, {"met", met}}); }
  // Series for plots and anything else a reader of the JSON may want.
  void data(const std::string& key, nlohmann::json v) { j_["data"][key] = std::move(v); }

  // Writes $SOTTO_BENCH_RESULTS/<name>.json if the variable is set; false if that failed.
  bool write() const {
    const char* dir = std::getenv("SOTTO_BENCH_RESULTS");
    if (!dir || !*dir) return true;
    std::string path = std::string(dir) + "/" + name_ + ".json";
    std::ofstream out(path);
    out << j_.dump(2) << "\n";
    out.close();
    if (!out) {
      std::fprintf(stderr, "%s: cannot write %s\n", name_.c_str(), path.c_str());
      return false;
    }
    return true;
  }

 private:
  std::string name_;
  nlohmann::json j_;
};

}  // namespace sotto::bench
