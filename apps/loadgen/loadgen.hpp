#pragma once
// sotto-loadgen's parts (main.cpp says what it measures): the options, the samples a run
// keeps, the process figures it reads from /proc, and the report.

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sotto::loadgen {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string devnet_dir, json_out;
  std::string network_json;  // the devnet's network.json
  std::vector<double> rates;
  int accounts = 20, workers = 32;
  double duration = 10, drain = 10, idle_s = 0;
};

// One message of the run, by its number.
struct Sample {
  Clock::time_point due;
  bool confirmed = false;
  std::optional<Clock::time_point> confirmed_at;  // when the send returned with a receipt
  std::optional<Clock::time_point> delivered;
  int arrivals = 0;
  std::string failure;  // why the send failed, if it did
};

// A process of the network (or the generator) whose CPU is measured.
struct Proc {
  std::string role, name;
  int pid = 0;
};

struct Step {
  double rate = 0, duration = 0;
  std::size_t first = 0, count = 0;  // samples [first, first + count)
  Clock::time_point t0, end;
  std::map<std::string, double> cpu;  // process name -> cores used (1.0 = one core busy)
  double machine_busy = 0;            // cores busy, all processes
  double machine_iowait = 0;          // cores idle while a disk request was pending
  double elapsed = 0;
  std::size_t unfinished = 0;  // sends still running when the drain ended
};

// What a run measured.
struct Results {
  std::size_t nodes = 0;
  std::vector<Proc> procs;
  std::map<std::string, double> idle_cores;  // role -> cores, with no load
  std::vector<long> rss_before;              // each node's, before the accounts existed
  std::vector<Step> steps;
  std::deque<Sample> samples;
  long receive_errors = 0, strangers = 0;
};

// /proc: CPU time (user + system) a process used so far, in seconds (nullopt once it is
// gone); the machine's, all cores (busy, waiting for the disk, in all); resident memory.
std::optional<double> cpu_seconds(int pid);
struct MachineCpu {
  double busy = 0, iowait = 0, total = 0;
};
MachineCpu machine_cpu();
long rss_kb(int pid);
std::string read_file(const std::string& path);

// The accounts made, the load offered at each rate, the deliveries counted (run.cpp).
// False, saying why on stderr, if the run could not be made.
bool run(const Options& options, Results& results);
// The table on stdout, and the JSON file if one was asked for (report.cpp). False if it
// could not be written.
bool report(const Options& options, Results& results);

}  // namespace sotto::loadgen
