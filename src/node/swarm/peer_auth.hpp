#pragma once
// Node-to-node requests (docs/wire/directory.md, "Node-to-node requests"): the sender signs
// method, path, time and body digest with its Ed25519 key in the X-Sotto-Node header; the
// receiver accepts a request only from a node it is told is a member, within ±60 s, and
// never twice. Thread-safe, sans-IO (the caller passes the time).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/keys.hpp"

namespace sotto::node {

inline constexpr const char* kPeerHeader = "X-Sotto-Node";
inline constexpr std::int64_t kPeerWindowMs = 60'000;
// The replay memory holds each accepted request for two windows. Its bounds: per sender
// (about 1,700 requests a second, sustained for the two minutes) and in all (about 200 MB).
// Beyond them a request is refused as Busy, never let through with its memory forgotten.
inline constexpr std::size_t kMaxSeenPerPeer = 200'000;
inline constexpr std::size_t kMaxSeen = 1'000'000;

// The header value: "<ed25519 hex>.<unix ms>.<signature hex>".
std::string sign_peer_request(const crypto::Keypair& keys, std::string_view method, std::string_view path, std::string_view body,
                              std::int64_t now_ms);

class PeerVerifier {
 public:
  explicit PeerVerifier(std::size_t max_per_peer = kMaxSeenPerPeer, std::size_t max_all = kMaxSeen)
      : max_per_peer_(max_per_peer), max_all_(max_all) {}
  // Returns the sender's key, or a PeerErrc (peer_wire.hpp): Unsigned (no or a malformed
  // header), NotMember, OutOfWindow, BadSignature, Replayed, Busy (the replay memory's
  // bounds reached: try again later).
  Result<crypto::Ed25519Public> verify(std::string_view header, std::string_view method, std::string_view path,
                                       std::string_view body, std::int64_t now_ms,
                                       const std::function<bool(const crypto::Ed25519Public&)>& is_member);
  // Requests remembered now (for tests and metrics).
  std::size_t size() const;

 private:
  std::size_t max_per_peer_, max_all_;
  using Id = ByteArray<32>;  // blake2b of the sender, the time and the body's digest
  struct Seen {
    Id id{};
    crypto::Ed25519Public sender;
  };
  mutable std::mutex mu_;
  std::multimap<std::int64_t, Seen> seen_by_time_;        // for expiry
  std::map<Id, std::int64_t> seen_;                       // id -> ms
  std::map<crypto::Ed25519Public, std::size_t> per_peer_;  // entries of seen_ each sender holds
};

}  // namespace sotto::node
