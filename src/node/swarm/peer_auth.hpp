#pragma once
// Node-to-node requests (docs/wire/directory.md, "Node-to-node requests"): the sender signs
// method, path, time and body digest with its Ed25519 key in the X-Sotto-Node header; the
// receiver accepts a request only from a node it is told is a member, within ±60 s, and
// never twice. Thread-safe, sans-IO (the caller passes the time).

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "crypto/keys.hpp"

namespace sotto::node {

inline constexpr const char* kPeerHeader = "X-Sotto-Node";
inline constexpr std::int64_t kPeerWindowMs = 60'000;

// The header value: "<ed25519 hex>.<unix ms>.<signature hex>".
std::string sign_peer_request(const crypto::Keypair& keys, std::string_view method, std::string_view path, std::string_view body,
                              std::int64_t now_ms);

class PeerVerifier {
 public:
  // Returns the sender's key, or a PeerErrc (peer_wire.hpp): Unsigned (no or a malformed
  // header), NotMember, OutOfWindow, BadSignature, Replayed.
  Result<crypto::Ed25519Public> verify(std::string_view header, std::string_view method, std::string_view path,
                                       std::string_view body, std::int64_t now_ms,
                                       const std::function<bool(const crypto::Ed25519Public&)>& is_member);

 private:
  std::mutex mu_;
  std::multimap<std::int64_t, std::string> seen_by_time_;  // for expiry
  std::map<std::string, std::int64_t> seen_;                // key.ms.body-digest -> ms
};

}  // namespace sotto::node
