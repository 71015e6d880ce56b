// The storage RPC methods (docs/wire/storage-rpc.md). Parameter parsing follows Session's
// storage server field by field; checks run in its order, so a client sees the same status
// for the same mistake.

#include "node/rpc/handler.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <variant>

#include "base/json.hpp"
#include "crypto/account_id.hpp"
#include "node/rpc/errc.hpp"
#include "proto/message_hash.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::node::rpc {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::BadRequest: return "bad_request";
    case Errc::Unauthorized: return "unauthorized";
    case Errc::Forbidden: return "forbidden";
    case Errc::NotFound: return "not_found";
    case Errc::NotAcceptable: return "not_acceptable";
    case Errc::WrongSwarm: return "wrong_swarm";
    case Errc::Internal: return "internal";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.node.rpc")

int to_wire_status(Errc e) {
  switch (e) {
    case Errc::BadRequest: return 400;
    case Errc::Unauthorized: return 401;
    case Errc::Forbidden: return 403;
    case Errc::NotFound: return 404;
    case Errc::NotAcceptable: return 406;
    case Errc::WrongSwarm: return 421;
    case Errc::Internal: return 500;
  }
  return 500;
}

namespace {

using nlohmann::json;
using storage::AccountKey;
using storage::MessageHash;
using proto::Namespace;
using NsOrAll = std::optional<Namespace>;  // nullopt: "all"

// --- Spec constants (session-v1.md §3.5) ---
constexpr std::int64_t kTtlMin = 10'000;
constexpr std::int64_t kTtlMaxPublicInbox = 14LL * 86'400'000;
constexpr std::int64_t kTtlMaxPrivate = 30LL * 86'400'000;
// sotto's extension (docs/wire/backup.md): the backup namespace keeps up to 180 days.
constexpr Namespace kBackupNamespace = 31;
constexpr std::int64_t kTtlMaxBackup = 180LL * 86'400'000;
constexpr std::int64_t kStoreTolerance = 10'000;
constexpr std::int64_t kSignatureTolerance = 60'000;
constexpr std::int64_t kRetrieveMaxSize = 7'800'000;
constexpr std::size_t kMaxBatch = 20;
constexpr std::size_t kMaxHashesPerRequest = 1000;  // sotto's bound: one request, bounded work
constexpr std::int64_t kMinTimestamp = 1'000'000'000;  // below: seconds given for milliseconds
const json kHardfork = json::array({19, 3});
// A request's JSON: a batch of 20 subrequests with their params is 5 levels deep; 16
// leaves room and stops the nesting attacks of issue 19 long before the stack matters.
constexpr base::JsonLimits kRequestJsonLimits{kMaxBodyBytes, 16, std::size_t{1} << 20};
const json kVersion = json::array({0, 1, 0});

// What a handler hands back: a body, and whether the (one-member) swarm failed or found
// nothing, which the edge turns into 500 or 404 with that same body.
struct Out {
  json body;
  int status = 200;
  std::string raw;  // when set, the body already serialized (retrieve's large replies)
  std::optional<WaitFor> wait;
};
using R = Result<Out>;

Error bad(const std::string& why) { return Error(Errc::BadRequest, why); }

}  // namespace

std::string wait_key(std::span<const std::uint8_t> account, std::int64_t ns) { return base::to_hex(account) + "/" + std::to_string(ns); }

namespace {

bool is_public_inbox(Namespace ns) { return ns % 10 == 0; }
bool is_public_outbox(Namespace ns) { return storage::is_public_outbox(ns); }
bool is_noauth_retrieve(Namespace ns) { return ns == -10 || is_public_outbox(ns); }

// --- parameters ---

Result<AccountKey> pubkey_param(const json& p, bool alias) {
  const json* v = nullptr;
  if (auto it = p.find("pubkey"); it != p.end() && !it->is_null()) v = &*it;
  if (alias)
    if (auto it = p.find("pubKey"); it != p.end() && !it->is_null()) {
      if (v) return bad("Cannot specify both 'pubkey' and 'pubKey'");
      v = &*it;
    }
  if (!v) return bad("Required field 'pubkey' missing");
  if (!v->is_string()) return bad("Invalid value given for 'pubkey': expected string");
  auto k = base::from_hex_fixed<33>(v->get_ref<const std::string&>());
  if (!k) return bad("Pubkey must be 66 hex digits (33 bytes) long");
  return *k;
}

// One value as an unsigned integer of milliseconds (or, with `stringy`, a string of
// digits); `name` is for the error. Reads the value in place: nothing of it is copied
// before its type is known.
Result<std::int64_t> ms_value(const json& v, const char* name, bool stringy) {
  if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return bad(std::string("Invalid value given for '") + name + "': out of range");
    return v.get<std::int64_t>();
  }
  if (stringy && v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (!s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::stoll(s);
  }
  return bad(std::string("Invalid value given for '") + name + "': expected integer timestamp (in milliseconds)");
}

// A timestamp in ms: ms_value, and under kMinTimestamp refused as seconds given for ms.
Result<std::int64_t> timestamp_value(const json& v, const char* name) {
  auto t = ms_value(v, name, false);
  if (t && *t < kMinTimestamp) return bad(std::string("Invalid timestamp for '") + name + "': timestamp must be in milliseconds");
  return t;
}

// The parameter `name` of `p` as ms_value, absent (or null) as nothing.
Result<std::optional<std::int64_t>> ms_param(const json& p, const char* name, bool stringy = false) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) return std::optional<std::int64_t>();
  auto v = ms_value(*it, name, stringy);
  if (!v) return std::move(v).error();
  return std::optional<std::int64_t>(*v);
}

Result<std::optional<std::int64_t>> timestamp_param(const json& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) return std::optional<std::int64_t>();
  auto v = timestamp_value(*it, name);
  if (!v) return std::move(v).error();
  return std::optional<std::int64_t>(*v);
}

Result<std::optional<Namespace>> ns_param(const json& p) {
  auto it = p.find("namespace");
  if (it == p.end() || it->is_null()) return std::optional<Namespace>();
  if (!it->is_number_integer()) return bad("Invalid value given for 'namespace': expected 16-bit integer");
  auto v = it->get<std::int64_t>();
  if (v < -32768 || v > 32767) return bad("Invalid value given for 'namespace': value out of range");
  return std::optional<Namespace>(static_cast<Namespace>(v));
}

Result<NsOrAll> ns_or_all_param(const json& p) {
  auto it = p.find("namespace");
  if (it != p.end() && it->is_string()) {
    if (it->get_ref<const std::string&>() == "all") return NsOrAll();
    return bad("Invalid value given for 'namespace': expected integer or \"all\"");
  }
  auto ns = ns_param(p);
  if (!ns) return std::move(ns).error();
  return NsOrAll(ns->value_or(0));
}

Result<std::vector<std::string>> hashes_param(const json& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) return bad(std::string("Required field '") + name + "' missing");
  std::vector<std::string> out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  else if (it->is_array()) {
    for (const auto& x : *it) {
      if (!x.is_string()) return bad(std::string("Invalid value given for '") + name + "': expected string array");
      out.push_back(x.get<std::string>());
    }
  } else {
    return bad(std::string("Invalid value given for '") + name + "': expected string array");
  }
  if (out.empty()) return bad(std::string(name) + " does not contain any message hashes");
  if (out.size() > kMaxHashesPerRequest)
    return bad(std::string(name) + " holds more than " + std::to_string(kMaxHashesPerRequest) + " hashes");
  for (const auto& h : out) {
    auto raw = base::from_base64(h);
    if (h.size() != proto::kMessageHashLength || !raw || raw->size() != 32) return bad("invalid message hash: " + h);
  }
  return out;
}

MessageHash raw_hash(const std::string& h) {
  MessageHash out{};
  auto raw = base::from_base64(h);
  if (raw && raw->size() == out.size()) std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}
std::string text_hash(const MessageHash& h) { return base::to_base64(h, base::Padding::No); }

// Subaccount access flags (session-v1.md §3.2): what a token lets its holder do.
constexpr std::uint8_t kRead = 1, kWrite = 2, kDelete = 4, kAnyPrefix = 8;
constexpr std::size_t kMaxTokensPerRequest = storage::kMaxRevokedPerAccount;

struct Auth {
  std::optional<crypto::Ed25519Public> pubkey_ed25519;
  std::optional<crypto::Signature> signature;
  std::optional<storage::SubaccountToken> subaccount;
  std::optional<crypto::Signature> subaccount_sig;
};

// An Ed25519 signature in base64: 86 characters, or 88 ending in "==".
std::optional<crypto::Signature> signature_text(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (!(s.size() == 86 || (s.size() == 88 && s.ends_with("==")))) return std::nullopt;
  auto raw = base::from_base64(s);
  if (!raw || raw->size() != 64) return std::nullopt;
  crypto::Signature sig;
  std::copy(raw->begin(), raw->end(), sig.begin());
  return sig;
}

// A subaccount token: 48 base64 characters or 72 hex digits, exactly 36 bytes either way.
std::optional<storage::SubaccountToken> token_text(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  Result<Bytes> raw = s.size() == 72 ? base::from_hex(s) : s.size() == 48 ? base::from_base64(s) : Result<Bytes>(bad(""));
  storage::SubaccountToken t{};
  if (!raw || raw->size() != t.size()) return std::nullopt;
  std::copy(raw->begin(), raw->end(), t.begin());
  return t;
}

Result<Auth> auth_params(const json& p, const AccountKey& pk) {
  Auth a;
  if (auto it = p.find("pubkey_ed25519"); it != p.end() && !it->is_null()) {
    if (pk[0] != 0x05) return bad("pubkey_ed25519 is only permitted for 05[...] pubkeys");
    if (!it->is_string()) return bad("Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey");
    auto k = crypto::Ed25519Public::from_hex(it->get_ref<const std::string&>());
    if (!k) return bad("Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey");
    a.pubkey_ed25519 = *k;
  }
  if (auto it = p.find("signature"); it != p.end() && !it->is_null()) {
    a.signature = signature_text(*it);
    if (!a.signature) return bad("invalid signature: expected base64 encoded Ed25519 signature");
  }
  if (auto it = p.find("subaccount"); it != p.end() && !it->is_null() && !(it->is_string() && it->get_ref<const std::string&>().empty())) {
    a.subaccount = token_text(*it);
    if (!a.subaccount) return bad("invalid subaccount: expected base64 or hex-encoded subaccount token");
    auto sig = p.find("subaccount_sig");
    if (sig == p.end() || sig->is_null()) return bad("invalid subaccount: subaccount_sig is required when using subaccount");
    a.subaccount_sig = signature_text(*sig);
    if (!a.subaccount_sig) return bad("invalid subaccount signature: expected base64 encoded Ed25519 signature");
  }
  return a;
}

// The account a store or retrieve is for: pubkey (alias pubKey), namespace (default 0)
// and the auth parameters, checked in Session's order.
struct AccountParams {
  AccountKey pk;
  Namespace ns = 0;
  Auth auth;
};
Result<AccountParams> account_params(const json& p) {
  auto pk = pubkey_param(p, true);
  if (!pk) return std::move(pk).error();
  auto ns = ns_param(p);
  if (!ns) return std::move(ns).error();
  auto a = auth_params(p, *pk);
  if (!a) return std::move(a).error();
  return AccountParams{*pk, ns->value_or(0), std::move(*a)};
}

// Verifies `a.signature` over `signed_string` for account `pk`. With a subaccount token
// the request is signed by the token's key instead, and the token must be signed by the
// account's key, not revoked (unless `check_revoked` is false), meant for this account's
// prefix (or carry AnyPrefix), and grant every flag in `need` (session-v1.md §3.2).
Result<void> verify(Context& ctx, const AccountKey& pk, const Auth& a, std::string_view signed_string, const char* method,
                    std::uint8_t need, bool check_revoked = true) {
  std::string m(method);
  if (!a.signature) return Error(Errc::Unauthorized, m + ": request signature required");
  crypto::Ed25519Public key;
  if (pk[0] == 0x05) {
    if (!a.pubkey_ed25519) return Error(Errc::Unauthorized, m + ": pubkey_ed25519 is required for 05 accounts");
    auto x = crypto::to_x25519(*a.pubkey_ed25519);
    if (!x || !std::equal(x->bytes.begin(), x->bytes.end(), pk.begin() + 1))
      return Error(Errc::Unauthorized, m + ": pubkey_ed25519 does not belong to pubkey");
    key = *a.pubkey_ed25519;
  } else {
    std::copy(pk.begin() + 1, pk.end(), key.bytes.begin());
  }
  if (a.subaccount) {
    const auto& t = *a.subaccount;
    auto refuse = [&](const char* why) { return Error(Errc::Unauthorized, m + " signature verification failed: " + why); };
    if (check_revoked) {
      auto revoked = ctx.store.is_revoked(pk, t);
      if (!revoked) return Error(Errc::Internal, "Internal Server Error. Could not check the subaccount");
      if (*revoked) return refuse("the subaccount token is revoked");
    }
    if (t[0] != pk[0] && !(t[1] & kAnyPrefix)) return refuse("the subaccount token is for another network prefix");
    if ((t[1] & need) != need) return refuse("the subaccount token lacks a permission this request needs");
    if (!a.subaccount_sig || !crypto::verify(*a.subaccount_sig, ByteView(t), key))
      return refuse("the subaccount token is not signed by the account's key");
    std::copy(t.begin() + 4, t.end(), key.bytes.begin());
  }
  if (!crypto::verify(*a.signature, as_bytes(signed_string), key))
    return Error(Errc::Unauthorized, m + " signature verification failed");
  return {};
}

Result<void> check_window(std::int64_t ts, std::int64_t now, const char* what) {
  if (ts < now - kSignatureTolerance || ts > now + kSignatureTolerance)
    return Error(Errc::NotAcceptable, std::string(what) + " timestamp too far from current time");
  return {};
}

std::string pubkey_hex(const AccountKey& pk) { return base::to_hex(pk); }

std::string node_signature(Context& ctx, std::string_view message) {
  return base::to_base64(crypto::sign(ctx.node_keys.ed25519_secret(), as_bytes(message)));
}

json swarm_json(const SwarmInfo& s) {
  json nodes = json::array();
  for (const auto& n : s.members)
    nodes.push_back({{"ip", n.ip}, {"port_https", n.https_port}, {"port", std::to_string(n.https_port)},
                     {"pubkey_ed25519", n.ed25519.hex()}, {"pubkey_x25519", n.x25519.hex()}});
  char id[17];
  std::snprintf(id, sizeof id, "%llx", static_cast<unsigned long long>(s.id));
  return {{"snodes", std::move(nodes)}, {"swarm", id}};
}

Result<void> check_swarm(Context& ctx, const AccountKey& pk) {
  if (ctx.swarm.is_ours(pk)) return {};
  return Error(Errc::WrongSwarm, swarm_json(ctx.swarm.swarm_for(pk)).dump());
}

void add_misc(json& j, std::int64_t now) {
  j["t"] = now;
  j["hf"] = kHardfork;
}

// Member results live under "swarm" keyed by this node's Ed25519 key (one member until
// the network issue forwards to peers).
json& mine(Context& ctx, json& out) { return out["swarm"][ctx.node_keys.ed25519_public().hex()]; }

// --- methods ---

// A store, checked and signed, ready to commit: prepare() makes it on any thread, the
// storage thread only inserts it.
struct StorePlan {
  AccountKey pk{};
  Namespace ns = 0;
  std::string hash;     // Session's message hash (base64, 43 characters)
  std::string receipt;  // this node's signature over the hash, sent once it is stored
  std::int64_t timestamp = 0, expiry = 0;
  Bytes data;
};

Result<StorePlan> plan_store(Context& ctx, const json& p, std::int64_t now) {
  // As Session's parser: store's timestamp is a plain (or stringified) integer with no
  // seconds check, so a value in seconds fails the clock window below (406).
  auto ts = ms_param(p, "timestamp", true);
  if (!ts) return std::move(ts).error();
  auto ttl = ms_param(p, "ttl", true);
  if (!ttl) return std::move(ttl).error();
  auto expiry = timestamp_param(p, "expiry");
  if (!expiry) return std::move(expiry).error();
  if (!*ts) return bad("Required field 'timestamp' missing");
  if (*ttl && *expiry) return bad("Cannot specify both 'expiry' and 'ttl'");
  if (!*ttl && !*expiry) return bad("Required field 'expiry' or 'ttl' missing");
  std::int64_t exp = 0;
  if (*expiry) exp = **expiry;
  else if (__builtin_add_overflow(**ts, **ttl, &exp)) return Error(Errc::Forbidden, "Provided expiry/TTL is not valid.");
  auto acct = account_params(p);
  if (!acct) return std::move(acct).error();
  const AccountKey* pk = &acct->pk;
  Namespace n = acct->ns;
  const Auth* a = &acct->auth;
  auto sig_ts = timestamp_param(p, "sig_timestamp");
  if (!sig_ts) return std::move(sig_ts).error();
  auto it = p.find("data");
  if (it == p.end() || it->is_null()) return bad("Required field 'data' missing");
  if (!it->is_string()) return bad("Invalid value given for 'data': expected string");
  const auto& b64 = it->get_ref<const std::string&>();
  if (b64.size() > proto::kMaxMessageData / 3 * 4)
    return bad("Message body exceeds maximum allowed length of " + std::to_string(proto::kMaxMessageData) + " bytes");
  auto data = base::from_base64(b64);
  if (!data) return bad("Invalid 'data' value: not base64 encoded");

  if (auto s = check_swarm(ctx, *pk); !s) return std::move(s).error();
  std::int64_t ttl_ms = 0;
  if (__builtin_sub_overflow(exp, **ts, &ttl_ms)) return Error(Errc::Forbidden, "Provided expiry/TTL is not valid.");
  if (ttl_ms < kTtlMin || ttl_ms > (is_public_inbox(n) ? kTtlMaxPublicInbox : n == kBackupNamespace ? kTtlMaxBackup : kTtlMaxPrivate))
    return Error(Errc::Forbidden, "Provided expiry/TTL is not valid.");
  if (**ts > now + kStoreTolerance || exp < now - kStoreTolerance)
    return Error(Errc::NotAcceptable, "Timestamp error: check your clock");
  if (!is_public_inbox(n)) {
    if (!a->signature) return Error(Errc::Unauthorized, "store: signature required to store to namespace " + std::to_string(n));
    std::int64_t st = sig_ts->value_or(**ts);
    if (st < now - kSignatureTolerance || st > now + kSignatureTolerance)
      return Error(Errc::NotAcceptable, "store signature timestamp too far from current time");
    std::uint8_t need = is_public_outbox(n) ? kWrite | kDelete : kWrite;  // an outbox store replaces
    if (auto v = verify(ctx, *pk, *a, proto::signed_store(n, st), "store", need); !v) return std::move(v).error();
  }
  std::string hash = proto::message_hash(*pk, n, *data);
  std::string receipt = node_signature(ctx, hash);
  return StorePlan{*pk, n, std::move(hash), std::move(receipt), **ts, exp, std::move(*data)};
}

// Stores the plan in ctx.store and answers with this member's signed result.
Out commit_store(Context& ctx, const StorePlan& plan, std::int64_t now) {
  Out out;
  json& me = mine(ctx, out.body);
  auto stored = ctx.store.store({plan.pk, plan.ns, raw_hash(plan.hash), plan.timestamp, plan.expiry, plan.data});
  if (stored) {
    me["hash"] = plan.hash;
    me["signature"] = plan.receipt;
    if (stored->already) me["already"] = true;
    me["expiry"] = stored->expiry_ms;
    me["t"] = now;
    out.body["hash"] = plan.hash;
  } else {
    me["failed"] = true;
    me["reason"] = stored.error().message();
    out.status = 500;  // no member stored it
  }
  add_misc(out.body, now);
  return out;
}

R do_store(Context& ctx, const json& p, std::int64_t now) {
  auto plan = plan_store(ctx, p, now);
  if (!plan) return std::move(plan).error();
  return commit_store(ctx, *plan, now);
}

R do_retrieve(Context& ctx, const json& p, std::int64_t now) {
  auto acct = account_params(p);
  if (!acct) return std::move(acct).error();
  const AccountKey* pk = &acct->pk;
  Namespace n = acct->ns;
  const Auth* a = &acct->auth;
  auto ts = timestamp_param(p, "timestamp");
  if (!ts) return std::move(ts).error();
  bool signed_req = a->pubkey_ed25519 || a->signature || *ts || !is_noauth_retrieve(n);
  if (signed_req && !a->signature) return bad("Required field 'signature' missing");
  if (signed_req && !*ts) return bad("Required field 'timestamp' missing");
  const json* lh = nullptr;
  for (const char* name : {"last_hash", "lastHash"})
    if (auto it = p.find(name); it != p.end() && !it->is_null()) {
      if (lh) return bad("Cannot specify both 'last_hash' and 'lastHash'");
      lh = &*it;
    }
  std::optional<MessageHash> last;
  if (lh) {
    if (!lh->is_string()) return bad("Invalid value given for 'last_hash': expected string");
    const auto& s = lh->get_ref<const std::string&>();
    if (!s.empty()) {
      auto raw = base::from_base64(s);
      if (s.size() != proto::kMessageHashLength) return bad("Invalid last_hash: expected base64 (43 chars)");
      if (!raw || raw->size() != 32) return bad("Invalid last_hash: not base64");
      last = raw_hash(s);
    }
  }
  auto int_param = [&](const char* name) -> Result<std::optional<std::int64_t>> {
    auto it = p.find(name);
    if (it == p.end() || it->is_null()) return std::optional<std::int64_t>();
    if (!it->is_number_integer()) return bad(std::string("Invalid value given for '") + name + "': expected integer");
    return std::optional<std::int64_t>(it->get<std::int64_t>());
  };
  auto max_count = int_param("max_count");
  if (!max_count) return std::move(max_count).error();
  auto max_size = int_param("max_size");
  if (!max_size) return std::move(max_size).error();
  auto wait = int_param("wait");  // sotto's extension: seconds to wait for a message
  if (!wait) return std::move(wait).error();
  if (*wait && (**wait < 0 || **wait > kMaxWaitSeconds))
    return bad("Invalid value given for 'wait': expected whole seconds from 0 to " + std::to_string(kMaxWaitSeconds));

  if (auto s = check_swarm(ctx, *pk); !s) return std::move(s).error();
  if (signed_req) {
    if (auto w = check_window(**ts, now, "retrieve"); !w) return std::move(w).error();
    // A member removed from a group still reads its removal notice: -(100k + 11).
    bool unrevocable = n < 0 && (-static_cast<int>(n)) % 100 == 11;
    if (auto v = verify(ctx, *pk, *a, proto::signed_retrieve(n, **ts), "retrieve", kRead, !unrevocable); !v)
      return std::move(v).error();
  }
  std::int64_t count = max_count->value_or(0);  // <= 0: no count limit
  std::optional<std::int64_t> size = *max_size;
  if (size && *size == 0) size.reset();
  if (count <= 0 && !size) size = -5;
  if (size && *size < -kRetrieveMaxSize) size = -kRetrieveMaxSize;  // -INT64_MIN would overflow
  std::int64_t bytes = !size ? kRetrieveMaxSize : *size < 0 ? kRetrieveMaxSize / -*size : std::min(*size, kRetrieveMaxSize);
  std::size_t n_max = static_cast<std::size_t>(count > 0 ? std::min<std::int64_t>(count, 1'000'000) : 1'000'000);
  auto got = ctx.store.retrieve(*pk, n, last, n_max, static_cast<std::size_t>(std::max<std::int64_t>(bytes, 1)), now);
  if (!got) return Error(Errc::Internal, "Internal Server Error. Could not retrieve messages");
  // Only a signed retrieve waits: a stranger's unsigned one (namespace -10, public
  // outboxes) answers at once, so it cannot fill or evict the node's waiting room.
  if (got->messages.empty() && ctx.may_wait && signed_req && wait->value_or(0) > 0) {
    Out out;
    out.wait = WaitFor{wait_key(*pk, n), **wait * 1000};
    return out;
  }
  // Written by hand: the data is most of the reply and needs no escaping (base64), so
  // it is encoded straight into the body instead of through a JSON tree.
  std::size_t reply_bytes = 64;
  for (const auto& m : got->messages) reply_bytes += storage::reply_size(m.data.size());
  Out out;
  out.raw.reserve(reply_bytes);
  out.raw += R"({"messages":[)";
  for (std::size_t i = 0; i < got->messages.size(); ++i) {
    const auto& m = got->messages[i];
    out.raw += i ? R"(,{"hash":")" : R"({"hash":")";
    base::append_base64(out.raw, m.hash, base::Padding::No);
    out.raw += R"(","timestamp":)" + std::to_string(m.timestamp_ms) + R"(,"expiration":)" + std::to_string(m.expiry_ms) +
               R"(,"data":")";
    base::append_base64(out.raw, m.data);
    out.raw += "\"}";
  }
  out.raw += R"(],"more":)";
  out.raw += got->more ? "true" : "false";
  out.raw += R"(,"t":)" + std::to_string(now) + R"(,"hf":)" + kHardfork.dump() + "}";
  return out;
}

// The parameters delete, expire and get_expiries share: an account, its signature, and
// the message hashes.
struct SignedHashes {
  AccountKey pk;
  Auth auth;
  std::vector<std::string> hashes;
};
Result<SignedHashes> signed_hashes_params(const json& p) {
  auto pk = pubkey_param(p, false);
  if (!pk) return std::move(pk).error();
  auto a = auth_params(p, *pk);
  if (!a) return std::move(a).error();
  if (!a->signature) return bad("Required field 'signature' missing");
  auto hashes = hashes_param(p, "messages");
  if (!hashes) return std::move(hashes).error();
  return SignedHashes{*pk, *a, std::move(*hashes)};
}

// delete_all / delete_before / expire_all answer with the touched hashes: a sorted list
// for one namespace, {ns: [...]} for all; the node signs pubkey ‖ value ‖ sorted hashes.
void affected_reply(Context& ctx, json& me, const char* key, std::vector<storage::Affected> touched, bool all,
                    const AccountKey& pk, std::int64_t value) {
  std::sort(touched.begin(), touched.end(), [](const auto& x, const auto& y) { return text_hash(x.hash) < text_hash(y.hash); });
  std::string signed_msg = pubkey_hex(pk) + std::to_string(value);
  for (const auto& t : touched) signed_msg += text_hash(t.hash);
  me["signature"] = node_signature(ctx, signed_msg);
  if (all) {
    json groups = json::object();
    for (const auto& t : touched) groups[std::to_string(t.ns)].push_back(text_hash(t.hash));
    me[key] = std::move(groups);
  } else {
    json list = json::array();
    for (const auto& t : touched) list.push_back(text_hash(t.hash));
    me[key] = std::move(list);
  }
}

R do_delete(Context& ctx, const json& p, std::int64_t now) {
  auto sh = signed_hashes_params(p);
  if (!sh) return std::move(sh).error();
  auto& [pk, a, hashes] = *sh;
  bool required = false;
  if (auto it = p.find("required"); it != p.end() && !it->is_null()) {
    if (!it->is_boolean()) return bad("Invalid value given for 'required': expected boolean");
    required = it->get<bool>();
  }
  if (auto s = check_swarm(ctx, pk); !s) return std::move(s).error();
  if (auto v = verify(ctx, pk, a, proto::signed_delete(hashes), "delete_msgs", kDelete); !v) return std::move(v).error();
  std::vector<MessageHash> raw;
  for (const auto& h : hashes) raw.push_back(raw_hash(h));
  auto deleted = ctx.store.delete_hashes(pk, raw);
  if (!deleted) return Error(Errc::Internal, "Internal Server Error. Could not delete messages");
  std::vector<std::string> names;
  for (const auto& h : *deleted) names.push_back(text_hash(h));
  std::sort(names.begin(), names.end());
  std::string signed_msg = pubkey_hex(pk);
  for (const auto& h : hashes) signed_msg += h;
  for (const auto& h : names) signed_msg += h;
  Out out;
  json& me = mine(ctx, out.body);
  me["deleted"] = names;
  me["signature"] = node_signature(ctx, signed_msg);
  add_misc(out.body, now);
  if (required && names.empty()) out.status = 404;
  return out;
}

// delete_all, delete_before and expire_all: parse the common parameters, let `op` check
// its time rule and signature and apply itself to the store, then answer with the signed
// list of touched hashes under `reply_key`.
template <class Op>
R bulk(Context& ctx, const json& p, std::int64_t now, const char* value_name, const char* reply_key, Op&& op) {
  auto pk = pubkey_param(p, false);
  if (!pk) return std::move(pk).error();
  auto a = auth_params(p, *pk);
  if (!a) return std::move(a).error();
  if (!a->signature) return bad("Required field 'signature' missing");
  auto ns = ns_or_all_param(p);
  if (!ns) return std::move(ns).error();
  auto value = timestamp_param(p, value_name);
  if (!value) return std::move(value).error();
  if (!*value) return bad(std::string("Required field '") + value_name + "' missing");
  if (auto s = check_swarm(ctx, *pk); !s) return std::move(s).error();
  Result<std::vector<storage::Affected>> touched = op(*pk, *a, *ns, **value);
  if (!touched) {
    if (touched.error().code().category() == errc_category(Errc::Internal)) return std::move(touched).error();
    return Error(Errc::Internal, "Internal Server Error. The message store failed");
  }
  Out out;
  affected_reply(ctx, mine(ctx, out.body), reply_key, std::move(*touched), !*ns, *pk, **value);
  add_misc(out.body, now);
  return out;
}

R do_delete_all(Context& ctx, const json& p, std::int64_t now) {
  return bulk(ctx, p, now, "timestamp", "deleted", [&](const AccountKey& pk, const Auth& a, NsOrAll ns, std::int64_t ts) {
    if (auto w = check_window(ts, now, "delete_all"); !w) return Result<std::vector<storage::Affected>>(std::move(w).error());
    if (auto v = verify(ctx, pk, a, proto::signed_delete_all(ns, ts), "delete_all", kDelete); !v)
      return Result<std::vector<storage::Affected>>(std::move(v).error());
    return ctx.store.delete_all(pk, ns);
  });
}

R do_delete_before(Context& ctx, const json& p, std::int64_t now) {
  return bulk(ctx, p, now, "before", "deleted", [&](const AccountKey& pk, const Auth& a, NsOrAll ns, std::int64_t before) {
    if (before > now + kSignatureTolerance)
      return Result<std::vector<storage::Affected>>(Error(Errc::Unauthorized, "delete_before timestamp too far in the future"));
    if (auto v = verify(ctx, pk, a, proto::signed_delete_before(ns, before), "delete_before", kDelete); !v)
      return Result<std::vector<storage::Affected>>(std::move(v).error());
    return ctx.store.delete_before(pk, ns, before);
  });
}

R do_expire_all(Context& ctx, const json& p, std::int64_t now) {
  return bulk(ctx, p, now, "expiry", "updated", [&](const AccountKey& pk, const Auth& a, NsOrAll ns, std::int64_t expiry) {
    if (expiry < now - kSignatureTolerance)
      return Result<std::vector<storage::Affected>>(Error(Errc::NotAcceptable, "expire_all timestamp should be >= current time"));
    if (auto v = verify(ctx, pk, a, proto::signed_expire_all(ns, expiry), "expire_all", kDelete); !v)
      return Result<std::vector<storage::Affected>>(std::move(v).error());
    return ctx.store.expire_all(pk, ns, expiry);
  });
}

// expire: one expiry for every hash, or (an array as long as `messages`) one per hash.
R do_expire(Context& ctx, const json& p, std::int64_t now) {
  auto sh = signed_hashes_params(p);
  if (!sh) return std::move(sh).error();
  auto& [pk, a, hashes] = *sh;
  std::vector<std::int64_t> requested;
  if (auto it = p.find("expiry"); it != p.end() && it->is_array()) {
    if (it->empty()) return bad("'expiry' does not contain any expiration timestamps");
    for (const auto& e : *it) {
      if (e.is_null()) return bad("Required field 'expiry' missing");  // as a missing one
      auto v = timestamp_value(e, "expiry");
      if (!v) return std::move(v).error();
      requested.push_back(*v);
    }
    if (requested.size() > 1 && requested.size() != hashes.size())
      return bad("'expiry' must be a single expiry, or the same length as 'messages'");
  } else {
    auto expiry = timestamp_param(p, "expiry");
    if (!expiry) return std::move(expiry).error();
    if (!*expiry) return bad("Required field 'expiry' missing");
    requested.push_back(**expiry);
  }
  bool per_message = requested.size() > 1;
  bool shorten = false, extend = false;
  for (auto [name, flag] : {std::pair{"shorten", &shorten}, std::pair{"extend", &extend}})
    if (auto it = p.find(name); it != p.end() && !it->is_null()) {
      if (!it->is_boolean()) return bad(std::string("Invalid value given for '") + name + "': expected boolean");
      *flag = it->get<bool>();
    }
  if (shorten && extend) return bad("Cannot specify both 'shorten' and 'extend'");
  if (auto s = check_swarm(ctx, pk); !s) return std::move(s).error();
  for (auto e : requested)
    if (e < now - kSignatureTolerance) return Error(Errc::Unauthorized, "expire: timestamp should be >= current time");
  proto::ExpireMode signed_mode = shorten ? proto::ExpireMode::Shorten : extend ? proto::ExpireMode::Extend : proto::ExpireMode::Any;
  if (auto v = verify(ctx, pk, a, proto::signed_expire(signed_mode, requested, hashes), "expire", kWrite); !v)
    return std::move(v).error();
  storage::ExpireMode mode = shorten ? storage::ExpireMode::Shorten : extend ? storage::ExpireMode::Extend : storage::ExpireMode::Any;
  if (a.subaccount && !((*a.subaccount)[1] & kDelete)) {  // without Delete a token only extends
    if (shorten) return bad("expire: shorten parameter cannot be used with this subaccount token (missing delete access)");
    mode = storage::ExpireMode::Extend;
  }
  std::vector<std::int64_t> used;  // each clamped to the longest TTL
  for (auto e : requested) used.push_back(std::min(e, now + kTtlMaxPrivate));
  std::vector<MessageHash> raw;
  for (const auto& h : hashes) raw.push_back(raw_hash(h));
  std::vector<std::int64_t> each = per_message ? used : std::vector<std::int64_t>(raw.size(), used[0]);
  auto updated = ctx.store.expire_each(pk, raw, each, mode);
  if (!updated) return Error(Errc::Internal, "Internal Server Error. Could not update expiries");
  std::vector<std::pair<std::string, std::int64_t>> changed;  // by hash text, as Session sorts
  for (const auto& [h, e] : *updated) changed.emplace_back(text_hash(h), e);
  std::sort(changed.begin(), changed.end());
  std::map<std::string, std::int64_t> unchanged;
  if (shorten || extend) {
    std::vector<MessageHash> rest;
    for (const auto& h : hashes)
      if (!std::binary_search(changed.begin(), changed.end(), std::pair{h, std::int64_t{0}},
                              [](const auto& x, const auto& y) { return x.first < y.first; }))
        rest.push_back(raw_hash(h));
    auto ex = ctx.store.get_expiries(pk, rest);
    if (!ex) return Error(Errc::Internal, "Internal Server Error. Could not read expiries");
    for (const auto& [h, e] : *ex) unchanged[text_hash(h)] = e;
  }
  // Signed: pubkey ‖ the expiry (or each updated hash's, in the order of `updated`) ‖
  // the requested hashes ‖ the updated hashes ‖ each unchanged hash and its expiry.
  Out out;
  json& me = mine(ctx, out.body);
  std::string signed_msg = pubkey_hex(pk);
  json names = json::array(), expiries = json::array();
  if (per_message) {
    for (const auto& [h, e] : changed) signed_msg += std::to_string(e), expiries.push_back(e);
    me["expiry"] = std::move(expiries);
  } else {
    signed_msg += std::to_string(used[0]);
    me["expiry"] = used[0];
  }
  for (const auto& h : hashes) signed_msg += h;
  for (const auto& [h, e] : changed) signed_msg += h, names.push_back(h);
  for (const auto& [h, e] : unchanged) signed_msg += h + std::to_string(e);
  me["updated"] = std::move(names);
  if (shorten || extend) me["unchanged"] = unchanged;
  me["signature"] = node_signature(ctx, signed_msg);
  add_misc(out.body, now);
  return out;
}

// revoke_subaccount / unrevoke_subaccount: the account's own key (never a subaccount)
// revokes tokens on this node, or takes revocations back.
struct TokenParams {
  AccountKey pk;
  Auth auth;
  std::vector<storage::SubaccountToken> tokens;
  std::int64_t timestamp = 0;
};
Result<TokenParams> token_params(Context& ctx, const json& p, const char* method, const char* list_name, std::int64_t now) {
  std::string m(method);
  auto pk = pubkey_param(p, false);
  if (!pk) return std::move(pk).error();
  auto a = auth_params(p, *pk);
  if (!a) return std::move(a).error();
  if (!a->signature) return bad("Required field 'signature' missing");
  auto ts = timestamp_param(p, "timestamp");
  if (!ts) return std::move(ts).error();
  if (!*ts) return bad("Required field 'timestamp' missing");
  TokenParams out{*pk, std::move(*a), {}, **ts};
  if (list_name) {
    auto it = p.find(list_name);
    if (it == p.end() || it->is_null()) return bad(std::string("Required field '") + list_name + "' missing");
    std::vector<const json*> items;
    if (it->is_array()) for (const auto& x : *it) items.push_back(&x);
    else items.push_back(&*it);
    if (items.empty()) return bad(std::string("invalid ") + list_name + ": no subaccount tokens given");
    if (items.size() > kMaxTokensPerRequest)
      return bad(std::string("invalid ") + list_name + ": cannot give more than " + std::to_string(kMaxTokensPerRequest) +
                 " subaccount tokens at once");
    for (const json* x : items) {
      auto t = token_text(*x);
      if (!t) return bad(std::string("invalid ") + list_name + ": expected base64 or hex-encoded subaccount token");
      out.tokens.push_back(*t);
    }
  }
  if (auto s = check_swarm(ctx, out.pk); !s) return std::move(s).error();
  if (auto w = check_window(out.timestamp, now, method); !w) return std::move(w).error();
  if (out.auth.subaccount) return Error(Errc::Unauthorized, m + ": only the account's own key may do this, not a subaccount");
  return out;
}

std::vector<Bytes> token_bytes(const std::vector<storage::SubaccountToken>& tokens) {
  std::vector<Bytes> out;
  for (const auto& t : tokens) out.emplace_back(t.begin(), t.end());
  return out;
}

// Both answer with this member's signature over pubkey ‖ timestamp ‖ the tokens' bytes.
template <class Op>
R token_change(Context& ctx, const json& p, std::int64_t now, const char* method, const char* list_name, Op&& op) {
  auto tp = token_params(ctx, p, method, list_name, now);
  if (!tp) return std::move(tp).error();
  auto raw = token_bytes(tp->tokens);
  std::string signed_string = std::string_view(method) == "revoke_subaccount" ? proto::signed_revoke_subaccount(tp->timestamp, raw)
                                                                             : proto::signed_unrevoke_subaccount(tp->timestamp, raw);
  if (auto v = verify(ctx, tp->pk, tp->auth, signed_string, method, 0); !v) return std::move(v).error();
  Out out;
  json& me = mine(ctx, out.body);
  if (auto r = op(*tp, me); !r) return std::move(r).error();
  std::string signed_msg = pubkey_hex(tp->pk) + std::to_string(tp->timestamp);
  for (const auto& t : raw) signed_msg.append(t.begin(), t.end());
  me["signature"] = node_signature(ctx, signed_msg);
  add_misc(out.body, now);
  return out;
}

R do_revoke_subaccount(Context& ctx, const json& p, std::int64_t now) {
  return token_change(ctx, p, now, "revoke_subaccount", "revoke", [&](const TokenParams& tp, json&) -> Result<void> {
    if (!ctx.store.revoke_subaccounts(tp.pk, tp.tokens)) return Error(Errc::Internal, "Internal Server Error. Could not revoke");
    return {};
  });
}

R do_unrevoke_subaccount(Context& ctx, const json& p, std::int64_t now) {
  return token_change(ctx, p, now, "unrevoke_subaccount", "unrevoke", [&](const TokenParams& tp, json& me) -> Result<void> {
    auto n = ctx.store.unrevoke_subaccounts(tp.pk, tp.tokens);
    if (!n) return Error(Errc::Internal, "Internal Server Error. Could not unrevoke");
    me["count"] = *n;
    return {};
  });
}

R do_revoked_subaccounts(Context& ctx, const json& p, std::int64_t now) {
  auto tp = token_params(ctx, p, "revoked_subaccounts", nullptr, now);
  if (!tp) return std::move(tp).error();
  if (auto v = verify(ctx, tp->pk, tp->auth, proto::signed_revoked_subaccounts(tp->timestamp), "revoked_subaccounts", 0); !v)
    return std::move(v).error();
  auto list = ctx.store.revoked_subaccounts(tp->pk);
  if (!list) return Error(Errc::Internal, "Internal Server Error. Could not read revocations");
  json tokens = json::array();
  for (const auto& t : *list) tokens.push_back(base::to_base64(t));
  Out out;
  out.body = {{"revoked_subaccounts", std::move(tokens)}};
  add_misc(out.body, now);
  return out;
}

R do_get_expiries(Context& ctx, const json& p, std::int64_t now) {
  auto sh = signed_hashes_params(p);
  if (!sh) return std::move(sh).error();
  auto& [pk, a, hashes] = *sh;
  auto ts = timestamp_param(p, "timestamp");
  if (!ts) return std::move(ts).error();
  if (!*ts) return bad("Required field 'timestamp' missing");
  if (auto s = check_swarm(ctx, pk); !s) return std::move(s).error();
  if (auto w = check_window(**ts, now, "get_expiries"); !w) return std::move(w).error();
  if (auto v = verify(ctx, pk, a, proto::signed_get_expiries(**ts, hashes), "get_expiries", kRead); !v) return std::move(v).error();
  std::vector<MessageHash> raw;
  for (const auto& h : hashes) raw.push_back(raw_hash(h));
  auto ex = ctx.store.get_expiries(pk, raw);
  if (!ex) return Error(Errc::Internal, "Internal Server Error. Could not read expiries");
  json e = json::object();
  for (const auto& [h, v] : *ex) e[text_hash(h)] = v;
  Out out;
  out.body = {{"expiries", std::move(e)}};
  add_misc(out.body, now);
  return out;
}

R do_get_swarm(Context& ctx, const json& p, std::int64_t now) {
  auto pk = pubkey_param(p, false);
  if (!pk) return std::move(pk).error();
  Out out;
  out.body = swarm_json(ctx.swarm.swarm_for(*pk));
  add_misc(out.body, now);
  return out;
}

R do_info(Context&, const json&, std::int64_t now) {
  Out out;
  out.body = {{"version", kVersion}, {"timestamp", now}};
  add_misc(out.body, now);
  return out;
}

Reply text_reply(int status, std::string sentence) { return Reply{status, std::move(sentence), false, {}, {}}; }

using Method = R (*)(Context&, const json&, std::int64_t);
const std::map<std::string, Method, std::less<>>& methods() {
  static const std::map<std::string, Method, std::less<>> m{
      {"store", do_store},
      {"retrieve", do_retrieve},
      {"delete", do_delete},
      {"delete_all", do_delete_all},
      {"delete_before", do_delete_before},
      {"expire", do_expire},
      {"expire_all", do_expire_all},
      {"get_expiries", do_get_expiries},
      {"revoke_subaccount", do_revoke_subaccount},
      {"unrevoke_subaccount", do_unrevoke_subaccount},
      {"revoked_subaccounts", do_revoked_subaccounts},
      {"get_swarm", do_get_swarm},
      {"get_snodes_for_pubkey", do_get_swarm},
      {"info", do_info},
  };
  return m;
}

Reply fail(Error e) {
  auto code = static_cast<Errc>(e.code().value());
  if (e.code().category() != errc_category(Errc::BadRequest)) code = Errc::Internal;
  bool is_json = code == Errc::WrongSwarm;  // its detail is the right swarm, as JSON
  return Reply{to_wire_status(code), e.detail(), is_json, {}, {}};
}

Reply to_reply(R r, std::string method) {
  Reply out;
  if (!r) out = fail(std::move(r).error());
  else if (!r->raw.empty()) out = Reply{r->status, std::move(r->raw), true, {}, {}};
  else if (r->wait) out = Reply{r->status, {}, true, {}, std::move(r->wait)};
  else out = Reply{r->status, r->body.dump(-1, ' ', false, json::error_handler_t::replace), true, {}, {}};
  out.method = std::move(method);
  return out;
}

// The method and params of one request {"method", "params"} (not batch/sequence).
struct Call {
  std::string_view name;
  Method run = nullptr;
  const json* params = nullptr;
};
Result<Call> find_call(const json& req) {
  auto m = req.find("method");
  if (m == req.end() || !m->is_string()) return bad("invalid request: no method");
  auto it = methods().find(m->get_ref<const std::string&>());
  if (it == methods().end()) return bad("invalid request: unknown method '" + m->get<std::string>() + "'");
  static const json empty = json::object();
  auto p = req.find("params");
  if (p != req.end() && !p->is_object() && !p->is_null()) return bad("invalid request: params is not an object");
  return Call{it->first, it->second, (p == req.end() || p->is_null()) ? &empty : &*p};
}

Reply run_one(Context& ctx, const json& req, std::int64_t now) {
  auto call = find_call(req);
  if (!call) return fail(std::move(call).error());
  return to_reply(call->run(ctx, *call->params, now), std::string(call->name));
}

Reply run_batch(Context& ctx, const json& params, std::int64_t now, bool sequence) {
  struct NoWait {  // a retrieve in a batch answers at once
    Context& c;
    bool was;
    ~NoWait() { c.may_wait = was; }
  } no_wait{ctx, ctx.may_wait};
  ctx.may_wait = false;
  auto reqs = params.find("requests");
  if (reqs == params.end() || !reqs->is_array() || reqs->empty() || reqs->size() > kMaxBatch)
    return text_reply(400, "Invalid batch: 'requests' must hold 1 to 20 subrequests");
  for (const auto& r : *reqs) {
    if (!r.is_object()) return text_reply(400, "Invalid batch: a subrequest is not an object");
    auto m = r.find("method");
    if (m != r.end() && m->is_string() && (*m == "batch" || *m == "sequence"))
      return text_reply(400, "Invalid batch: subrequests cannot be batch or sequence");
  }
  json results = json::array();
  for (const auto& r : *reqs) {
    Reply sub = run_one(ctx, r, now);
    json entry{{"code", sub.status}};
    entry["body"] = sub.json ? json::parse(sub.body, nullptr, false) : json(sub.body);
    results.push_back(std::move(entry));
    if (sequence && (sub.status < 200 || sub.status > 299)) break;
  }
  json body{{"results", std::move(results)}};
  return Reply{200, body.dump(-1, ' ', false, json::error_handler_t::replace), true, sequence ? "sequence" : "batch", {}};
}

bool is_batch(const json& req) {
  auto m = req.find("method");
  return m != req.end() && m->is_string() && (*m == "batch" || *m == "sequence");
}

// A parsed request object (single, batch or sequence) -> its reply.
Reply run(Context& ctx, const json& req, std::int64_t now) {
  if (is_batch(req)) {
    auto p = req.find("params");
    if (p == req.end() || !p->is_object()) return text_reply(400, "Invalid batch: params is not an object");
    return run_batch(ctx, *p, now, req["method"] == "sequence");
  }
  return run_one(ctx, req, now);
}

// True when the request (or any subrequest) names a method that writes.
bool writes(const json& req) {
  static const std::set<std::string, std::less<>> kWriters{"store",  "delete",     "delete_all",        "delete_before",
                                                                 "expire", "expire_all", "revoke_subaccount", "unrevoke_subaccount"};
  auto names_writer = [](const json& r) {
    if (!r.is_object()) return false;
    auto m = r.find("method");
    return m != r.end() && m->is_string() && kWriters.contains(m->get_ref<const std::string&>());
  };
  if (!is_batch(req)) return names_writer(req);
  auto p = req.find("params");
  if (p == req.end() || !p->is_object()) return false;
  auto reqs = p->find("requests");
  if (reqs == p->end() || !reqs->is_array()) return false;
  return std::any_of(reqs->begin(), reqs->end(), names_writer);
}

}  // namespace

struct Pending::Impl {
  std::int64_t now = 0;
  std::optional<StorePlan> store;  // a single store, checked and signed
  json request;                    // any other request that writes: it runs whole in apply()
};

Pending::Pending(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pending::Pending(Pending&&) noexcept = default;
Pending& Pending::operator=(Pending&&) noexcept = default;
Pending::~Pending() = default;
bool Pending::is_single_store() const { return impl_->store.has_value(); }

Prepared prepare(Context& ctx, std::string_view body) {
  if (body.size() > kMaxBodyBytes) return {text_reply(413, "Request body too large"), {}};
  auto parsed = base::read_json_object(body, kRequestJsonLimits);
  if (!parsed) return {text_reply(400, "invalid json: " + parsed.error().message()), {}};
  json req = std::move(*parsed);
  std::int64_t now = ctx.clock.now_ms();
  if (!writes(req)) return {run(ctx, req, now), {}};
  auto impl = std::make_unique<Pending::Impl>();
  impl->now = now;
  if (!is_batch(req)) {
    auto call = find_call(req);  // a bad request (params not an object) is answered by apply()
    if (call && call->name == "store") {
      auto plan = plan_store(ctx, *call->params, now);
      if (!plan) return {to_reply(std::move(plan).error(), "store"), {}};
      impl->store = std::move(*plan);
      return {{}, Pending(std::move(impl))};
    }
  }
  impl->request = std::move(req);
  return {{}, Pending(std::move(impl))};
}

Reply apply(Context& ctx, Pending& work) {
  auto& w = work.impl();
  if (w.store) return to_reply(commit_store(ctx, *w.store, w.now), "store");
  return run(ctx, w.request, w.now);
}

Reply handle(Context& ctx, std::string_view body) {
  auto p = prepare(ctx, body);
  if (p.reply) return std::move(*p.reply);
  return apply(ctx, *p.pending);
}

}  // namespace sotto::node::rpc
