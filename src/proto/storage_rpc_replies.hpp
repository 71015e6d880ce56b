#pragma once
// The storage RPC's replies as typed values (docs/wire/storage-rpc.md, "Methods"), and
// the codec between them and JSON: a node encodes, a client (or a node reading its swarm
// peers' replies) decodes. Every decoder takes an untrusted text and reads it with limits;
// what it cannot read is an error or, inside a reply, an entry left out, as each says.
// Hashes are raw. Sans-IO and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "proto/storage_rpc.hpp"

namespace sotto::proto::rpc {

// --- Writes: every member's result under "swarm" ---

// A member that stored a message: its signature is over the hash's text.
struct StoreReceipt {
  Hash hash{};
  crypto::Signature signature{};
  std::int64_t expiry = 0;
  bool already = false;  // it held the message before
  std::int64_t t = 0;
};
// A member that did not: {"failed": true, "reason", "code"?, "timeout"?}.
struct MemberFailure {
  bool failed = true;  // false only for a member that answered 200 without its entry
  std::optional<std::string> reason;
  std::optional<int> code;  // the status it answered, when it answered
  bool timeout = false;     // it did not answer in time
};

// The reply to a write (store, delete, delete_all, delete_before, expire, expire_all,
// revoke_subaccount, unrevoke_subaccount): each member's entry, keyed by the text of its
// Ed25519 key, as JSON text (the node that took the request writes its own; its swarm
// peers' come from their replies as they wrote them); a store's reply also names the hash.
struct SwarmReply {
  std::optional<Hash> hash;
  std::vector<std::pair<std::string, std::string>> members;
  std::int64_t t = 0;
};
// {"hash"?, "hf", "swarm": {key: entry, ...}, "t"}: keys sorted, members by key (the last
// of a repeated key). Entries must be JSON this process wrote or read with limits.
std::string encode(const SwarmReply& r);
// An untrusted reply. Errors (BadRequest): not a JSON object, or no "swarm" object. An
// entry is kept as its text whatever it holds (decode_store_member reads one).
Result<SwarmReply> decode_swarm_reply(std::string_view text);

std::string encode_member(const StoreReceipt& r);
std::string encode_member(const MemberFailure& f);
// A store's member entry: a receipt (hash, signature, expiry and t well formed), a
// failure, or neither (anything else: it counts for nothing).
using StoreMember = std::variant<std::monostate, StoreReceipt, MemberFailure>;
StoreMember decode_store_member(std::string_view entry);

// --- retrieve ---

// What a node serves of one message (the data is viewed, not copied).
struct MessageView {
  const Hash& hash;
  std::int64_t timestamp = 0;
  std::int64_t expiry = 0;
  ByteView data;
};
// {"hf", "messages": [{"data", "expiration", "hash", "timestamp"}], "more", "t"}, written
// straight into the text (the data is most of it).
std::string encode_retrieve_reply(const std::vector<MessageView>& messages, bool more, std::int64_t t);
// The size of one message in such a reply (its JSON with the data in base64).
std::size_t retrieve_entry_size(std::size_t data_bytes);

// One item of a retrieve reply, as a client reads it: the items whose hash is
// well-formed, in the node's order; each part that is malformed is left empty.
struct RetrievedItem {
  Hash hash{};
  std::optional<std::int64_t> expiration;
  std::optional<std::int64_t> timestamp;
  std::optional<Bytes> data;  // nullopt: missing or not base64
};
struct RetrieveReply {
  std::vector<RetrievedItem> items;
  bool more = false;
  std::optional<std::int64_t> t;
};
// Errors (BadRequest): not JSON within the limits, or no "messages" array.
Result<RetrieveReply> decode_retrieve_reply(std::string_view text);

// --- get_swarm, and the body of a 421 ---

struct SwarmNode {
  crypto::Ed25519Public ed25519;
  crypto::X25519Public x25519;
  std::string ip;
  std::uint16_t port_https = 0;
};
struct SwarmMembers {
  std::uint64_t id = 0;
  std::vector<SwarmNode> nodes;
};
// {"snodes": [{"ip", "port", "port_https", "pubkey_ed25519", "pubkey_x25519"}], "swarm":
// "<hex id>"}, and "hf", "t" when `t` is given (get_swarm's reply; a 421 has neither).
std::string encode(const SwarmMembers& s, std::optional<std::int64_t> t);
// Errors (BadRequest): not the documented JSON. Nodes that are malformed are left out.
Result<SwarmMembers> decode_swarm_members(std::string_view text);

// --- info ---

// {"hf", "t", "timestamp", "version"}.
std::string encode_info(std::int64_t now_ms);

// --- Any reply ---

// The node's time ("t", unix ms) from any JSON reply's top level, if it has a plausible
// one (an unsigned integer below 2^53).
std::optional<std::int64_t> reply_time(std::string_view text);

// What a client makes of a reply's status.
enum class Verdict {
  Ok,          // 200
  WrongSwarm,  // 421: the account's swarm is elsewhere (a newer consensus says where)
  ClockOff,    // 406: a timestamp too far from the node's time
  Busy,        // 429, 503: try again, there or elsewhere
  Failed,      // 500 and other 5xx: the node (or every member) failed
  Refused,     // any other status: the request itself is refused
};
Verdict verdict_of(int status);

}  // namespace sotto::proto::rpc
