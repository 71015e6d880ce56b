#pragma once
// One node's part of an onion request (docs/wire/onion-request.md, "Relaying"): read the
// frame, check the hop number and the replay memory, decrypt the layer with the node's
// key, and say what to do: deliver the request here, forward the inner layer to the next
// node, or answer at once. Sans-IO: the caller does the HTTP; thread-safe.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>
#include <variant>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "onion/hop_crypto.hpp"

namespace sotto::onion {

inline constexpr std::uint64_t kMaxHopNo = 15;
// The largest onion request a node takes (a store of the largest message, 76,800 bytes of
// data, with its layers fits in well under half of it). Bounds the layers one request can
// carry, and so the traffic a loop of colluding nodes could make of it.
inline constexpr std::size_t kMaxRequestBytes = 256 * 1024;

namespace detail {
// A set of non-zero 64-bit ids: open addressing with linear probing, at most half full,
// no allocation per id. The slot of an id is a multiply-shift hash keyed by a random odd
// multiplier, so ids cannot be picked to pile up on one probe chain.
class IdSet {
 public:
  explicit IdSet(std::uint64_t multiplier);
  bool contains(std::uint64_t id) const;
  bool insert(std::uint64_t id);  // false if it was there
  void clear();                   // keeps the table's size
  std::size_t size() const { return size_; }
  void swap(IdSet& o) noexcept;

 private:
  std::size_t slot_of(std::uint64_t id) const { return static_cast<std::size_t>((id * mul_) >> (64 - bits_)); }
  std::size_t probe(std::uint64_t id) const;  // id's slot, or the empty one where it would go
  void grow();
  std::uint64_t mul_;
  int bits_ = 10;
  std::vector<std::uint64_t> slots_;  // 0: empty
  std::size_t size_ = 0;
};
}  // namespace detail

// Remembers the ephemeral keys of layers this node decrypted for at least `window_ms`:
// two generations of at most `max_per_generation` keys each; a full generation starts
// the next one early (the window then shrinks under extreme load). Thread-safe.
class ReplayGuard {
 public:
  explicit ReplayGuard(std::int64_t window_ms = 10 * 60 * 1000, std::size_t max_per_generation = 250'000);
  // True if `key` is new (and remembers it); false for a replay.
  bool first_use(const crypto::X25519Public& key, std::int64_t now_ms);

 private:
  std::mutex mu_;
  std::int64_t window_ms_;
  std::size_t max_;
  std::int64_t started_ms_ = -1;
  detail::IdSet current_, previous_;
};

struct NodeKeys {
  const crypto::X25519Secret& x25519_secret;
  const crypto::X25519Public& x25519_public;
  const crypto::Ed25519Public& ed25519;
};

// This node is the destination: run `request` (the storage RPC JSON) and seal the answer.
struct Deliver {
  std::string request;
  EncType enc = EncType::XChaCha20;
  HopKey key;
  bool json_body = false;
  bool base64 = true;
};
// Relay: POST `body` to `next`'s /onion_req/v2. If that fails, the refusal is sealed with
// this layer's key (seal_refusal), so that only the client reads which node failed.
struct Forward {
  crypto::Ed25519Public next;
  Bytes body;
  EncType enc = EncType::XChaCha20;
  HopKey key;
};
// Answer at once: an error before this node could decrypt its layer (plain text, as
// Session's), or after it (sealed for the client with the layer's key).
struct Answer {
  int http_status = 200;
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  std::string result;  // a metrics label: "bad_request", "replay", "decrypt_failed", ...
};
using Step = std::variant<Deliver, Forward, Answer>;

Step peel(const NodeKeys& node, ByteView request_body, ReplayGuard& replays, std::int64_t now_ms, base::Rng& rng);

// The HTTP 200 body a destination answers with: base64 (or raw) of
// hop_encrypt(key, {"status": status, "body": body}); `body` goes in as a JSON value when
// `json_body` and it parses as JSON, else as a string.
std::string seal_reply(EncType enc, const HopKey& key, int status, std::string_view body, bool json_body, bool base64,
                       base::Rng& rng);

// A relay's refusal after it decrypted its layer (the next node unknown, unreachable or
// too slow): an HTTP 200 Answer sealed with the layer's key; `result` labels metrics.
Answer seal_refusal(EncType enc, const HopKey& key, int status, std::string text, std::string result, base::Rng& rng);

}  // namespace sotto::onion
