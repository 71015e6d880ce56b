#include "directory/consensus.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "base/json.hpp"

#include "directory/network.hpp"
#include <set>
#include <tuple>

#include "crypto/hash.hpp"

namespace sotto::directory {

namespace {

using nlohmann::json;

constexpr std::string_view kConsensusDomain = "sotto-consensus-v1";

Error consensus_error(const std::string& why) { return Error(Errc::Malformed, "consensus: " + why); }

std::string id_hex(std::uint64_t id) {
  std::uint8_t b[8];
  base::store_be(b, id);
  return base::to_hex(ByteView(b, 8));
}

json to_object(const Consensus& c) {
  json nodes = json::array();
  for (const auto& n : c.nodes)
    nodes.push_back(json{{"ed25519", n.ed25519.hex()}, {"x25519", n.x25519.hex()}, {"ip", n.ip}, {"port_https", n.port_https},
                         {"software", n.software}, {"swarm_id", id_hex(n.swarm_id)}});
  return json{{"type", "consensus"},
              {"network_id", c.network_id},
              {"epoch", c.epoch},
              {"method", c.method},
              {"valid_after", c.valid_after},
              {"fresh_until", c.fresh_until},
              {"valid_until", c.valid_until},
              {"prev_epoch", c.prev_epoch},
              {"prev_digest", c.prev_digest},
              {"params", {{"swarm_min", c.params.min}, {"swarm_ideal", c.params.ideal}, {"swarm_max", c.params.max}}},
              {"votes", c.votes},
              {"nodes", std::move(nodes)}};
}

// The times of epoch e of net.
void set_times(Consensus& c, const Network& net) {
  c.valid_after = net.genesis + c.epoch * net.epoch_seconds;
  c.fresh_until = c.valid_after + net.epoch_seconds;
  c.valid_until = c.valid_after + 3 * net.epoch_seconds;
}

Result<Consensus> parse_object(const json& o) {
  if (!o.is_object() || o.size() != 12)
    return consensus_error("must be an object of exactly type, network_id, epoch, method, valid_after, fresh_until, valid_until, "
               "prev_epoch, prev_digest, params, votes, nodes");
  auto str = [&](const json& x, const char* name) -> const std::string* {
    auto it = x.find(name);
    return it != x.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  auto integer = [&](const json& x, const char* name, std::int64_t min, std::int64_t max) -> std::optional<std::int64_t> {
    auto it = x.find(name);
    if (it == x.end() || !it->is_number_integer()) return std::nullopt;
    auto v = it->get<std::int64_t>();
    if (v < min || v > max) return std::nullopt;
    return v;
  };
  constexpr std::int64_t kBig = std::int64_t{1} << 50;
  Consensus c;
  auto type = str(o, "type");
  if (!type || *type != "consensus") return consensus_error("'type' must be \"consensus\"");
  auto network_id = str(o, "network_id");
  if (!network_id || !valid_network_id(*network_id)) return consensus_error("'network_id' must be 1 to 64 of a-z, 0-9 and -");
  c.network_id = *network_id;
  auto epoch = integer(o, "epoch", 0, kBig), method = integer(o, "method", 1, 1000);
  auto va = integer(o, "valid_after", 0, kBig), fu = integer(o, "fresh_until", 0, kBig), vu = integer(o, "valid_until", 0, kBig);
  auto pe = integer(o, "prev_epoch", -1, kBig);
  if (!epoch || !method || !va || !fu || !vu || !pe) return consensus_error("epoch, method, times and prev_epoch must be integers in range");
  c.epoch = *epoch, c.method = static_cast<int>(*method), c.valid_after = *va, c.fresh_until = *fu, c.valid_until = *vu, c.prev_epoch = *pe;
  auto pd = str(o, "prev_digest");
  if (!pd || !(pd->empty() || is_lower_hex(*pd, 64))) return consensus_error("'prev_digest' must be empty or 64 lowercase hex digits");
  if (pd->empty() != (c.prev_epoch < 0) || (c.prev_epoch >= c.epoch)) return consensus_error("'prev_epoch' and 'prev_digest' do not agree");
  c.prev_digest = *pd;
  auto params = o.find("params");
  if (params == o.end() || !params->is_object() || params->size() != 3) return consensus_error("'params' must hold swarm_min, swarm_ideal, swarm_max");
  auto mn = integer(*params, "swarm_min", 1, 1000), id = integer(*params, "swarm_ideal", 1, 1000), mx = integer(*params, "swarm_max", 1, 1000);
  if (!mn || !id || !mx) return consensus_error("swarm sizes must be integers 1-1000");
  c.params = {static_cast<int>(*mn), static_cast<int>(*id), static_cast<int>(*mx)};
  auto votes = o.find("votes");
  if (votes == o.end() || !votes->is_array()) return consensus_error("'votes' must be an array");
  for (const auto& v : *votes) {
    if (!v.is_string() || !is_lower_hex(v.get_ref<const std::string&>(), 64)) return consensus_error("'votes' must hold 64-hex digests");
    if (!c.votes.empty() && !(c.votes.back() < v.get_ref<const std::string&>())) return consensus_error("'votes' must be ascending without repeats");
    c.votes.push_back(v.get<std::string>());
  }
  auto nodes = o.find("nodes");
  if (nodes == o.end() || !nodes->is_array() || nodes->empty()) return consensus_error("'nodes' must be a non-empty array");
  for (const auto& n : *nodes) {
    std::string where = "nodes[" + std::to_string(c.nodes.size()) + "]";
    if (!n.is_object() || n.size() != 6) return consensus_error(where + " must hold exactly ed25519, x25519, ip, port_https, software, swarm_id");
    auto ed = str(n, "ed25519"), x = str(n, "x25519"), ip = str(n, "ip"), sw = str(n, "software"), sid = str(n, "swarm_id");
    auto port = integer(n, "port_https", 1, 65535);
    if (!ed || !is_lower_hex(*ed, 64) || !x || !is_lower_hex(*x, 64)) return consensus_error(where + ": keys must be 64 lowercase hex digits");
    if (!ip || !sw || !port || !sid || !is_lower_hex(*sid, 16)) return consensus_error(where + ": ip, port_https, software or swarm_id is invalid");
    ConsensusNode cn;
    cn.ed25519 = *crypto::Ed25519Public::from_hex(*ed);
    cn.x25519 = *crypto::X25519Public::from_hex(*x);
    auto derived = crypto::to_x25519(cn.ed25519);
    if (!derived || *derived != cn.x25519) return consensus_error(where + ": x25519 is not the conversion of ed25519");
    if (!c.nodes.empty() && !(c.nodes.back().ed25519 < cn.ed25519)) return consensus_error("'nodes' must be in ascending ed25519 order without repeats");
    cn.ip = *ip;
    cn.port_https = static_cast<std::uint16_t>(*port);
    cn.software = *sw;
    cn.swarm_id = base::load_be<std::uint64_t>(base::from_hex_fixed<8>(*sid)->data());
    c.nodes.push_back(std::move(cn));
  }
  return c;
}

}  // namespace

Assignment Consensus::assignment() const {
  Assignment a;
  for (const auto& n : nodes) a[n.ed25519.bytes] = n.swarm_id;
  return a;
}

std::vector<std::uint64_t> Consensus::swarm_ids() const {
  std::set<std::uint64_t> ids;
  for (const auto& n : nodes)
    if (n.swarm_id != kUnassigned) ids.insert(n.swarm_id);
  return {ids.begin(), ids.end()};
}

std::string canonical_json(const Consensus& c) { return to_object(c).dump(); }

std::string signed_bytes(const Consensus& c) {
  std::string out(kConsensusDomain);
  out += '\0';
  out += canonical_json(c);
  return out;
}

std::string digest_hex(const Consensus& c) { return base::to_hex(crypto::blake2b_256(as_bytes(signed_bytes(c)))); }

Result<Consensus> compute_consensus(const Network& net, std::int64_t epoch, std::span<const SignedVote> votes,
                                    const Consensus* previous) {
  // One vote per authority of this network and epoch.
  std::vector<const Vote*> held;
  std::set<crypto::Ed25519Public> voters;
  for (const auto& sv : votes) {
    const Vote& v = sv.vote;
    bool is_authority = std::any_of(net.authorities.begin(), net.authorities.end(), [&](const Peer& p) { return p.ed25519 == v.authority; });
    if (v.network_id != net.network_id || v.epoch != epoch || !is_authority || !voters.insert(v.authority).second) continue;
    held.push_back(&v);
  }
  const std::size_t need = majority(net.authorities.size());
  if (held.size() < need)
    return Error(Errc::NoConsensus, "consensus: " + std::to_string(held.size()) + " votes held for epoch " + std::to_string(epoch) +
                                        ", " + std::to_string(need) + " needed");
  // 1. The highest method more than 2/3 of the votes list.
  std::map<int, std::size_t> listing;
  for (const Vote* v : held)
    for (int m : v->methods) ++listing[m];
  int method = 0;
  for (const auto& [m, n] : listing)
    if (3 * n > 2 * held.size()) method = m;
  if (method == 0) return Error(Errc::NoConsensus, "consensus: no method is listed by more than 2/3 of the votes");
  if (method != kConsensusMethod)
    return Error(Errc::NoConsensus, "consensus: the votes agree on method " + std::to_string(method) + ", which this authority cannot compute");
  // 2. Nodes listed by a majority; for each, the descriptor tuple listed most often.
  std::map<crypto::Ed25519Public, std::vector<const Descriptor*>> listed;
  for (const Vote* v : held)
    for (const auto& n : v->nodes) listed[n.descriptor.ed25519].push_back(&n.descriptor);
  Consensus c;
  c.network_id = net.network_id;
  c.epoch = epoch;
  c.method = method;
  set_times(c, net);
  c.params = net.swarm;
  if (previous) {
    c.prev_epoch = previous->epoch;
    c.prev_digest = digest_hex(*previous);
  }
  for (const Vote* v : held) c.votes.push_back(digest_hex(*v));
  std::sort(c.votes.begin(), c.votes.end());
  std::vector<SwarmNode> swarm_nodes;
  for (const auto& [key, ds] : listed) {
    if (ds.size() < need) continue;
    using Tuple = std::tuple<std::string, std::uint16_t, std::string, std::int64_t>;
    std::map<Tuple, std::size_t> count;
    std::map<Tuple, const Descriptor*> example;
    for (const Descriptor* d : ds) {
      Tuple t{d->ip, d->port_https, d->software, d->published_ms};
      ++count[t];
      example.emplace(t, d);
    }
    const Descriptor* best = nullptr;
    std::size_t best_n = 0;
    std::string best_digest;
    for (const auto& [t, n] : count) {
      const Descriptor* d = example[t];
      std::string dg = base::to_hex(crypto::blake2b_256(as_bytes(signed_bytes(*d))));
      bool better = !best || n > best_n ||
                    (n == best_n && (d->published_ms > best->published_ms || (d->published_ms == best->published_ms && dg < best_digest)));
      if (better) best = d, best_n = n, best_digest = dg;
    }
    c.nodes.push_back({best->ed25519, best->x25519, best->ip, best->port_https, best->software, kUnassigned});
    swarm_nodes.push_back({best->ed25519.bytes, best->ip});
  }
  if (c.nodes.empty()) return Error(Errc::NoConsensus, "consensus: no node is listed by a majority of the votes; never sign an empty one");
  // 3. Swarms, seeded by the previous consensus's digest.
  ByteArray<32> seed{};
  if (previous) seed = *base::from_hex_fixed<32>(c.prev_digest);
  auto assigned = assign_swarms(swarm_nodes, previous ? previous->assignment() : Assignment{}, net.swarm, seed);
  for (auto& n : c.nodes) n.swarm_id = assigned.at(n.ed25519.bytes);
  return c;
}

ConsensusSignature sign_consensus(const Consensus& c, const crypto::Ed25519Secret& sk, const crypto::Ed25519Public& pk) {
  return {c.epoch, digest_hex(c), pk, crypto::sign(sk, as_bytes(signed_bytes(c)))};
}

namespace {
json signature_object(const ConsensusSignature& s) {
  return json{{"epoch", s.epoch}, {"digest", s.digest}, {"authority", s.authority.hex()}, {"signature", base::to_hex(s.signature)}};
}
Result<ConsensusSignature> parse_signature_object(const json& o) {
  if (!o.is_object() || o.size() != 4) return Error(Errc::Malformed, "consensus signature: must hold exactly epoch, digest, authority, signature");
  auto e = o.find("epoch"), d = o.find("digest"), a = o.find("authority"), s = o.find("signature");
  if (e == o.end() || !e->is_number_integer() || d == o.end() || !d->is_string() || !is_lower_hex(d->get_ref<const std::string&>(), 64) ||
      a == o.end() || !a->is_string() || !is_lower_hex(a->get_ref<const std::string&>(), 64) || s == o.end() || !s->is_string() ||
      !is_lower_hex(s->get_ref<const std::string&>(), 128))
    return Error(Errc::Malformed, "consensus signature: epoch must be an integer, digest and authority 64 hex, signature 128 hex");
  return ConsensusSignature{e->get<std::int64_t>(), d->get<std::string>(), *crypto::Ed25519Public::from_hex(a->get<std::string>()),
                            *base::from_hex_fixed<64>(s->get<std::string>())};
}
}  // namespace

std::string to_json(const ConsensusSignature& s) { return signature_object(s).dump(); }

Result<ConsensusSignature> parse_signature(std::string_view text) {
  if (text.size() > 1024) return Error(Errc::Malformed, "consensus signature: larger than 1 KiB");
  auto j = base::read_json(text, {1024, 2, 16});
  if (!j) return Error(Errc::Malformed, "consensus signature: " + j.error().message());
  return parse_signature_object(*j);
}

std::string to_json(const Consensus& c, std::span<const ConsensusSignature> signatures) {
  json sigs = json::array();
  for (const auto& s : signatures) sigs.push_back(signature_object(s));
  return json{{"consensus", to_object(c)}, {"signatures", std::move(sigs)}}.dump();
}

Result<Consensus> accept_consensus(std::string_view text, const Network& net, std::optional<std::int64_t> held_epoch,
                                   std::int64_t now_s) {
  if (text.size() > kMaxConsensusJson) return consensus_error("larger than 8 MiB");
  // {"consensus": {"nodes": [{...}]}, "signatures": [{...}]}: 4 levels.
  auto parsed = base::read_json_object(text, {kMaxConsensusJson, 8, std::size_t{1} << 20});
  if (!parsed) return consensus_error(parsed.error().message());
  const json& j = *parsed;
  if (j.size() != 2) return consensus_error("not a JSON object of 'consensus' and 'signatures'");
  auto cj = j.find("consensus");
  auto sj = j.find("signatures");
  if (cj == j.end() || sj == j.end() || !sj->is_array()) return consensus_error("'consensus' must be an object and 'signatures' an array");
  if (sj->size() > 4 * net.authorities.size() + 4) return consensus_error("too many signatures");
  auto c = parse_object(*cj);
  if (!c) return std::move(c).error();
  if (c->network_id != net.network_id) return Error(Errc::WrongNetwork, "consensus: for network '" + c->network_id + "', not this one");
  Consensus expect;
  expect.epoch = c->epoch;
  set_times(expect, net);
  if (c->valid_after != expect.valid_after || c->fresh_until != expect.fresh_until || c->valid_until != expect.valid_until)
    return consensus_error("its times are not those of epoch " + std::to_string(c->epoch) + " of this network");
  if (c->params.min != net.swarm.min || c->params.ideal != net.swarm.ideal || c->params.max != net.swarm.max)
    return consensus_error("its swarm sizes are not this network's");
  // Signatures: distinct authorities of net, over this document's signed bytes.
  const std::string digest = digest_hex(*c);
  const std::string bytes = signed_bytes(*c);
  std::set<crypto::Ed25519Public> good;
  bool failed = false;
  for (const auto& so : *sj) {
    auto s = parse_signature_object(so);
    if (!s) return std::move(s).error();
    bool is_authority = std::any_of(net.authorities.begin(), net.authorities.end(), [&](const Peer& p) { return p.ed25519 == s->authority; });
    if (!is_authority) continue;  // unknown signers are ignored
    if (s->digest == digest && s->epoch == c->epoch && crypto::verify(s->signature, as_bytes(bytes), s->authority))
      good.insert(s->authority);
    else
      failed = true;
  }
  const std::size_t need = majority(net.authorities.size());
  if (good.size() < need) {
    std::string counts = std::to_string(good.size()) + " valid authority signatures of " + std::to_string(need) + " needed";
    if (failed) return Error(Errc::Forged, "consensus: an authority's signature does not match this document; " + counts);
    return Error(Errc::UnderSigned, "consensus: " + counts);
  }
  if (held_epoch && c->epoch <= *held_epoch)
    return Error(Errc::Replayed, "consensus: epoch " + std::to_string(c->epoch) + " is not newer than the one held (" +
                                     std::to_string(*held_epoch) + ")");
  if (now_s > c->valid_until + net.tolerance_seconds)
    return Error(Errc::Stale, "consensus: epoch " + std::to_string(c->epoch) + " expired (valid until " + std::to_string(c->valid_until) +
                                  ", tolerance " + std::to_string(net.tolerance_seconds) + " s)");
  if (now_s < c->valid_after - net.epoch_seconds - 60)
    return Error(Errc::Stale, "consensus: epoch " + std::to_string(c->epoch) + " starts too far in the future for this clock");
  return c;
}

}  // namespace sotto::directory
