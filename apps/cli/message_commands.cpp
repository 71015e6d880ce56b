// sotto send | listen | history | retry | contacts: 1:1 messaging through onion paths
// (client::Messenger), with the profile's local database (client::LocalStore).

#include <signal.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "cli/commands.hpp"
#include "client/errc.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "directory/network.hpp"
#include "net/executor.hpp"
#include "api/https_transport.hpp"

namespace sotto::cli {

namespace {

using nlohmann::json;

std::string local_time(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  char buf[32];
  if (!localtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0) return std::to_string(ms);
  return buf;
}

Result<std::unique_ptr<client::LocalStore>> open_store(const Options& opt) {
  auto profile = open_profile(opt);
  if (!profile) return std::move(profile).error();
  if (!profile->has_account()) return Error(client::Errc::NoAccount, "this profile has no account yet: run `sotto init` first");
  return client::LocalStore::open(profile->dir());
}

Result<crypto::AccountId> resolve(client::LocalStore& store, const std::string& who) { return client::resolve_peer(store, who); }

std::string name_of(client::LocalStore& store, const std::string& account) {
  auto c = store.contact(account);
  if (c && *c && !(*c)->nickname.empty()) return printable((*c)->nickname);
  return account.substr(0, 10) + "…";
}

struct Session {
  base::SystemRng rng;
  base::SystemClock clock;
  api::HttpsTransport transport{std::chrono::seconds(40)};  // a retrieve may wait 25 s at the destination
  std::unique_ptr<client::Messenger> messenger;
};

Result<std::unique_ptr<Session>> open_session(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo) {
  auto profile = open_profile(opt);
  if (!profile) return std::move(profile).error();
  if (!mo.network_file.empty())
    if (auto u = client::NetworkView::use_file(*profile, mo.network_file); !u) return std::move(u).error();
  auto keys = unlock(opt, pp);
  if (!keys) return std::move(keys).error();
  auto s = std::make_unique<Session>();
  client::MessengerOptions o;
  o.onion = !mo.direct;
  o.warn = [](const std::string& what) { std::cerr << "sotto: " << printable(what) << std::endl; };
  auto m = client::Messenger::open(*profile, std::move(*keys), s->transport, s->rng, s->clock, o);
  if (!m) {
    if (m.error().is(client::Errc::NoNetwork))
      return Error(client::Errc::NoNetwork, "this profile has no network yet: give --network FILE once (the network's network.json)");
    return std::move(m).error();
  }
  s->messenger = std::move(*m);
  if (auto r = s->messenger->refresh_consensus(3600); !r) return std::move(r).error();
  return s;
}

json message_json(client::LocalStore& store, const client::StoredMessage& m) {
  json j{{"id", m.id},
         {"direction", m.direction == client::Direction::Outgoing ? "out" : "in"},
         {m.direction == client::Direction::Outgoing ? "to" : "from", m.peer},
         {"body", m.body},
         {"timestamp", m.timestamp_ms},
         {"hash", m.hash},
         {"state", client::to_string(m.state)}};
  if (auto c = store.contact(m.peer); c && *c && !(*c)->nickname.empty()) j["nickname"] = (*c)->nickname;
  if (m.direction == client::Direction::Outgoing) {
    j["confirmations"] = m.confirmations;
    j["swarm_size"] = m.swarm_size;
  }
  if (m.expires_ms) j["expires"] = *m.expires_ms;
  return j;
}

int report_send(const Options& opt, Session& s, const Result<client::SendReport>& r, const std::string& to_name) {
  if (!r) return fail(opt, r.error());
  (void)s;
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

// A progress bar on stderr when it is a terminal (and not --json).
client::Progress progress_bar(const Options& opt, const std::string& what) {
  if (opt.json || !::isatty(2)) return {};
  return [what](std::size_t done, std::size_t total) {
    int width = 30;
    int filled = total ? static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width) : width;
    std::cerr << "\r" << what << " [" << std::string(static_cast<std::size_t>(filled), '#') << std::string(static_cast<std::size_t>(width - filled), ' ')
              << "] " << done << "/" << total << (done == total ? "\n" : "") << std::flush;
  };
}

json backup_json(const client::BackupReport& r) {
  json j{{"seq", r.seq},         {"chunks", r.chunks},     {"new_chunks", r.new_chunks}, {"bytes", r.bytes},
         {"new_bytes", r.new_bytes}, {"parts_uploaded", r.parts_uploaded}, {"deleted", r.deleted}, {"contacts", r.contacts},
         {"conversations", r.conversations}, {"messages", r.messages}};
  if (!r.cleanup_error.empty()) j["cleanup_error"] = r.cleanup_error;
  return j;
}

constexpr const char* kAutoSetting = "backup.auto_minutes";
constexpr std::int64_t kAutoDefaultMinutes = 30;

// An automatic backup, when one is due: never more often than the setting says (default
// 30 minutes; 0 turns it off), only if anything changed since the last. A failure is said
// on stderr and changes nothing else.
void maybe_backup(client::Messenger& m, std::mutex* out_mu = nullptr) {
  auto every = m.store().setting(kAutoSetting);
  std::int64_t minutes = kAutoDefaultMinutes;
  if (every && *every) minutes = std::atoll((*every)->c_str());
  if (minutes <= 0) return;
  auto due = m.backup_due(minutes * 60'000);
  if (!due || !*due) return;
  auto r = m.backup_now();
  std::unique_lock<std::mutex> lock;
  if (out_mu) lock = std::unique_lock<std::mutex>(*out_mu);
  if (!r) std::cerr << "sotto: the automatic backup failed (it will be tried again later): " << printable(r.error().message()) << std::endl;
}

}  // namespace

int cmd_backup_now(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo) {
  auto s = open_session(opt, pp, mo);
  if (!s) return fail(opt, s.error());
  auto r = (*s)->messenger->backup_now(progress_bar(opt, "backup"));
  if (!r) return fail(opt, r.error());
  if (opt.json) {
    print_json(backup_json(*r));
  } else {
    std::cout << "backup " << r->seq << ": " << r->messages << " messages, " << r->contacts << " contacts, " << r->conversations
              << " conversations in " << r->chunks << " encrypted chunks (" << r->bytes << " bytes); uploaded " << r->new_chunks << " chunks ("
              << r->new_bytes << " bytes) that changed";
    if (r->deleted) std::cout << "; deleted " << r->deleted << " superseded parts";
    std::cout << std::endl;
    if (!r->cleanup_error.empty()) std::cerr << "sotto: superseded parts were not deleted (they expire anyway): " << printable(r->cleanup_error) << "\n";
  }
  return kExitOk;
}

int cmd_backup_restore(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, bool after_account_restore) {
  auto s = open_session(opt, pp, mo);
  auto r = s ? (*s)->messenger->restore_backup(progress_bar(opt, "restore")) : Result<client::RestoreReport>(s.error());
  if (!r && after_account_restore) {
    if (r.error().is(client::Errc::NoBackup) && r.error().message().find("has no backup") != std::string::npos) {
      if (opt.json) print_json({{"backup", nullptr}});
      else std::cout << "this account has no backup in the network: nothing more to restore" << std::endl;
      return kExitOk;
    }
    return fail(opt, Error(r.error().code(), r.error().message() + " (the account itself is restored: `sotto backup restore` tries the backup again)"));
  }
  if (!r) return fail(opt, r.error());
  if (opt.json) {
    print_json({{"seq", r->seq}, {"created_ms", r->created_ms}, {"contacts", r->contacts}, {"conversations", r->conversations},
                {"messages", r->messages}, {"added", r->added}, {"skipped", r->skipped}});
  } else {
    for (const auto& k : r->skipped) std::cerr << "sotto: skipped " << printable(k) << "\n";
    std::cout << "restored backup " << r->seq << " of " << local_time(r->created_ms) << ": " << r->contacts << " contacts, " << r->conversations
              << " conversations, " << r->messages << " messages (" << r->added << " new here)" << std::endl;
  }
  return kExitOk;
}

int cmd_backup_status(const Options& opt, std::optional<std::int64_t> auto_minutes) {
  auto store = open_store(opt);
  if (!store) return fail(opt, store.error());
  if (auto_minutes) {
    if (auto r = (*store)->set_setting(kAutoSetting, std::to_string(*auto_minutes)); !r) return fail(opt, r.error());
  }
  auto last = client::last_backup(**store);
  if (!last) return fail(opt, last.error());
  auto every = (*store)->setting(kAutoSetting);
  std::int64_t minutes = every && *every ? std::atoll((*every)->c_str()) : kAutoDefaultMinutes;
  auto msgs = (*store)->all_messages();
  if (!msgs) return fail(opt, msgs.error());
  if (opt.json) {
    json j{{"auto_minutes", minutes}, {"messages_here", msgs->size()}};
    if (*last)
      j["last"] = {{"seq", (*last)->seq}, {"created_ms", (*last)->created_ms}, {"messages", (*last)->messages},
                   {"contacts", (*last)->contacts}, {"conversations", (*last)->conversations}, {"chunks", (*last)->chunks.size()}};
    print_json(j);
  } else {
    if (*last)
      std::cout << "last backup: " << (*last)->seq << " at " << local_time((*last)->created_ms) << ", " << (*last)->messages << " messages, "
                << (*last)->contacts << " contacts in " << (*last)->chunks.size() << " chunks\n";
    else
      std::cout << "no backup yet: sotto backup now\n";
    std::cout << "messages here now: " << msgs->size() << "\nautomatic backups: "
              << (minutes > 0 ? "after changes, at most every " + std::to_string(minutes) + " minutes" : std::string("off")) << "\n";
  }
  return kExitOk;
}

int cmd_send(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, const std::string& to, const std::string& text,
             std::uint32_t disappear_s) {
  if (text.empty()) return fail(opt, "empty_message", "the message is empty");
  if (text.size() > 60'000) return fail(opt, "too_long", "the message is longer than 60,000 bytes");
  {  // the recipient first: a typo costs no passphrase and no network
    auto store = open_store(opt);
    if (!store) return fail(opt, store.error());
    if (auto who = resolve(**store, to); !who) return fail(opt, who.error());
  }
  auto s = open_session(opt, pp, mo);
  if (!s) return fail(opt, s.error());
  auto& store = (*s)->messenger->store();
  auto who = resolve(store, to);
  if (!who) return fail(opt, who.error());
  auto r = (*s)->messenger->send(*who, text, disappear_s);
  int rc = report_send(opt, **s, r, name_of(store, who->hex()));
  if (rc == kExitOk) maybe_backup(*(*s)->messenger);
  return rc;
}

int cmd_retry(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, std::int64_t id) {
  auto s = open_session(opt, pp, mo);
  if (!s) return fail(opt, s.error());
  auto r = (*s)->messenger->retry(id);
  auto m = (*s)->messenger->store().message(id);
  std::string name = m && *m ? name_of((*s)->messenger->store(), (*m)->peer) : std::string("?");
  return report_send(opt, **s, r, name);
}

int cmd_listen(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo, std::int64_t count, std::int64_t timeout_s) {
  // Ctrl-C (or SIGTERM) ends it at once, between two lines of output: what was printed
  // is in the profile's database already (a message is kept before it is shown).
  auto s = open_session(opt, pp, mo);
  if (!s) return fail(opt, s.error());
  net::block_shutdown_signals();  // here and in the worker; after the passphrase prompt
  std::mutex out_mu;
  std::atomic<int> result{kExitOk};
  std::atomic<bool> done{false};
  std::thread worker([&] {
    auto& m = *(*s)->messenger;
    auto start = std::chrono::steady_clock::now();
    std::int64_t shown = 0;
    std::int64_t backoff_ms = 500;
    for (;;) {
      std::int64_t left = 25;
      if (timeout_s > 0) {
        left = timeout_s - std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
        if (left <= 0) break;
      }
      auto got = m.receive(static_cast<int>(std::min<std::int64_t>(left, 25)));
      if (!got) {
        if (got.error().is(client::Errc::NoPath) || got.error().is(client::Errc::NoNetwork)) {
          std::lock_guard lock(out_mu);
          result = fail(opt, got.error());
          break;
        }
        {  // the network or a path failed: said once per failure, then tried again later
          std::lock_guard lock(out_mu);
          std::cerr << "sotto: " << got.error().message() << "; trying again in " << static_cast<double>(backoff_ms) / 1000.0 << " s" << std::endl;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min<std::int64_t>(backoff_ms * 2, 8000);
        continue;
      }
      backoff_ms = 500;
      bool printed = true;
      {
        std::lock_guard lock(out_mu);
        for (const auto& msg : *got) {
          json j{{"from", msg.peer}, {"body", msg.body}, {"timestamp", msg.timestamp_ms}, {"hash", msg.hash}};
          if (auto c = m.store().contact(msg.peer); c && *c && !(*c)->nickname.empty()) j["nickname"] = (*c)->nickname;
          if (msg.expires_ms) j["expires"] = *msg.expires_ms;
          print_json(j);  // the whole batch, even past --count: it is kept as seen, so it is shown now
          ++shown;
        }
        printed = output_ok();
      }
      if (!printed) {
        result = kExitFailure;
        break;
      }
      if (count > 0 && shown >= count) break;
      if (!got->empty()) maybe_backup(m, &out_mu);  // takes out_mu itself, for its own message
    }
    done = true;
    ::kill(::getpid(), SIGTERM);  // wakes the signal wait below
  });
  net::wait_for_shutdown_signal();
  std::lock_guard lock(out_mu);  // never in the middle of a line
  if (!done) {
    output_ok();
    std::_Exit(kExitOk);  // stopped by the user: the worker may be waiting on the network
  }
  worker.join();
  return result;
}

int cmd_history(const Options& opt, const std::string& who, std::int64_t limit) {
  auto store = open_store(opt);
  if (!store) return fail(opt, store.error());
  auto peer = resolve(**store, who);
  if (!peer) return fail(opt, peer.error());
  if (auto p = (*store)->purge(base::SystemClock().now_ms()); !p) return fail(opt, p.error());
  auto h = (*store)->history(peer->hex(), static_cast<std::size_t>(std::max<std::int64_t>(1, limit)));
  if (!h) return fail(opt, h.error());
  std::string name = name_of(**store, peer->hex());
  for (const auto& m : *h) {
    if (opt.json) {
      print_json(message_json(**store, m));
      continue;
    }
    bool out = m.direction == client::Direction::Outgoing;
    // Anyone can write to you: the text is shown with its control characters escaped, so
    // it cannot forge lines or drive the terminal.
    std::cout << local_time(m.timestamp_ms) << "  " << (out ? "you" : name) << ": " << printable(m.body);
    if (out) {
      if (m.state == client::DeliveryState::Sent)
        std::cout << "  [stored on " << m.confirmations << "/" << m.swarm_size << "]";
      else
        std::cout << "  [" << client::to_string(m.state) << (m.state == client::DeliveryState::Failed ? ": sotto retry " + std::to_string(m.id) : "")
                  << "]";
    }
    if (m.expires_ms) std::cout << "  (disappears " << local_time(*m.expires_ms) << ")";
    std::cout << "\n";
  }
  if (h->empty() && !opt.json) std::cout << "no messages with " << name << " yet\n";
  return output_ok() ? kExitOk : kExitFailure;
}

int cmd_contacts(const Options& opt, const std::string& action, const std::string& who, const std::string& nickname) {
  auto store = open_store(opt);
  if (!store) return fail(opt, store.error());
  auto& st = **store;
  if (action == "list") {
    auto all = st.contacts();
    if (!all) return fail(opt, all.error());
    for (const auto& c : *all) {
      if (opt.json) print_json({{"account", c.account}, {"nickname", c.nickname}, {"blocked", c.blocked}});
      else std::cout << (c.nickname.empty() ? "(no nickname)" : printable(c.nickname)) << "  " << c.account << (c.blocked ? "  [blocked]" : "") << "\n";
    }
    if (all->empty() && !opt.json) std::cout << "no contacts yet: sotto contacts add ACCOUNT_ID NICKNAME\n";
    return output_ok() ? kExitOk : kExitFailure;
  }
  if (action == "add") {
    auto id = crypto::AccountId::parse(who);
    if (!id) return fail(opt, "bad_account_id", "'" + who.substr(0, 70) + "' is not an account ID (05 followed by 64 hex digits)");
    if (!nickname.empty())
      if (auto ok = client::check_nickname(nickname); !ok) return fail(opt, ok.error());
    if (auto r = st.add_contact(id->hex(), nickname); !r) return fail(opt, r.error());
    if (opt.json) print_json({{"account", id->hex()}, {"nickname", nickname}});
    else std::cout << "added " << (nickname.empty() ? id->hex() : nickname + " (" + id->hex() + ")") << "\n";
    return kExitOk;
  }
  auto id = resolve(st, who);
  if (!id) return fail(opt, id.error());
  if (action == "remove") {
    auto r = st.remove_contact(id->hex());
    if (!r) return fail(opt, r.error());
    if (!*r) return fail(opt, "unknown_contact", who + " is not a contact");
  } else {  // block, unblock
    if (auto r = st.set_blocked(id->hex(), action == "block"); !r) return fail(opt, r.error());
  }
  if (opt.json) print_json({{"account", id->hex()}, {"done", action}});
  else std::cout << action << ": " << id->hex() << "\n";
  return kExitOk;
}

}  // namespace sotto::cli
