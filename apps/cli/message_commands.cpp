// sotto send | retry | listen | history: 1:1 messaging through onion paths, over libsotto's
// Messenger; the history from the profile's local database.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/session.hpp"

namespace sotto::cli {

namespace {

using nlohmann::json;

json message_json(Profile& p, const Message& m) {
  json j{{"id", m.id},
         {"direction", m.outgoing ? "out" : "in"},
         {m.outgoing ? "to" : "from", m.peer},
         {"body", m.body},
         {"timestamp", m.timestamp_ms},
         {"hash", m.hash},
         {"state", m.state}};
  if (auto n = p.nickname_of(m.peer)) j["nickname"] = *n;
  if (m.outgoing) {
    j["confirmations"] = m.confirmations;
    j["swarm_size"] = m.swarm_size;
  }
  if (m.expires_ms) j["expires"] = *m.expires_ms;
  return j;
}

int report_send(const Options& opt, const Outcome<Delivery>& r, const std::string& to_name) {
  if (!r) return fail(opt, r.failure());
  if (opt.json) {
    print_json({{"id", r->id}, {"hash", r->hash}, {"confirmations", r->confirmations}, {"swarm_size", r->swarm_size},
                {"timestamp", r->timestamp_ms}, {"attempts", r->attempts}, {"path", r->path}});
  } else {
    std::cout << "sent to " << to_name << ": stored on " << r->confirmations << " of " << r->swarm_size
              << " swarm members (each signed its receipt)\nhash " << r->hash << " · message " << r->id;
    if (!r->path.empty()) std::cout << " · through a " << r->path.size() << "-hop onion path";
    std::cout << std::endl;
  }
  return r->confirmations > 0 ? kExitOk : kExitFailure;
}

// One batch of messages as JSON lines, under `out_mu`. False when stdout is lost.
bool show(Messenger& m, const std::vector<Message>& got, std::mutex& out_mu, std::int64_t& shown) {
  std::lock_guard lock(out_mu);
  for (const auto& msg : got) {
    json j{{"from", msg.peer}, {"body", msg.body}, {"timestamp", msg.timestamp_ms}, {"hash", msg.hash}};
    if (auto n = m.profile().nickname_of(msg.peer)) j["nickname"] = *n;
    if (msg.expires_ms) j["expires"] = *msg.expires_ms;
    print_json(j);  // the whole batch, even past --count: it is kept as seen, so it is shown now
    ++shown;
  }
  return output_ok();
}

// The listener's loop: receive, show, back up when due; a failure of the network or a
// path is said once and tried again later (back-off up to 8 s).
int listen_loop(const Options& opt, Messenger& m, std::int64_t count, std::int64_t timeout_s, std::mutex& out_mu) {
  auto start = std::chrono::steady_clock::now();
  std::int64_t shown = 0, backoff_ms = 500;
  for (;;) {
    std::int64_t left = 25;
    if (timeout_s > 0) {
      left = timeout_s - std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
      if (left <= 0) return kExitOk;
    }
    auto got = m.receive(static_cast<int>(std::min<std::int64_t>(left, 25)));
    if (!got) {
      {
        std::lock_guard lock(out_mu);
        if (got.failure().code == "no_path" || got.failure().code == "no_network") return fail(opt, got.failure());
        std::cerr << "sotto: " << printable(got.failure().message) << "; trying again in " << static_cast<double>(backoff_ms) / 1000.0 << " s"
                  << std::endl;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min<std::int64_t>(backoff_ms * 2, 8000);
      continue;
    }
    backoff_ms = 500;
    if (!show(m, *got, out_mu, shown)) return kExitFailure;
    if (count > 0 && shown >= count) return kExitOk;
    if (!got->empty()) maybe_backup(m, &out_mu);  // takes out_mu itself, for its own message
  }
}

}  // namespace

int cmd_send(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, const std::string& to, const std::string& text,
             std::uint32_t disappear_s) {
  if (auto ok = check_message(text, disappear_s); !ok) return fail(opt, ok.failure());
  {  // the recipient first: a typo costs no passphrase and no network
    auto p = open_local(opt);
    if (!p) return fail(opt, p.failure());
    if (auto who = (*p)->resolve(to); !who) return fail(opt, who.failure());
  }
  auto m = open_messenger(opt, pp, mo);
  if (!m) return fail(opt, m.failure());
  auto who = (*m)->profile().resolve(to);
  if (!who) return fail(opt, who.failure());
  int rc = report_send(opt, (*m)->send(*who, text, disappear_s), name_of((*m)->profile(), *who));
  if (rc == kExitOk) maybe_backup(**m);
  return rc;
}

int cmd_retry(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, std::int64_t id) {
  auto m = open_messenger(opt, pp, mo);
  if (!m) return fail(opt, m.failure());
  auto r = (*m)->retry(id);
  auto msg = (*m)->profile().message(id);
  return report_send(opt, r, msg ? name_of((*m)->profile(), msg->peer) : std::string("?"));
}

// Ctrl-C (or SIGTERM) ends it at once, between two lines of output: what was printed is in
// the profile's database already (a message is kept before it is shown).
int cmd_listen(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, std::int64_t count, std::int64_t timeout_s) {
  auto m = open_messenger(opt, pp, mo);
  if (!m) return fail(opt, m.failure());
  block_stop_signals();  // here and in the worker; after the passphrase prompt
  std::mutex out_mu;
  std::atomic<int> result{kExitOk};
  std::atomic<bool> done{false};
  std::thread worker([&] {
    result = listen_loop(opt, **m, count, timeout_s, out_mu);
    done = true;
    ::kill(::getpid(), SIGTERM);  // wakes the signal wait below
  });
  wait_for_stop_signal();
  std::lock_guard lock(out_mu);  // never in the middle of a line
  if (!done) {
    output_ok();
    std::_Exit(kExitOk);  // stopped by the user: the worker may be waiting on the network
  }
  worker.join();
  return result;
}

int cmd_history(const Options& opt, const std::string& who, std::int64_t limit) {
  auto p = open_local(opt);
  if (!p) return fail(opt, p.failure());
  auto peer = (*p)->resolve(who);
  if (!peer) return fail(opt, peer.failure());
  auto h = (*p)->history(*peer, static_cast<std::size_t>(std::max<std::int64_t>(1, limit)));
  if (!h) return fail(opt, h.failure());
  std::string name = name_of(**p, *peer);
  for (const auto& m : *h) {
    if (opt.json) {
      print_json(message_json(**p, m));
      continue;
    }
    // Anyone can write to you: the text is shown with its control characters escaped, so
    // it cannot forge lines or drive the terminal.
    std::cout << local_time(m.timestamp_ms) << "  " << (m.outgoing ? "you" : name) << ": " << printable(m.body);
    if (m.outgoing) {
      if (m.state == "sent") std::cout << "  [stored on " << m.confirmations << "/" << m.swarm_size << "]";
      else std::cout << "  [" << m.state << (m.state == "failed" ? ": sotto retry " + std::to_string(m.id) : "") << "]";
    }
    if (m.expires_ms) std::cout << "  (disappears " << local_time(*m.expires_ms) << ")";
    std::cout << "\n";
  }
  if (h->empty() && !opt.json) std::cout << "no messages with " << name << " yet\n";
  return output_ok() ? kExitOk : kExitFailure;
}

}  // namespace sotto::cli
