#include "directory/authority.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

namespace sotto::directory {

namespace {
constexpr std::int64_t kRegisterEveryMs = 10'000;
constexpr std::int64_t kKeepEpochs = 4;
}  // namespace

Authority::Authority(Network net, crypto::Keypair keys) : net_(std::move(net)), keys_(std::move(keys)) {}

void Authority::count(const Registered& r, int delta) {
  const std::string& ip = r.descriptor.descriptor.ip;
  if (delta > 0) {
    ++per_ip_[ip];
    if (r.last_pass_ms < 0) ++untested_;
    return;
  }
  if (auto it = per_ip_.find(ip); it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  if (r.last_pass_ms < 0) --untested_;
}

std::size_t Authority::held_at(const std::string& ip) const {
  auto it = per_ip_.find(ip);  // never operator[]: a refused address leaves no entry behind
  return it == per_ip_.end() ? 0 : it->second;
}

Result<void> Authority::register_node(std::string_view descriptor_json, std::string_view from_ip, std::int64_t now_ms) {
  auto d = parse_descriptor(descriptor_json, net_.network_id, now_ms);
  if (!d) return std::move(d).error();
  // Only a node registers itself: from anywhere else, anyone could fill the authority with
  // descriptors of addresses that are not theirs.
  if (d->descriptor.ip != from_ip) return Error(Errc::WrongAddress, "register: sent from another address than the descriptor's");
  auto it = nodes_.find(d->descriptor.ed25519);
  if (it != nodes_.end()) {
    const Descriptor& held = it->second.descriptor.descriptor;
    if (d->descriptor.published_ms < held.published_ms)
      return Error(Errc::Replayed, "register: older than the descriptor held for this node");
    // At most one registration per node per 10 s (per half epoch on a fast devnet, where
    // nodes register every epoch).
    if (now_ms - it->second.registered_ms < std::min(kRegisterEveryMs, net_.epoch_seconds * 500))
      return Error(Errc::TooFrequent, "register: too soon after the last registration of this node");
    bool moved = held.ip != d->descriptor.ip || held.port_https != d->descriptor.port_https;
    if (moved && held_at(d->descriptor.ip) >= registrations_per_ip())
      return Error(Errc::TooFrequent, "register: that address has as many registered nodes as it may");
    count(it->second, -1);
    it->second.descriptor = std::move(*d);
    it->second.registered_ms = now_ms;
    if (moved) {  // test the new address first, at once
      it->second.last_pass_ms = it->second.first_pass_ms = -1;
      it->second.failures = 0;
      it->second.next_test_ms = now_ms;
    }
    count(it->second, +1);
    return {};
  }
  if (nodes_.size() >= kMaxRegistered) return Error(Errc::TooFrequent, "register: this authority holds as many nodes as it takes");
  if (held_at(d->descriptor.ip) >= registrations_per_ip())
    return Error(Errc::TooFrequent, "register: that address has as many registered nodes as it may");
  if (untested_ >= kMaxUntested) {
    // Room is made by forgetting the not-passing registration that failed the most tests
    // (an unreachable address has nothing to lose); if none failed one yet, wait.
    auto worst = nodes_.end();
    for (auto i = nodes_.begin(); i != nodes_.end(); ++i)
      if (i->second.last_pass_ms < 0 && i->second.failures > 0 && (worst == nodes_.end() || i->second.failures > worst->second.failures))
        worst = i;
    if (worst == nodes_.end()) return Error(Errc::TooFrequent, "register: too many new nodes wait for their test; try again later");
    count(worst->second, -1);
    nodes_.erase(worst);
  }
  auto [at, added] = nodes_.emplace(d->descriptor.ed25519, Registered{std::move(*d), now_ms, -1, -1, 0, now_ms});
  count(at->second, +1);
  return {};
}

void Authority::tested(const crypto::Ed25519Public& node, const std::string& ip, std::uint16_t port, bool passed, std::int64_t now_ms) {
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return;
  const Descriptor& d = it->second.descriptor.descriptor;
  if (d.ip != ip || d.port_https != port) return;  // it moved while being tested
  const std::int64_t epoch_ms = net_.epoch_seconds * 1000;
  Registered& r = it->second;
  count(r, -1);  // its counts may change: counted again below
  if (passed) {
    if (r.first_pass_ms < 0) r.first_pass_ms = now_ms;
    r.last_pass_ms = now_ms;
    r.failures = 0;
    r.next_test_ms = now_ms + epoch_ms;
  } else {
    ++r.failures;
    if (r.failures >= kDropAfterFailures) r.last_pass_ms = r.first_pass_ms = -1;
    // epoch/8, /4, /2, 1, 2, 4, 4, ... epochs
    std::int64_t wait = r.failures <= 6 ? (epoch_ms << (r.failures - 1)) / 8 : 4 * epoch_ms;
    r.next_test_ms = now_ms + std::max<std::int64_t>(wait, 100);
  }
  count(r, +1);
}

std::vector<Descriptor> Authority::due_for_test(std::int64_t now_ms, std::size_t limit) const {
  std::vector<const Registered*> due;
  for (const auto& [k, r] : nodes_)
    if (r.next_test_ms <= now_ms) due.push_back(&r);
  // Nodes that pass first (many new registrations must not make them miss their window),
  // then the longest overdue.
  std::sort(due.begin(), due.end(), [](const Registered* a, const Registered* b) {
    return std::make_tuple(a->last_pass_ms < 0, a->next_test_ms, a->descriptor.descriptor.ed25519) <
           std::make_tuple(b->last_pass_ms < 0, b->next_test_ms, b->descriptor.descriptor.ed25519);
  });
  std::vector<Descriptor> out;
  for (std::size_t i = 0; i < due.size() && i < limit; ++i) out.push_back(due[i]->descriptor.descriptor);
  return out;
}

SignedVote Authority::vote(std::int64_t epoch, std::int64_t now_ms) {
  const std::int64_t epoch_ms = net_.epoch_seconds * 1000;
  // Registrations not renewed for 3 epochs are forgotten (nodes register every epoch).
  std::erase_if(nodes_, [&](const auto& kv) {
    bool gone = now_ms - kv.second.registered_ms > 3 * epoch_ms;
    if (gone) count(kv.second, -1);
    return gone;
  });
  std::map<std::string, std::vector<const Registered*>> by_ip;
  for (const auto& [key, r] : nodes_) {
    bool fresh = now_ms - r.registered_ms <= 3 * epoch_ms;
    bool reachable = r.last_pass_ms >= 0 && now_ms - r.last_pass_ms <= 2 * epoch_ms && r.failures < kDropAfterFailures;
    if (fresh && reachable) by_ip[r.descriptor.descriptor.ip].push_back(&r);
  }
  Vote v;
  v.network_id = net_.network_id;
  v.epoch = epoch;
  v.authority = keys_.ed25519_public();
  if (current_ && current_->epoch < epoch) v.prev_digest = digest_hex(*current_);
  for (auto& [ip, rs] : by_ip) {
    std::sort(rs.begin(), rs.end(), [](const Registered* a, const Registered* b) {
      return std::tie(a->first_pass_ms, a->descriptor.descriptor.ed25519) < std::tie(b->first_pass_ms, b->descriptor.descriptor.ed25519);
    });
    for (std::size_t i = 0; i < rs.size() && i < static_cast<std::size_t>(net_.max_nodes_per_ip); ++i) v.nodes.push_back(rs[i]->descriptor);
  }
  SignedVote s = sign_vote(std::move(v), keys_.ed25519_secret());
  epochs_[epoch].votes[keys_.ed25519_public()] = s;
  return s;
}

Result<void> Authority::receive_vote(std::string_view vote_json, std::int64_t epoch) {
  auto v = parse_vote(vote_json, net_, epoch);
  if (!v) return std::move(v).error();
  return add_vote(std::move(*v));
}

Result<void> Authority::add_vote(SignedVote vote) {
  auto* v = &vote;
  const std::int64_t epoch = vote.vote.epoch;
  if (v->vote.authority == keys_.ed25519_public()) return Error(Errc::NotAuthority, "vote: signed with this authority's own key");
  auto& votes = epochs_[epoch].votes;
  auto it = votes.find(v->vote.authority);
  if (it != votes.end()) {
    if (digest_hex(it->second.vote) == digest_hex(v->vote)) return {};
    return Error(Errc::Replayed, "vote: a second, different vote from this authority for this epoch");
  }
  votes.emplace(v->vote.authority, std::move(vote));
  return {};
}

std::optional<std::string> Authority::vote_json(std::int64_t epoch, const crypto::Ed25519Public& authority) const {
  auto e = epochs_.find(epoch);
  if (e == epochs_.end()) return std::nullopt;
  auto v = e->second.votes.find(authority);
  if (v == e->second.votes.end()) return std::nullopt;
  return to_json(v->second);
}

std::optional<std::string> Authority::signature_json(std::int64_t epoch, const crypto::Ed25519Public& authority) const {
  auto e = epochs_.find(epoch);
  if (e == epochs_.end() || !e->second.computed) return std::nullopt;
  auto s = e->second.signatures.find(authority);
  if (s == e->second.signatures.end()) return std::nullopt;
  return to_json(s->second);
}

Result<ConsensusSignature> Authority::sign(std::int64_t epoch) {
  if (current_ && current_->epoch >= epoch)
    return Error(Errc::NoConsensus, "consensus: epoch " + std::to_string(epoch) + " is not after the one held");
  auto& e = epochs_[epoch];
  std::vector<SignedVote> votes;
  for (const auto& [k, v] : e.votes) votes.push_back(v);
  auto c = compute_consensus(net_, epoch, votes, current_ ? &*current_ : nullptr);
  if (!c) return std::move(c).error();
  // Signatures that came before this authority had computed: kept only if over this document.
  e.computed = std::move(*c);
  const std::string digest = digest_hex(*e.computed), bytes = signed_bytes(*e.computed);
  for (auto& s : e.early)
    if (s.digest == digest && crypto::verify(s.signature, as_bytes(bytes), s.authority)) e.signatures.emplace(s.authority, s);
  e.early.clear();
  auto mine = sign_consensus(*e.computed, keys_.ed25519_secret(), keys_.ed25519_public());
  e.signatures[keys_.ed25519_public()] = mine;
  publish_if_signed(epoch);
  return mine;
}

Result<void> Authority::receive_signature(std::string_view signature_json) {
  auto s = parse_signature(signature_json);
  if (!s) return std::move(s).error();
  if (std::none_of(net_.authorities.begin(), net_.authorities.end(), [&](const Peer& p) { return p.ed25519 == s->authority; }))
    return Error(Errc::NotAuthority, "consensus signature: not by an authority of this network");
  if (current_ && s->epoch < current_->epoch) return Error(Errc::Replayed, "consensus signature: for an epoch already past");
  auto& e = epochs_[s->epoch];
  if (!e.computed) {  // not computed here yet: checked when it is (a bounded number)
    if (e.early.size() >= 4 * net_.authorities.size()) return Error(Errc::TooFrequent, "consensus signature: too many before this authority computed");
    e.early.push_back(*s);
    return {};
  }
  if (s->digest != digest_hex(*e.computed))
    return Error(Errc::Forged, "consensus signature: over another document than the one this authority computed");
  if (!crypto::verify(s->signature, as_bytes(signed_bytes(*e.computed)), s->authority))
    return Error(Errc::BadSignature, "consensus signature: does not verify");
  e.signatures[s->authority] = *s;
  publish_if_signed(s->epoch);
  return {};
}

std::optional<std::string> Authority::consensus_json(std::int64_t epoch) const {
  if (current_ && current_->epoch == epoch) return current_json_;
  auto e = epochs_.find(epoch);
  if (e == epochs_.end() || !e->second.computed || e->second.signatures.size() < majority(net_.authorities.size())) return std::nullopt;
  std::vector<ConsensusSignature> sigs;
  for (const auto& [k, s] : e->second.signatures) sigs.push_back(s);
  return to_json(*e->second.computed, sigs);
}

void Authority::publish_if_signed(std::int64_t epoch) {
  auto& e = epochs_[epoch];
  if (!e.computed || e.signatures.size() < majority(net_.authorities.size())) return;
  if (current_ && current_->epoch > epoch) return;
  std::vector<ConsensusSignature> sigs;
  for (const auto& [k, s] : e.signatures) sigs.push_back(s);
  current_ = *e.computed;
  current_json_ = to_json(*current_, sigs);
  while (!epochs_.empty() && epochs_.begin()->first < epoch - kKeepEpochs) epochs_.erase(epochs_.begin());
}

Result<void> Authority::adopt(std::string_view consensus_json, std::int64_t now_s) {
  std::optional<std::int64_t> held;
  if (current_) held = current_->epoch;
  auto c = accept_consensus(consensus_json, net_, held, now_s);
  if (!c) return std::move(c).error();
  current_ = std::move(*c);
  current_json_ = std::string(consensus_json);
  return {};
}

Result<const Consensus*> ConsensusHolder::offer(std::string_view json, std::int64_t now_s) {
  std::optional<std::int64_t> held;
  if (current_) held = current_->epoch;
  auto c = accept_consensus(json, net_, held, now_s);
  if (!c) return std::move(c).error();
  current_ = std::move(*c);
  json_ = std::string(json);
  return &*current_;
}

}  // namespace sotto::directory
