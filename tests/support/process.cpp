#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace sotto::test {

namespace {
// In the child: wire up stdin/stdout/stderr (-1 leaves one as it is) and exec.
[[noreturn]] void exec_child(const std::string& program, const std::vector<std::string>& args, int in, int out, int err) {
  if (in >= 0) ::dup2(in, 0);
  if (out >= 0) ::dup2(out, 1);
  if (err >= 0) ::dup2(err, 2);
  ::setsid();  // no controlling terminal: prompts fail cleanly, never hang
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  ::_exit(127);
}
}  // namespace

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args, const std::string& in) {
  int pin[2], pout[2], perr[2];
  if (::pipe2(pin, O_CLOEXEC) || ::pipe2(pout, O_CLOEXEC) || ::pipe2(perr, O_CLOEXEC)) throw std::runtime_error("pipe");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) exec_child(program, args, pin[0], pout[1], perr[1]);
  ::close(pin[0]);
  ::close(pout[1]);
  ::close(perr[1]);
  std::size_t written = 0;
  if (in.empty()) ::close(pin[1]), pin[1] = -1;
  ProcessResult r;
  pollfd fds[3] = {{pout[0], POLLIN, 0}, {perr[0], POLLIN, 0}, {pin[1], POLLOUT, 0}};
  int open_reads = 2;
  // A child may be silent for a long time (a devnet starting 15 sanitized processes on a
  // slow disk): wait for its output as long as the overall limit allows, and past it kill
  // its process group and say so, rather than leave it to die of SIGPIPE half-way.
  const auto deadline = std::chrono::steady_clock::now() + kRunProcessLimit;
  bool timed_out = false;
  while (open_reads > 0) {
    nfds_t n = pin[1] >= 0 ? 3 : 2;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int ready = ::poll(fds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw std::runtime_error("poll");
    if (ready == 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t k = ::read(fds[i].fd, buf, sizeof buf);
      if (k <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_reads;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(k));
      }
    }
    if (pin[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t k = ::write(pin[1], in.data() + written, in.size() - written);
      if (k > 0) written += static_cast<std::size_t>(k);
      if (k <= 0 || written == in.size()) {
        ::close(pin[1]);
        pin[1] = -1;
      }
    }
  }
  if (pin[1] >= 0) ::close(pin[1]);
  for (int i = 0; i < 2; ++i)
    if (fds[i].fd >= 0) ::close(fds[i].fd);
  if (timed_out) ::kill(-pid, SIGKILL);  // the child is its own session and group leader
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (timed_out)
    r.err += "\n[run_process: " + program + " was killed after " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kRunProcessLimit).count()) + " s]\n";
  return r;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sotto-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace sotto::test

namespace sotto::test {

Daemon::Daemon(const std::string& program, const std::vector<std::string>& args) {
  int pout[2];
  if (::pipe2(pout, O_CLOEXEC)) throw std::runtime_error("pipe");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) exec_child(program, args, ::open("/dev/null", O_RDONLY), pout[1], -1);
  ::close(pout[1]);
  out_ = pout[0];
}

Daemon::~Daemon() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (out_ >= 0) ::close(out_);
}

std::string Daemon::read_line(int timeout_ms) {
  for (;;) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return {};
    char buf[4096];
    ssize_t k = ::read(out_, buf, sizeof buf);
    if (k <= 0) return {};
    buffer_.append(buf, static_cast<std::size_t>(k));
  }
}

void Daemon::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

int Daemon::wait() {
  if (!reaped_) {
    ::waitpid(pid_, &status_, 0);
    reaped_ = true;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

}  // namespace sotto::test
