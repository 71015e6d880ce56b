#include "client/network_view.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/json.hpp"

#include "proto/swarm_space.hpp"

namespace sotto::client {

using nlohmann::json;

namespace {
// consensus.json: {"network_id", "genesis", "epoch": E, "consensus": "<the document as
// served>"}; the network fields say which network the floor E belongs to.
std::string consensus_file(const directory::Network& net, std::int64_t epoch, std::string_view doc) {
  return json{{"network_id", net.network_id}, {"genesis", net.genesis}, {"epoch", epoch}, {"consensus", std::string(doc)}}.dump() + "\n";
}

bool same_network(const directory::Network& a, const directory::Network& b) {
  if (a.network_id != b.network_id || a.genesis != b.genesis || a.epoch_seconds != b.epoch_seconds ||
      a.authorities.size() != b.authorities.size())
    return false;
  for (std::size_t i = 0; i < a.authorities.size(); ++i)
    if (a.authorities[i].ed25519 != b.authorities[i].ed25519) return false;
  return true;
}
}  // namespace

Result<void> NetworkView::use_file(const Profile& profile, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Errc::NoNetwork, "cannot read " + path);
  std::string text;
  text.resize(directory::kMaxNetworkJson + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > directory::kMaxNetworkJson) return Error(Errc::NoNetwork, path + " is larger than 1 MiB");
  auto held = profile.read_file(kNetworkFile, directory::kMaxNetworkJson);
  if (!held) return std::move(held).error();
  if (*held && **held == text) return {};  // remembered in the profile already
  auto u = use(profile, text);
  if (!u) return std::move(u).error();
  return {};
}

Result<directory::Network> NetworkView::use(const Profile& profile, std::string_view network_json) {
  auto net = directory::parse_network(network_json);
  if (!net) return std::move(net).error();
  auto old_text = profile.read_file(kNetworkFile, directory::kMaxNetworkJson);
  if (!old_text) return std::move(old_text).error();
  bool forget = true;
  if (*old_text) {
    auto old = directory::parse_network(**old_text);
    forget = !old || !same_network(*old, *net);
  }
  // The old consensus goes first: a failure between the two writes must not leave the old
  // network's floor under the new network (consensus.json also names its network).
  if (forget)
    if (auto r = profile.replace_file(kConsensusFile, "{}\n"); !r) return std::move(r).error();
  if (auto r = profile.replace_file(kNetworkFile, network_json); !r) return std::move(r).error();
  return net;
}

Result<NetworkView> NetworkView::open(const Profile& profile, std::int64_t now_s) {
  auto text = profile.read_file(kNetworkFile, directory::kMaxNetworkJson);
  if (!text) return std::move(text).error();
  if (!*text)
    return Error(Errc::NoNetwork, "this profile has no network: run `sotto network use FILE` with the network's network.json first");
  auto net = directory::parse_network(**text);
  if (!net) return Error(Errc::Io, (profile.dir() / kNetworkFile).string() + " is damaged: " + net.error().message());
  NetworkView view(profile, std::move(*net));
  auto held = profile.read_file(kConsensusFile, directory::kMaxConsensusJson + 4096);
  if (!held) return std::move(held).error();
  if (*held) {
    auto parsed = base::read_json_object(**held, {directory::kMaxConsensusJson + 4096, 4, 64});
    if (!parsed) return Error(Errc::Io, (profile.dir() / kConsensusFile).string() + " is damaged (" + parsed.error().message() + ")");
    const json& j = *parsed;
    if (j.contains("epoch")) {
      if (!j["epoch"].is_number_integer() || !j.contains("consensus") || !j["consensus"].is_string() || !j.contains("network_id") ||
          !j["network_id"].is_string() || !j.contains("genesis") || !j["genesis"].is_number_integer())
        return Error(Errc::Io, (profile.dir() / kConsensusFile).string() + " is damaged");
      if (j["network_id"] != view.net_.network_id || j["genesis"] != view.net_.genesis)
        return view;  // another network's: no floor here
      view.floor_ = j["epoch"].get<std::int64_t>();
      // Still current? Then it is the one to route by (checked again, as any document).
      auto c = directory::accept_consensus(j["consensus"].get<std::string>(), view.net_, std::nullopt, now_s);
      if (c && c->epoch == *view.floor_) view.current_ = std::move(*c);
    }
  }
  return view;
}

Result<const directory::Consensus*> NetworkView::offer(std::string_view consensus_json, std::int64_t now_s) {
  auto c = directory::accept_consensus(consensus_json, net_, floor_, now_s);
  if (!c) return std::move(c).error();
  if (auto r = profile_.replace_file(kConsensusFile, consensus_file(net_, c->epoch, consensus_json)); !r) return std::move(r).error();
  floor_ = c->epoch;
  current_ = std::move(*c);
  return &*current_;
}

std::vector<directory::ConsensusNode> NetworkView::swarm_of(std::span<const std::uint8_t, 33> account) const {
  std::vector<directory::ConsensusNode> out;
  if (!current_) return out;
  auto ids = current_->swarm_ids();
  auto id = proto::nearest_swarm(ids, proto::swarm_space(account.subspan<1, 32>()));
  if (!id) return out;
  for (const auto& n : current_->nodes)
    if (n.swarm_id == *id) out.push_back(n);
  return out;
}

}  // namespace sotto::client
