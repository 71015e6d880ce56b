// sotto backup now | restore | status | auto: encrypted backups of the profile in the
// network, over libsotto's Messenger; the settings from the profile.

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/session.hpp"

namespace sotto::cli {

namespace {

nlohmann::json backup_json(const BackupResult& r) {
  nlohmann::json j{{"seq", r.seq},         {"chunks", r.chunks},     {"new_chunks", r.new_chunks}, {"bytes", r.bytes},
                   {"new_bytes", r.new_bytes}, {"parts_uploaded", r.parts_uploaded}, {"deleted", r.deleted}, {"contacts", r.contacts},
                   {"conversations", r.conversations}, {"messages", r.messages}};
  if (!r.cleanup_error.empty()) j["cleanup_error"] = r.cleanup_error;
  return j;
}

}  // namespace

int cmd_backup_now(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo) {
  auto m = open_messenger(opt, pp, mo);
  if (!m) return fail(opt, m.failure());
  auto r = (*m)->backup_now(progress_bar(opt, "backup"));
  if (!r) return fail(opt, r.failure());
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
  auto m = open_messenger(opt, pp, mo);
  auto r = m ? (*m)->restore_backup(progress_bar(opt, "restore")) : Outcome<RestoreResult>(m.failure());
  if (!r && after_account_restore) {
    if (r.failure().code == "no_backup") {
      if (opt.json) print_json({{"backup", nullptr}});
      else std::cout << "this account has no backup in the network: nothing more to restore" << std::endl;
      return kExitOk;
    }
    return fail(opt, r.failure().code, r.failure().message + " (the account itself is restored: `sotto backup restore` tries the backup again)");
  }
  if (!r) return fail(opt, r.failure());
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
  auto p = open_local(opt);
  if (!p) return fail(opt, p.failure());
  if (auto_minutes)
    if (auto r = (*p)->set_auto_backup(*auto_minutes); !r) return fail(opt, r.failure());
  auto st = (*p)->backup_status();
  if (!st) return fail(opt, st.failure());
  if (opt.json) {
    nlohmann::json j{{"auto_minutes", st->auto_minutes}, {"messages_here", st->messages_here}};
    if (st->last)
      j["last"] = {{"seq", st->last->seq}, {"created_ms", st->last->created_ms}, {"messages", st->last->messages},
                   {"contacts", st->last->contacts}, {"conversations", st->last->conversations}, {"chunks", st->last->chunks}};
    print_json(j);
  } else {
    if (st->last)
      std::cout << "last backup: " << st->last->seq << " at " << local_time(st->last->created_ms) << ", " << st->last->messages << " messages, "
                << st->last->contacts << " contacts in " << st->last->chunks << " chunks\n";
    else
      std::cout << "no backup yet: sotto backup now\n";
    std::cout << "messages here now: " << st->messages_here << "\nautomatic backups: "
              << (st->auto_minutes > 0 ? "after changes, at most every " + std::to_string(st->auto_minutes) + " minutes" : std::string("off")) << "\n";
  }
  return kExitOk;
}

}  // namespace sotto::cli
