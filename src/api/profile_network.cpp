// A profile's network (include/sotto/profile.hpp, "The network"), over client::NetworkView:
// the network.json it uses and the newest consensus it accepted.

#include <fstream>
#include <set>

#include "api/https_transport.hpp"
#include "api/profile_impl.hpp"
#include "base/clock.hpp"
#include "client/network_view.hpp"
#include "client/peers.hpp"
#include "directory/errc.hpp"

namespace sotto {

namespace {

std::int64_t now_s() { return base::SystemClock().now_ms() / 1000; }

ConsensusInfo summary(const directory::Consensus& c) {
  ConsensusInfo out{c.epoch, c.nodes.size(), 0, 0, c.valid_after, c.valid_until};
  std::set<std::uint64_t> swarms;
  for (const auto& n : c.nodes)
    if (n.swarm_id == directory::kUnassigned) ++out.unassigned;
    else swarms.insert(n.swarm_id);
  out.swarms = swarms.size();
  return out;
}

}  // namespace

Outcome<NetworkInfo> Profile::use_network(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Failure{"io", "cannot read " + path};
  std::string text;
  text.resize(directory::kMaxNetworkJson + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > directory::kMaxNetworkJson) return Failure{"too_large", path + " is larger than 1 MiB"};
  auto net = client::NetworkView::use(impl_->profile, text);
  if (!net) return api::failure_of(net.error());
  return NetworkInfo{net->network_id, net->authorities.size(), net->seed_nodes.size()};
}

Outcome<NetworkStatus> Profile::network_status() {
  auto view = client::NetworkView::open(impl_->profile, now_s());
  if (!view) return api::failure_of(view.error());
  NetworkStatus out{view->network().network_id, view->held_epoch(), std::nullopt};
  if (view->current()) out.consensus = summary(*view->current());
  return out;
}

Outcome<NetworkUpdate> Profile::update_network(const std::string& from, Transport* transport,
                                               const std::function<void(const std::string&, const std::string&)>& refused) {
  auto view = client::NetworkView::open(impl_->profile, now_s());
  if (!view) return api::failure_of(view.error());
  std::vector<std::string> sources;
  if (!from.empty()) {
    sources.push_back(from);
  } else {
    for (const auto& a : view->network().authorities) sources.push_back(a.url);
    for (const auto& s : view->network().seed_nodes) sources.push_back(s.url);
  }
  std::vector<std::pair<std::string, std::uint16_t>> at;
  for (const auto& url : sources) {
    auto a = client::parse_node_url(url);
    if (!a) return Failure{"bad_url", url + " is not https://HOST:PORT"};
    at.push_back(*a);
  }
  api::HttpsTransport own(std::chrono::seconds(10));
  std::optional<api::TransportBridge> bridge;
  if (transport) bridge.emplace(*transport);
  client::Transport& t = bridge ? static_cast<client::Transport&>(*bridge) : own;
  NetworkUpdate out;
  out.held_epoch = view->held_epoch();
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string& url = sources[i];
    auto r = t.get(at[i].first, at[i].second, "/directory/v1/consensus");
    std::string why;
    if (!r) {
      why = r.error().message();
    } else if (r->status != 200) {
      why = "answered " + std::to_string(r->status);
    } else if (r->body.size() > directory::kMaxConsensusJson) {
      why = "sent more than 8 MiB";
    } else {
      auto got = view->offer(r->body, now_s());
      if (got) {
        out.consensus = summary(**got);
        out.from = url;
        return out;
      }
      if (got.error().is(directory::Errc::Replayed) && view->current()) out.up_to_date = true;
      why = got.error().token() + ": " + got.error().message();
    }
    if (refused) refused(url, why);
    out.refused.emplace_back(url, why);
  }
  if (out.up_to_date) out.consensus = summary(*view->current());
  return out;
}

}  // namespace sotto
