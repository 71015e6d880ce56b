#include "cli/session.hpp"

#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

namespace sotto::cli {

Outcome<std::unique_ptr<Messenger>> open_messenger(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo) {
  auto dir = profile_dir(opt);
  if (!dir) return dir.failure();
  auto local = Profile::open(*dir);
  if (!local) return local.failure();
  if (!mo.network_file.empty())  // before the passphrase: a wrong file costs none
    if (auto u = (*local)->use_network(mo.network_file); !u) return u.failure();
  auto pass = unlock(opt, pp);
  if (!pass) return pass.failure();
  OpenOptions o;
  o.profile_dir = *dir;
  o.passphrase = std::move(*pass);
  o.onion = !mo.direct;
  o.warn = [](const std::string& what) { std::cerr << "sotto: " << printable(what) << std::endl; };
  auto m = Messenger::open(o);
  // "no_network" also says that no consensus could be fetched (and why): only a profile
  // that has no network.json at all gets the advice to give one.
  if (!m && m.failure().code == "no_network")
    if (auto st = (*local)->network_status(); !st && st.failure().code == "no_network")
      return Failure{"no_network", "this profile has no network yet: give --network FILE once (the network's network.json)"};
  return m;
}

Outcome<std::unique_ptr<Profile>> open_local(const Options& opt) {
  auto dir = profile_dir(opt);
  if (!dir) return dir.failure();
  return Profile::open(*dir);
}

std::string name_of(Profile& p, const std::string& account) {
  if (auto n = p.nickname_of(account)) return printable(*n);
  return account.substr(0, 10) + "…";
}

std::string local_time(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  char buf[32];
  if (!localtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0) return std::to_string(ms);
  return buf;
}

Progress progress_bar(const Options& opt, const std::string& what) {
  if (opt.json || !::isatty(2)) return {};
  return [what](std::size_t done, std::size_t total) {
    int width = 30;
    int filled = total ? static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width) : width;
    std::cerr << "\r" << what << " [" << std::string(static_cast<std::size_t>(filled), '#') << std::string(static_cast<std::size_t>(width - filled), ' ')
              << "] " << done << "/" << total << (done == total ? "\n" : "") << std::flush;
  };
}

void maybe_backup(Messenger& m, std::mutex* out_mu) {
  auto r = m.backup_if_due();
  std::unique_lock<std::mutex> lock;
  if (out_mu) lock = std::unique_lock<std::mutex>(*out_mu);
  if (!r) std::cerr << "sotto: the automatic backup failed (it will be tried again later): " << printable(r.failure().message) << std::endl;
}

namespace {
sigset_t stop_signals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  return s;
}
}  // namespace

void block_stop_signals() {
  sigset_t s = stop_signals();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

int wait_for_stop_signal() {
  sigset_t s = stop_signals();
  int sig = 0;
  while (sigwait(&s, &sig) != 0) {
  }
  return sig;
}

}  // namespace sotto::cli
