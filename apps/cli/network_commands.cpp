// sotto network use | update | status: the network this profile talks to (its
// network.json) and the newest consensus it accepted, fetched from an authority, a seed
// node or any node, checked (a majority of the authorities' signatures, current, newer than
// the one held) and kept in the profile (docs/client.md, "The network").

#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/clock.hpp"
#include "cli/commands.hpp"
#include "client/network_view.hpp"
#include "net/address.hpp"
#include "directory/errc.hpp"
#include "net/client.hpp"

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

json summary(const directory::Consensus& c) {
  std::map<std::uint64_t, int> swarms;
  int unassigned = 0;
  for (const auto& n : c.nodes)
    if (n.swarm_id == directory::kUnassigned) ++unassigned;
    else ++swarms[n.swarm_id];
  return {{"epoch", c.epoch}, {"nodes", c.nodes.size()}, {"swarms", swarms.size()}, {"unassigned", unassigned},
          {"valid_after", c.valid_after}, {"valid_until", c.valid_until}};
}

std::string summary_text(const json& s) {
  std::ostringstream o;
  o << "epoch " << s["epoch"] << ": " << s["nodes"] << " nodes in " << s["swarms"] << " swarms";
  if (s["unassigned"].get<int>() > 0) o << " (" << s["unassigned"] << " unassigned)";
  o << ", valid until " << utc(s["valid_until"].get<std::int64_t>());
  return o.str();
}

Result<client::NetworkView> open_view(const Options& opt) {
  auto profile = open_profile(opt);
  if (!profile) return std::move(profile).error();
  return client::NetworkView::open(*profile, base::SystemClock().now_ms() / 1000);
}

}  // namespace

int cmd_network_use(const Options& opt, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(opt, "io", "cannot read " + file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  if (text.size() > directory::kMaxNetworkJson) return fail(opt, "too_large", file + " is larger than 1 MiB");
  auto profile = open_profile(opt);
  if (!profile) return fail(opt, profile.error());
  auto net = client::NetworkView::use(*profile, text);
  if (!net) return fail(opt, net.error());
  if (opt.json) {
    print_json({{"network_id", net->network_id}, {"authorities", net->authorities.size()}, {"seed_nodes", net->seed_nodes.size()}});
  } else {
    std::cout << "network " << net->network_id << ": " << net->authorities.size() << " authorities, " << net->seed_nodes.size()
              << " seed nodes\nnext: sotto network update" << std::endl;
  }
  return kExitOk;
}

int cmd_network_update(const Options& opt, const std::string& from) {
  auto view = open_view(opt);
  if (!view) return fail(opt, view.error());
  std::vector<std::string> sources;
  if (!from.empty()) {
    sources.push_back(from);
  } else {
    for (const auto& a : view->network().authorities) sources.push_back(a.url);
    for (const auto& s : view->network().seed_nodes) sources.push_back(s.url);
  }
  json refused = json::array();
  bool up_to_date = false;
  for (const auto& url : sources) {
    auto at = net::parse_https_url(url);
    if (!at) return fail(opt, "bad_url", url + " is not https://HOST:PORT");
    net::HttpClient c(at->host, at->port, true, std::chrono::seconds(10));
    auto r = c.get("/directory/v1/consensus");
    std::string why;
    if (!r) {
      why = r.error().message();
    } else if (r->status != 200) {
      why = "answered " + std::to_string(r->status);
    } else if (r->body.size() > directory::kMaxConsensusJson) {
      why = "sent more than 8 MiB";
    } else {
      auto got = view->offer(r->body, base::SystemClock().now_ms() / 1000);
      if (got) {
        json s = summary(**got);
        s["from"] = url;
        if (opt.json) print_json(s);
        else std::cout << "consensus " << summary_text(s) << " (from " << url << ")" << std::endl;
        return kExitOk;
      }
      if (got.error().is(directory::Errc::Replayed) && view->current()) up_to_date = true;
      why = got.error().token() + ": " + got.error().message();
    }
    refused.push_back({{"from", url}, {"reason", why}});
    if (!opt.json) std::cerr << "sotto: nothing taken from " << url << ": " << why << std::endl;
  }
  if (up_to_date) {
    json s = summary(*view->current());
    s["up_to_date"] = true;
    if (opt.json) print_json(s);
    else std::cout << "consensus " << summary_text(s) << " is still the newest" << std::endl;
    return kExitOk;
  }
  return fail(opt, "no_consensus",
              "no source gave a valid consensus newer than the one held" +
                  (view->held_epoch() ? " (epoch " + std::to_string(*view->held_epoch()) + ")" : std::string()) +
                  (opt.json ? ": " + refused.dump() : std::string()));
}

int cmd_network_status(const Options& opt) {
  auto view = open_view(opt);
  if (!view) return fail(opt, view.error());
  json out{{"network_id", view->network().network_id}, {"held_epoch", view->held_epoch() ? json(*view->held_epoch()) : json(nullptr)}};
  if (view->current()) out["consensus"] = summary(*view->current());
  if (opt.json) {
    print_json(out);
  } else {
    std::cout << "network " << view->network().network_id << "\n";
    if (view->current()) {
      std::cout << "consensus " << summary_text(out["consensus"]) << "\n";
      if (base::SystemClock().now_ms() / 1000 > view->current()->valid_until)
        std::cout << "  (past its valid_until, still used within the network's tolerance: sotto network update)\n";
    }
    else if (view->held_epoch()) std::cout << "consensus of epoch " << *view->held_epoch() << " held, no longer current: sotto network update\n";
    else std::cout << "no consensus yet: sotto network update\n";
  }
  return kExitOk;
}

}  // namespace sotto::cli
