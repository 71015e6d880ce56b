// sotto contacts add | list | remove | block | unblock: nicknames for account IDs, and who
// is blocked, in the profile's local database.

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/session.hpp"

namespace sotto::cli {

int cmd_contacts(const Options& opt, const std::string& action, const std::string& who, const std::string& nickname) {
  auto p = open_local(opt);
  if (!p) return fail(opt, p.failure());
  auto& profile = **p;
  if (action == "list") {
    auto all = profile.contacts();
    if (!all) return fail(opt, all.failure());
    for (const auto& c : *all) {
      if (opt.json) print_json({{"account", c.account_id}, {"nickname", c.nickname}, {"blocked", c.blocked}});
      else std::cout << (c.nickname.empty() ? "(no nickname)" : printable(c.nickname)) << "  " << c.account_id << (c.blocked ? "  [blocked]" : "") << "\n";
    }
    if (all->empty() && !opt.json) std::cout << "no contacts yet: sotto contacts add ACCOUNT_ID NICKNAME\n";
    return output_ok() ? kExitOk : kExitFailure;
  }
  if (action == "add") {
    auto c = profile.add_contact(who, nickname);
    if (!c) return fail(opt, c.failure());
    if (opt.json) print_json({{"account", c->account_id}, {"nickname", nickname}});
    else std::cout << "added " << (nickname.empty() ? c->account_id : nickname + " (" + c->account_id + ")") << "\n";
    return kExitOk;
  }
  auto c = action == "remove" ? profile.remove_contact(who) : profile.set_blocked(who, action == "block");
  if (!c) return fail(opt, c.failure());
  if (opt.json) print_json({{"account", c->account_id}, {"done", action}});
  else std::cout << action << ": " << c->account_id << "\n";
  return kExitOk;
}

}  // namespace sotto::cli
