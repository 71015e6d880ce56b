#pragma once
// Runs a program with arguments and standard input, and collects its exit code, stdout
// and stderr. For tests of the binaries; never used by sotto itself.

#include <chrono>
#include <string>
#include <vector>

namespace sotto::test {

// How long run_process lets a program run before it kills it (and its process group).
inline constexpr std::chrono::minutes kRunProcessLimit{10};

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Past kRunProcessLimit the program is killed; its stderr then ends with a line saying so.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::string& stdin_text = {});

// A fresh directory under $TMPDIR, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace sotto::test

namespace sotto::test {

// A long-running program (a daemon) started with its stdout read line by line.
class Daemon {
 public:
  Daemon(const std::string& program, const std::vector<std::string>& args);
  ~Daemon();  // SIGKILL if still running
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  // The next line of stdout, or "" after `timeout_ms` or at its end.
  std::string read_line(int timeout_ms = 10'000);
  void signal(int sig);
  // Waits for the exit; returns the exit code (128 + signal when killed).
  int wait();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace sotto::test
