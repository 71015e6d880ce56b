// What sotto-loadgen reads from /proc: CPU time of processes and of the machine, and
// resident memory.

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "loadgen/loadgen.hpp"

namespace sotto::loadgen {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::optional<double> cpu_seconds(int pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos || close + 2 > stat.size()) return std::nullopt;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

MachineCpu machine_cpu() {
  std::istringstream in(read_file("/proc/stat"));
  std::string cpu;
  unsigned long long v[8] = {};  // user nice system idle iowait irq softirq steal
  in >> cpu;
  for (auto& x : v) in >> x;
  double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  unsigned long long total = 0;
  for (auto x : v) total += x;
  return {static_cast<double>(total - v[3] - v[4]) / tick, static_cast<double>(v[4]) / tick, static_cast<double>(total) / tick};
}

long rss_kb(int pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string k;
  long v = 0;
  while (in >> k)
    if (k == "VmRSS:" && in >> v) return v;
  return 0;
}

}  // namespace sotto::loadgen
