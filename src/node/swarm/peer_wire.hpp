#pragma once
// sotto's node-to-node bodies and replies (docs/node.md, "In a network"; the requests are
// signed as docs/wire/directory.md "Node-to-node requests" says): a push of one account's
// messages, and anti-entropy's summary, hashes and fetch. Every decoder reads an untrusted
// text with limits; to_store() checks each message before it may be stored. Sans-IO,
// thread-safe; nlohmann stays in the .cpp.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::node {

enum class PeerErrc {
  Malformed = 1,  // a body or reply that is not the documented JSON
  Unsigned,       // no or a malformed X-Sotto-Node header
  NotMember,      // from a node that may not send this request
  OutOfWindow,    // its time is more than 60 s from ours
  BadSignature,   // the header's signature does not verify
  Replayed,       // the same signed request again
  BadMessage,     // a message whose hash is not its content's, or out of bounds
  NoConnection,   // a PeerLink that could not even try (this node stopping, no address)
  Busy,           // the receiver's bounds for a sender are reached: try again later
};
SOTTO_DECLARE_ERRC(PeerErrc)

inline constexpr std::size_t kFetchMax = 500;           // hashes per anti-entropy fetch
inline constexpr std::size_t kPushBatchBytes = 4 << 20;  // one push holds at most about this much data

// A message as one node sends it to another.
struct PeerMessage {
  storage::MessageHash hash{};
  proto::Namespace ns = 0;
  std::int64_t timestamp = 0, expiry = 0;
  Bytes data;
};

// The account a body names, read from its top level alone (no document), so that the
// sender can be checked before the body is read: Malformed without a 66-hex "account".
Result<storage::AccountKey> account_of(std::string_view body);

// POST /sotto/v1/push: {"account", "epoch"?, "messages": [...]}, answered as encode_stored says.
struct PushBody {
  storage::AccountKey account{};
  std::optional<std::int64_t> epoch;  // the sender's consensus (anti-entropy's pushes name none)
  std::vector<PeerMessage> messages;
};
std::string encode_push(const storage::AccountKey& account, std::optional<std::int64_t> epoch, const std::vector<const storage::Message*>& messages);
Result<PushBody> decode_push(std::string_view body);

// POST /sotto/v1/summary: {} (any body), answered {"accounts": {"<66 hex>": {"<ns>": "<64 hex digest>"}}}.
using Summary = std::map<storage::AccountKey, std::map<proto::Namespace, std::string>>;
std::string encode_summary(const Summary& s);
// Accounts and namespaces that are not canonical (66 hex; a decimal integer of a namespace)
// are left out, never guessed at.
Result<Summary> decode_summary(std::string_view reply);

// POST /sotto/v1/hashes: {"account", "namespace"}, answered {"hashes": [43 base64, ...]}.
struct HashesRequest {
  storage::AccountKey account{};
  proto::Namespace ns = 0;
};
std::string encode_hashes_request(const HashesRequest& r);
Result<HashesRequest> decode_hashes_request(std::string_view body);
std::string encode_hashes(const std::vector<storage::MessageHash>& hashes);
Result<std::vector<storage::MessageHash>> decode_hashes(std::string_view reply);  // malformed hashes left out

// POST /sotto/v1/fetch: {"account", "hashes": [at most kFetchMax]}, answered {"messages": [...]}.
struct FetchRequest {
  storage::AccountKey account{};
  std::vector<storage::MessageHash> hashes;
};
std::string encode_fetch_request(const FetchRequest& r);
Result<FetchRequest> decode_fetch_request(std::string_view body);
std::string encode_messages(const std::vector<const storage::Message*>& messages);
Result<std::vector<PeerMessage>> decode_messages(std::string_view reply);

// Node clocks may differ by this much (a signed peer request is taken within 60 s too):
// no message is refused for a skew up to it.
inline constexpr std::int64_t kPeerClockSkewMs = 60'000;
// A push reply names at most this many refused messages (and counts them all).
inline constexpr std::size_t kMaxRefusalsReported = 10;

// Messages another node sent for `account` (a push or a fetch reply), checked for storing
// by the rules a client's store meets (storage-rpc.md "Namespaces"), with room for clock
// skew: each hash must be the hash of its content, the expiry no further ahead of
// `now_ms` than the namespace's longest TTL plus kPeerClockSkewMs, the timestamp no
// further ahead than a store's tolerance plus kPeerClockSkewMs. A message already expired
// is skipped; one that breaks a rule is refused alone, with the reason, and the others
// are stored: a batch is never lost for one message. The requests view the messages'
// data: `messages` must outlive them.
struct Refusal {
  storage::MessageHash hash{};
  std::string why;
};
struct Checked {
  std::vector<storage::StoreRequest> store;
  std::vector<Refusal> refused;
  std::size_t expired = 0;
};
Checked to_store(const storage::AccountKey& account, std::vector<PeerMessage>& messages, std::int64_t now_ms);

// A push's reply: {"stored": n, "refused": k, "refusals": [{"hash", "why"}, at most
// kMaxRefusalsReported]}.
struct Stored {
  std::size_t stored = 0, refused = 0;
  std::vector<Refusal> refusals;
};
std::string encode_stored(std::size_t stored, const std::vector<Refusal>& refused);
Result<Stored> decode_stored(std::string_view reply);

}  // namespace sotto::node

SOTTO_REGISTER_ERRC(sotto::node::PeerErrc)
