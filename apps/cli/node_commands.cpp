// sotto dev store | fetch | rpc: store a message for an account at its swarm and check
// every member's signed receipt; fetch this account's messages with a signed retrieve and
// decrypt them; any storage RPC. Through a 3-hop onion path to a swarm member by the
// consensus the profile holds, or straight to a node (--direct, --node).

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "sotto/dev.hpp"

namespace sotto::cli {

namespace {

using nlohmann::json;

dev::Route route_of(const DevRoute& how) { return dev::Route{how.node_url, how.direct}; }

json path_json(const dev::Answer& a) { return a.path.empty() ? json(nullptr) : json(a.path); }

// "through a 3-hop onion path: guard 4cf5268e… → f773385d… → ea1b6769… → node 4df1654f…"
std::string route_text(const dev::Answer& a) {
  if (a.path.empty()) return "straight to the node";
  std::string out = "through a " + std::to_string(a.path.size()) + "-hop onion path: ";
  for (std::size_t i = 0; i < a.path.size(); ++i) out += (i ? " → " : "guard ") + a.path[i].substr(0, 8) + "…";
  return out + " → node " + a.node.substr(0, 8) + "…";
}

}  // namespace

int cmd_dev_store(const Options& opt, const DevRoute& how, const std::string& to, const std::string& data) {
  auto dir = profile_dir(opt);
  if (!dir) return fail(opt, dir.failure());
  auto r = dev::store(*dir, route_of(how), to, data);
  if (!r) return fail(opt, r.failure());
  if (opt.json) {
    json receipts = json::array();
    for (const auto& rc : r->receipts) receipts.push_back({{"node", rc.node}, {"verified", rc.verified}, {"failed", rc.failed}});
    print_json({{"hash", r->hash}, {"members", r->receipts.size()}, {"verified", r->verified}, {"receipts", receipts}, {"path", path_json(r->answer)}});
  } else {
    std::cout << "stored: " << r->hash << "\nreceipts: " << r->verified << " of " << r->receipts.size() << " swarm members signed it\n"
              << route_text(r->answer) << "\n";
  }
  return r->verified > 0 ? kExitOk : kExitFailure;
}

int cmd_dev_fetch(const Options& opt, const PassphraseOptions& pp, const DevRoute& how) {
  if (auto ok = dev::check_route(route_of(how)); !ok) return fail(opt, ok.failure());  // before the passphrase
  auto dir = profile_dir(opt);
  if (!dir) return fail(opt, dir.failure());
  auto pass = unlock(opt, pp);
  if (!pass) return fail(opt, pass.failure());
  auto r = dev::fetch(*dir, *pass ? &**pass : nullptr, route_of(how));
  if (!r) return fail(opt, r.failure());
  json out = json::array();
  for (const auto& m : r->messages) {
    if (!m.body) out.push_back({{"hash", m.hash}, {"error", m.error}});
    else out.push_back({{"hash", m.hash}, {"from", *m.from}, {"body", *m.body}, {"timestamp", m.timestamp_ms}});
  }
  if (opt.json) {
    print_json({{"messages", out}, {"path", path_json(r->answer)}});
  } else {
    std::cout << out.size() << " message(s), " << route_text(r->answer) << "\n";
    for (const auto& m : r->messages) {
      if (!m.body) std::cout << "- (unreadable: " << printable(m.error) << ")\n";
      else std::cout << "- from " << m.from->substr(0, 12) << "…: " << printable(*m.body) << "\n";
    }
  }
  return kExitOk;
}

int cmd_dev_rpc(const Options& opt, const DevRoute& how, const std::string& method, const std::string& params) {
  auto dir = profile_dir(opt);
  if (!dir) return fail(opt, dir.failure());
  auto r = dev::rpc(*dir, route_of(how), method, params);
  if (!r) return fail(opt, r.failure());
  // Printed as JSON when libsotto found it JSON within its limits (so printing it cannot
  // recurse deep), else as a string.
  json body = r->body_is_json ? json::parse(r->body, nullptr, false) : json(r->body);
  if (body.is_discarded()) body = r->body;
  print_json({{"status", r->status}, {"body", body}, {"destination", r->node}, {"path", path_json(*r)}});
  return r->status == 200 ? kExitOk : kExitFailure;
}

}  // namespace sotto::cli
