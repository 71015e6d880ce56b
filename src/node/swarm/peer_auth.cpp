#include "node/swarm/peer_auth.hpp"

#include "crypto/hash.hpp"
#include "node/swarm/peer_wire.hpp"

namespace sotto::node {

namespace {

std::string signed_text(std::string_view method, std::string_view path, std::int64_t ms, std::string_view body) {
  std::string s = "sotto-node-request-v1";
  s += '\0';
  s += method;
  s += '\0';
  s += path;
  s += '\0';
  s += std::to_string(ms);
  s += '\0';
  auto d = crypto::blake2b_256(as_bytes(body));
  s.append(reinterpret_cast<const char*>(d.data()), d.size());
  return s;
}

}  // namespace

std::string sign_peer_request(const crypto::Keypair& keys, std::string_view method, std::string_view path, std::string_view body,
                              std::int64_t now_ms) {
  auto sig = crypto::sign(keys.ed25519_secret(), as_bytes(signed_text(method, path, now_ms, body)));
  return keys.ed25519_public().hex() + "." + std::to_string(now_ms) + "." + base::to_hex(sig);
}

Result<crypto::Ed25519Public> PeerVerifier::verify(std::string_view header, std::string_view method, std::string_view path,
                                                   std::string_view body, std::int64_t now_ms,
                                                   const std::function<bool(const crypto::Ed25519Public&)>& is_member) {
  auto dot1 = header.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : header.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || dot1 != 64 || header.size() - dot2 - 1 != 128 || dot2 - dot1 - 1 < 1 || dot2 - dot1 - 1 > 15)
    return Error(PeerErrc::Unsigned, "peer request: X-Sotto-Node must be <64 hex>.<ms>.<128 hex>");
  auto key = crypto::Ed25519Public::from_hex(header.substr(0, 64));
  auto sig = base::from_hex_fixed<64>(header.substr(dot2 + 1));
  std::string_view ms_text = header.substr(dot1 + 1, dot2 - dot1 - 1);
  if (!key || !sig || ms_text.find_first_not_of("0123456789") != std::string_view::npos || (ms_text.size() > 1 && ms_text[0] == '0'))
    return Error(PeerErrc::Unsigned, "peer request: X-Sotto-Node must be <64 hex>.<ms>.<128 hex>");
  std::int64_t ms = std::stoll(std::string(ms_text));
  if (!is_member(*key)) return Error(PeerErrc::NotMember, "peer request: from a node that is not a member");
  if (ms < now_ms - kPeerWindowMs || ms > now_ms + kPeerWindowMs) return Error(PeerErrc::OutOfWindow, "peer request: its time is more than 60 s off");
  if (!crypto::verify(*sig, as_bytes(signed_text(method, path, ms, body)), *key))
    return Error(PeerErrc::BadSignature, "peer request: the signature does not verify");
  auto d = crypto::blake2b_256(as_bytes(body));
  std::string id_text = std::string(header.substr(0, dot2)) + ".";
  id_text.append(reinterpret_cast<const char*>(d.data()), d.size());
  Id id = crypto::blake2b_256(as_bytes(id_text));
  std::lock_guard lock(mu_);
  while (!seen_by_time_.empty() && seen_by_time_.begin()->first < now_ms - 2 * kPeerWindowMs) {
    const Seen& old = seen_by_time_.begin()->second;
    seen_.erase(old.id);
    if (auto it = per_peer_.find(old.sender); it != per_peer_.end() && --it->second == 0) per_peer_.erase(it);
    seen_by_time_.erase(seen_by_time_.begin());
  }
  if (seen_.contains(id)) return Error(PeerErrc::Replayed, "peer request: seen before");
  std::size_t& mine = per_peer_[*key];
  if (mine >= max_per_peer_ || seen_.size() >= max_all_) {
    if (mine == 0) per_peer_.erase(*key);
    return Error(PeerErrc::Busy, "peer request: too many requests in the last two minutes; try again later");
  }
  seen_.emplace(id, ms);
  seen_by_time_.emplace(ms, Seen{id, *key});
  ++mine;
  return *key;
}

std::size_t PeerVerifier::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace sotto::node

#include "node/swarm/peer_link.hpp"

namespace sotto::node {

Result<PeerReply> signed_call(PeerLink& link, const crypto::Keypair& keys, const base::Clock& clock, const NodeAddress& to,
                              const std::string& path, const std::string& body) {
  return link.call(to, path, body, sign_peer_request(keys, "POST", path, body, clock.now_ms()));
}

}  // namespace sotto::node
