// sotto network use | update | status: the network this profile talks to (its
// network.json) and the newest consensus it accepted, fetched from an authority, a seed
// node or any node, checked (a majority of the authorities' signatures, current, newer than
// the one held) and kept in the profile (docs/client.md, "The network").

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/session.hpp"

namespace sotto::cli {

namespace {

using nlohmann::json;

std::string utc(std::int64_t s) {
  std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  char buf[32];
  if (!gmtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return std::to_string(s);
  return buf;
}

json summary(const ConsensusInfo& c) {
  return {{"epoch", c.epoch}, {"nodes", c.nodes}, {"swarms", c.swarms}, {"unassigned", c.unassigned},
          {"valid_after", c.valid_after}, {"valid_until", c.valid_until}};
}

std::string summary_text(const ConsensusInfo& c) {
  std::ostringstream o;
  o << "epoch " << c.epoch << ": " << c.nodes << " nodes in " << c.swarms << " swarms";
  if (c.unassigned > 0) o << " (" << c.unassigned << " unassigned)";
  o << ", valid until " << utc(c.valid_until);
  return o.str();
}

}  // namespace

int cmd_network_use(const Options& opt, const std::string& file) {
  auto p = open_local(opt);
  if (!p) return fail(opt, p.failure());
  auto net = (*p)->use_network(file);
  if (!net) return fail(opt, net.failure());
  if (opt.json) {
    print_json({{"network_id", net->network_id}, {"authorities", net->authorities}, {"seed_nodes", net->seed_nodes}});
  } else {
    std::cout << "network " << net->network_id << ": " << net->authorities << " authorities, " << net->seed_nodes
              << " seed nodes\nnext: sotto network update" << std::endl;
  }
  return kExitOk;
}

int cmd_network_update(const Options& opt, const std::string& from) {
  auto p = open_local(opt);
  if (!p) return fail(opt, p.failure());
  auto said = [&opt](const std::string& url, const std::string& why) {
    if (!opt.json) std::cerr << "sotto: nothing taken from " << url << ": " << printable(why) << std::endl;
  };
  auto u = (*p)->update_network(from, nullptr, said);
  if (!u) return fail(opt, u.failure());
  if (u->consensus) {
    json s = summary(*u->consensus);
    if (u->up_to_date) s["up_to_date"] = true;
    else s["from"] = u->from;
    if (opt.json) print_json(s);
    else if (u->up_to_date) std::cout << "consensus " << summary_text(*u->consensus) << " is still the newest" << std::endl;
    else std::cout << "consensus " << summary_text(*u->consensus) << " (from " << u->from << ")" << std::endl;
    return kExitOk;
  }
  json refused = json::array();
  for (const auto& [url, why] : u->refused) refused.push_back({{"from", url}, {"reason", why}});
  return fail(opt, "no_consensus",
              "no source gave a valid consensus newer than the one held" +
                  (u->held_epoch ? " (epoch " + std::to_string(*u->held_epoch) + ")" : std::string()) +
                  (opt.json ? ": " + refused.dump() : std::string()));
}

int cmd_network_status(const Options& opt) {
  auto p = open_local(opt);
  if (!p) return fail(opt, p.failure());
  auto st = (*p)->network_status();
  if (!st) return fail(opt, st.failure());
  json out{{"network_id", st->network_id}, {"held_epoch", st->held_epoch ? json(*st->held_epoch) : json(nullptr)}};
  if (st->consensus) out["consensus"] = summary(*st->consensus);
  if (opt.json) {
    print_json(out);
    return kExitOk;
  }
  std::cout << "network " << st->network_id << "\n";
  if (st->consensus) {
    std::cout << "consensus " << summary_text(*st->consensus) << "\n";
    if (std::time(nullptr) > st->consensus->valid_until)
      std::cout << "  (past its valid_until, still used within the network's tolerance: sotto network update)\n";
  } else if (st->held_epoch) {
    std::cout << "consensus of epoch " << *st->held_epoch << " held, no longer current: sotto network update\n";
  } else {
    std::cout << "no consensus yet: sotto network update\n";
  }
  return kExitOk;
}

}  // namespace sotto::cli
