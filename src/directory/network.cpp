#include "directory/network.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json.hpp"
#include <set>

namespace sotto::directory {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::Malformed: return "malformed";
    case Errc::BadSignature: return "bad_signature";
    case Errc::KeyMismatch: return "key_mismatch";
    case Errc::OutOfWindow: return "out_of_window";
    case Errc::WrongNetwork: return "wrong_network";
    case Errc::NotAuthority: return "not_authority";
    case Errc::UnderSigned: return "under_signed";
    case Errc::Forged: return "forged";
    case Errc::Replayed: return "replayed";
    case Errc::Stale: return "stale";
    case Errc::NoConsensus: return "no_consensus";
    case Errc::TooFrequent: return "too_frequent";
    case Errc::WrongAddress: return "wrong_address";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.directory")

bool valid_network_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool is_lower_hex(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

namespace {

using nlohmann::json;

Error network_error(const std::string& why) { return Error(Errc::Malformed, "network.json: " + why); }

Result<std::int64_t> int_field(const json& j, const char* name, std::int64_t min, std::int64_t max, std::optional<std::int64_t> dflt) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (dflt) return *dflt;
    return network_error(std::string("'") + name + "' is missing");
  }
  if (!it->is_number_integer()) return network_error(std::string("'") + name + "' must be an integer");
  auto v = it->get<std::int64_t>();
  if (v < min || v > max) return network_error(std::string("'") + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
  return v;
}

Result<std::vector<Peer>> peers(const json& j, const char* name, bool required) {
  std::vector<Peer> out;
  auto it = j.find(name);
  if (it == j.end()) {
    if (required) return network_error(std::string("'") + name + "' is missing");
    return out;
  }
  if (!it->is_array()) return network_error(std::string("'") + name + "' must be an array");
  std::set<crypto::Ed25519Public> seen;
  for (const auto& p : *it) {
    std::string where = std::string(name) + "[" + std::to_string(out.size()) + "]";
    if (!p.is_object()) return network_error(where + " must be an object");
    auto k = p.find("ed25519");
    auto u = p.find("url");
    if (k == p.end() || !k->is_string()) return network_error(where + ".ed25519 must be a string of 64 hex digits");
    const auto& hex = k->get_ref<const std::string&>();
    auto key = crypto::Ed25519Public::from_hex(hex);
    if (!key || hex.size() != 64 || std::any_of(hex.begin(), hex.end(), [](char c) { return c >= 'A' && c <= 'F'; }))
      return network_error(where + ".ed25519 must be 64 lowercase hex digits");
    if (u == p.end() || !u->is_string() || !u->get_ref<const std::string&>().starts_with("https://") ||
        u->get_ref<const std::string&>().size() > 256)
      return network_error(where + ".url must be an https:// URL");
    if (!seen.insert(*key).second) return network_error(where + " repeats a key");
    out.push_back({*key, u->get<std::string>()});
  }
  if (required && out.empty()) return network_error(std::string("'") + name + "' must not be empty");
  return out;
}

}  // namespace

Result<Network> parse_network(std::string_view text) {
  if (text.size() > kMaxNetworkJson) return network_error("larger than 1 MiB");
  auto parsed = base::read_json_object(text, {kMaxNetworkJson, 6, std::size_t{1} << 16});
  if (!parsed) return network_error(parsed.error().message());
  const json& j = *parsed;
  Network n;
  auto id = j.find("network_id");
  if (id == j.end() || !id->is_string() || !valid_network_id(id->get_ref<const std::string&>()))
    return network_error("'network_id' must be 1 to 64 of a-z, 0-9 and -");
  n.network_id = id->get<std::string>();
  auto genesis = int_field(j, "genesis", 0, 1LL << 40, std::nullopt);
  if (!genesis) return std::move(genesis).error();
  n.genesis = *genesis;
  auto epoch = int_field(j, "epoch_seconds", 2, 86'400, std::nullopt);
  if (!epoch) return std::move(epoch).error();
  n.epoch_seconds = *epoch;
  auto tol = int_field(j, "tolerance_seconds", 0, 30LL * 86'400, n.tolerance_seconds);
  if (!tol) return std::move(tol).error();
  n.tolerance_seconds = *tol;
  auto per_ip = int_field(j, "max_nodes_per_ip", 1, 1000, n.max_nodes_per_ip);
  if (!per_ip) return std::move(per_ip).error();
  n.max_nodes_per_ip = static_cast<int>(*per_ip);
  if (auto s = j.find("swarm"); s != j.end()) {
    if (!s->is_object()) return network_error("'swarm' must be an object");
    auto mn = int_field(*s, "min", 1, 100, n.swarm.min), id2 = int_field(*s, "ideal", 1, 100, n.swarm.ideal),
         mx = int_field(*s, "max", 1, 100, n.swarm.max);
    if (!mn) return std::move(mn).error();
    if (!id2) return std::move(id2).error();
    if (!mx) return std::move(mx).error();
    if (!(*mn <= *id2 && *id2 <= *mx)) return network_error("'swarm' needs min <= ideal <= max");
    n.swarm = {static_cast<int>(*mn), static_cast<int>(*id2), static_cast<int>(*mx)};
  }
  auto auths = peers(j, "authorities", true);
  if (!auths) return std::move(auths).error();
  n.authorities = std::move(*auths);
  auto seeds = peers(j, "seed_nodes", false);
  if (!seeds) return std::move(seeds).error();
  n.seed_nodes = std::move(*seeds);
  return n;
}

}  // namespace sotto::directory
