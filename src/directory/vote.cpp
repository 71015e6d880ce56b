#include "directory/vote.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json.hpp"
#include "crypto/hash.hpp"
#include "directory/descriptor_json.hpp"
#include "directory/network.hpp"

namespace sotto::directory {

namespace {

using nlohmann::json;

constexpr std::string_view kVoteDomain = "sotto-vote-v1";

Error vote_error(const std::string& why) { return Error(Errc::Malformed, "vote: " + why); }

json to_object(const Vote& v) {
  json nodes = json::array();
  for (const auto& n : v.nodes) nodes.push_back(json::parse(directory::to_json(n)));
  return json{{"type", "vote"},        {"network_id", v.network_id}, {"epoch", v.epoch},   {"authority", v.authority.hex()},
              {"methods", v.methods},  {"prev_digest", v.prev_digest}, {"nodes", std::move(nodes)}};
}

}  // namespace

std::string canonical_json(const Vote& v) { return to_object(v).dump(); }  // std::map: keys sorted at every level

std::string signed_bytes(const Vote& v) {
  std::string out(kVoteDomain);
  out += '\0';
  out += canonical_json(v);
  return out;
}

std::string digest_hex(const Vote& v) { return base::to_hex(crypto::blake2b_256(as_bytes(signed_bytes(v)))); }

SignedVote sign_vote(Vote v, const crypto::Ed25519Secret& sk) {
  std::sort(v.nodes.begin(), v.nodes.end(), [](const auto& a, const auto& b) { return a.descriptor.ed25519 < b.descriptor.ed25519; });
  auto sig = crypto::sign(sk, as_bytes(signed_bytes(v)));
  return {std::move(v), sig};
}

std::string to_json(const SignedVote& s) {
  return json{{"vote", to_object(s.vote)}, {"signature", base::to_hex(s.signature)}}.dump();
}

Result<SignedVote> parse_vote(std::string_view text, const Network& net, std::int64_t epoch) {
  if (text.size() > kMaxVoteJson) return vote_error("larger than 8 MiB");
  // {"vote": {"nodes": [{"descriptor": {...}}]}}: 5 levels.
  auto parsed = base::read_json_object(text, {kMaxVoteJson, 8, std::size_t{1} << 20});
  if (!parsed) return vote_error(parsed.error().message());
  const json& j = *parsed;
  if (j.size() != 2) return vote_error("not a JSON object of 'vote' and 'signature'");
  auto vj = j.find("vote");
  auto sj = j.find("signature");
  if (vj == j.end() || !vj->is_object()) return vote_error("'vote' must be an object");
  if (sj == j.end() || !sj->is_string() || !is_lower_hex(sj->get_ref<const std::string&>(), 128))
    return vote_error("'signature' must be 128 lowercase hex digits");
  const json& o = *vj;
  if (o.size() != 7) return vote_error("must hold exactly type, network_id, epoch, authority, methods, prev_digest, nodes");
  auto str = [&](const char* name) -> const std::string* {
    auto it = o.find(name);
    return it != o.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  auto type = str("type");
  if (!type || *type != "vote") return vote_error("'type' must be \"vote\"");
  auto network_id = str("network_id");
  if (!network_id || !valid_network_id(*network_id)) return vote_error("'network_id' must be 1 to 64 of a-z, 0-9 and -");
  auto e = o.find("epoch");
  if (e == o.end() || !e->is_number_integer() || e->get<std::int64_t>() < 0) return vote_error("'epoch' must be a non-negative integer");
  auto auth = str("authority");
  if (!auth || !is_lower_hex(*auth, 64)) return vote_error("'authority' must be 64 lowercase hex digits");
  auto methods = o.find("methods");
  if (methods == o.end() || !methods->is_array() || methods->empty()) return vote_error("'methods' must be a non-empty array");
  SignedVote s;
  Vote& v = s.vote;
  v.methods.clear();
  for (const auto& m : *methods) {
    if (!m.is_number_integer() || m.get<std::int64_t>() < 1 || m.get<std::int64_t>() > 1000) return vote_error("'methods' must hold integers 1-1000");
    int x = static_cast<int>(m.get<std::int64_t>());
    if (!v.methods.empty() && x <= v.methods.back()) return vote_error("'methods' must be ascending without repeats");
    v.methods.push_back(x);
  }
  auto prev = str("prev_digest");
  if (!prev || !(prev->empty() || is_lower_hex(*prev, 64))) return vote_error("'prev_digest' must be empty or 64 lowercase hex digits");
  auto nodes = o.find("nodes");
  if (nodes == o.end() || !nodes->is_array()) return vote_error("'nodes' must be an array");

  v.network_id = *network_id;
  v.epoch = e->get<std::int64_t>();
  v.authority = *crypto::Ed25519Public::from_hex(*auth);
  v.prev_digest = *prev;
  s.signature = *base::from_hex_fixed<64>(sj->get_ref<const std::string&>());
  if (v.network_id != net.network_id) return Error(Errc::WrongNetwork, "vote: for network '" + v.network_id + "', not this one");
  if (v.epoch != epoch)
    return Error(Errc::OutOfWindow, "vote: for epoch " + std::to_string(v.epoch) + ", not " + std::to_string(epoch));
  if (std::none_of(net.authorities.begin(), net.authorities.end(), [&](const Peer& p) { return p.ed25519 == v.authority; }))
    return Error(Errc::NotAuthority, "vote: signed by " + v.authority.hex().substr(0, 16) + "..., not an authority of this network");
  // Every descriptor's fields first (no cryptography), then the vote's one signature over
  // its canonical form (made from the fields read, never from the text as sent), and only
  // then thousands of descriptor signatures.
  v.nodes.reserve(nodes->size());
  for (const auto& n : *nodes) {
    auto d = read_descriptor(n);
    if (!d) return Error(d.error().code(), "vote: node " + std::to_string(v.nodes.size()) + ": " + d.error().detail());
    if (!v.nodes.empty() && !(v.nodes.back().descriptor.ed25519 < d->descriptor.ed25519))
      return vote_error("'nodes' must be in ascending ed25519 order without repeats");
    v.nodes.push_back(std::move(*d));
  }
  if (!crypto::verify(s.signature, as_bytes(signed_bytes(v)), v.authority)) return Error(Errc::BadSignature, "vote: the signature does not verify");
  for (std::size_t i = 0; i < v.nodes.size(); ++i)
    if (auto c = check_descriptor(v.nodes[i], net.network_id, std::nullopt); !c)
      return Error(c.error().code(), "vote: node " + std::to_string(i) + ": " + c.error().detail());
  return s;
}

}  // namespace sotto::directory
