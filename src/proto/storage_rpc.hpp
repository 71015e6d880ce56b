#pragma once
// The storage RPC's requests as typed values (docs/wire/storage-rpc.md): one struct per
// method, and the codec between them and the JSON body of POST /storage_rpc/v1. A client
// encodes; a node decodes, with Session's parameter rules and error sentences in Session's
// order, so a client sees the same status for the same mistake. What a decoder checks is
// the form of each parameter; what needs the node (its swarm, its time, signatures, the
// store) is the handler's (node/rpc). Message hashes are raw bytes here and text only in
// the JSON. The replies are in storage_rpc_replies.hpp. Sans-IO and thread-safe;
// nlohmann stays in the .cpp files.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "proto/constants.hpp"

namespace sotto::proto::rpc {

// The storage RPC's failures. A node answers each with to_wire_status(code) and the
// error's sentence as the body.
enum class Errc {
  BadRequest = 1,  // malformed JSON or parameters, oversize data
  Unauthorized,    // missing or wrong signature, unsupported auth
  Forbidden,       // a TTL outside the namespace's limits
  NotFound,        // delete with required=true deleted nothing
  NotAcceptable,   // a timestamp outside the allowed window
  WrongSwarm,      // the account belongs to another swarm (the body names it)
  Internal,        // the store failed
};
SOTTO_DECLARE_ERRC(Errc)
int to_wire_status(Errc e);

using AccountKey = ByteArray<33>;       // prefix byte + 32-byte key
using Hash = ByteArray<32>;             // a message hash: the bytes behind its 43 characters
using SubaccountToken = ByteArray<36>;  // prefix(1) ‖ flags(1) ‖ reserved(2) ‖ Ed25519 key(32)
using NsOrAll = std::optional<Namespace>;  // nullopt: "all"

// Subaccount flags (session-v1.md §3.2).
inline constexpr std::uint8_t kRead = 1, kWrite = 2, kDelete = 4, kAnyPrefix = 8;

// A hash as the wire writes it (unpadded base64, 43 characters), and back: exactly 43
// characters decoding to 32 bytes (BadRequest otherwise).
std::string hash_text(const Hash& h);
Result<Hash> parse_hash(std::string_view text);
// The texts of many.
std::vector<std::string> hash_texts(const std::vector<Hash>& hashes);

// Who signs a request (docs/wire/storage-rpc.md "Common parameters", "Subaccounts").
struct Auth {
  std::optional<crypto::Ed25519Public> pubkey_ed25519;
  std::optional<crypto::Signature> signature;
  std::optional<SubaccountToken> subaccount;
  std::optional<crypto::Signature> subaccount_sig;
};

// --- One struct per method ---

struct Store {
  AccountKey pubkey{};
  Namespace ns = 0;
  std::int64_t timestamp = 0;
  std::optional<std::int64_t> ttl, expiry;  // exactly one, checked so that timestamp + ttl fits
  std::optional<std::int64_t> sig_timestamp;
  Bytes data;
  Auth auth;
  std::int64_t expiry_ms() const { return expiry ? *expiry : timestamp + *ttl; }
};
struct Retrieve {
  AccountKey pubkey{};
  Namespace ns = 0;
  std::optional<std::int64_t> timestamp;  // and auth: required unless the namespace needs none
  std::optional<Hash> last_hash;          // written as "" when none
  std::optional<std::int64_t> max_count, max_size;
  std::optional<std::int64_t> wait;  // sotto's long-poll extension, seconds (0-25)
  Auth auth;
  // Whether this retrieve is signed (and so checked for a signature): a signature, a key,
  // a timestamp, or a namespace that always needs one.
  bool is_signed() const;
};
struct Delete {
  AccountKey pubkey{};
  Auth auth;
  std::vector<Hash> messages;
  bool required = false;
};
struct DeleteAll {
  AccountKey pubkey{};
  Auth auth;
  NsOrAll ns = Namespace{0};
  std::int64_t timestamp = 0;
};
struct DeleteBefore {
  AccountKey pubkey{};
  Auth auth;
  NsOrAll ns = Namespace{0};
  std::int64_t before = 0;
};
struct ExpireAll {
  AccountKey pubkey{};
  Auth auth;
  NsOrAll ns = Namespace{0};
  std::int64_t expiry = 0;
};
struct Expire {
  AccountKey pubkey{};
  Auth auth;
  std::vector<Hash> messages;
  std::vector<std::int64_t> expiries;  // one for all, or one per message
  bool shorten = false, extend = false;
  bool per_message() const { return expiries.size() > 1; }
};
struct GetExpiries {
  AccountKey pubkey{};
  Auth auth;
  std::vector<Hash> messages;
  std::int64_t timestamp = 0;
};
struct RevokeSubaccount {
  AccountKey pubkey{};
  Auth auth;
  std::vector<SubaccountToken> tokens;
  std::int64_t timestamp = 0;
};
struct UnrevokeSubaccount {
  AccountKey pubkey{};
  Auth auth;
  std::vector<SubaccountToken> tokens;
  std::int64_t timestamp = 0;
};
struct RevokedSubaccounts {
  AccountKey pubkey{};
  Auth auth;
  std::int64_t timestamp = 0;
};
struct GetSwarm {
  AccountKey pubkey{};
};
struct Info {};

using Single = std::variant<Store, Retrieve, Delete, DeleteAll, DeleteBefore, ExpireAll, Expire, GetExpiries, RevokeSubaccount,
                            UnrevokeSubaccount, RevokedSubaccounts, GetSwarm, Info>;

// A subrequest of a batch: its method's name as given, and what decoding it gave (a
// subrequest that fails to decode is answered with its own error; the others still run).
struct Subrequest {
  std::string method;
  Result<Single> request;
};
struct Batch {
  bool sequence = false;  // "sequence": stops after the first subrequest that is not 2xx
  std::vector<Subrequest> requests;
};

// A decoded body: the method's name as given ("get_snodes_for_pubkey" stays itself), and
// its params decoded (or the error to answer with), or a batch.
struct Request {
  std::string method;
  std::variant<Result<Single>, Batch> call;
};

// The name of a method, and whether it writes (a node runs writes on its storage thread
// and replicates them to its swarm).
std::string_view method_name(const Single& s);
bool writes(const Single& s);
bool writes(const Request& r);

// --- Decoding (a node) ---

// A request body: JSON read with limits (kMaxRpcBodyBytes, kMaxRpcJsonDepth), then each
// method's parameters in Session's order. Errors, all BadRequest with Session's sentence:
// JSON that is not an object or past the limits, no method or an unknown one, params that
// are not an object, a batch of more than 20 or holding a batch. A known method whose
// params fail is a Request holding that error (BadRequest, or Forbidden for a store whose
// TTL overflows), so that the answer still names its method. A body over 10 MiB (413) is
// the caller's to refuse, before this.
Result<Request> decode_request(std::string_view body);

// --- Encoding (a client): the body of POST /storage_rpc/v1 ---

std::string encode(const Store& r);
std::string encode(const Retrieve& r);
std::string encode(const Delete& r);
std::string encode(const Info& r);

}  // namespace sotto::proto::rpc

SOTTO_REGISTER_ERRC(sotto::proto::rpc::Errc)
