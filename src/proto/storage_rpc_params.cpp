// Each storage RPC method's parameters (docs/wire/storage-rpc.md), read as Session's
// storage server reads them, field by field and in its order, with its sentences. Every
// value's type is checked where it lies; nothing is copied before that.

#include "proto/storage_rpc_params.hpp"

#include <algorithm>

namespace sotto::proto::rpc::params {

namespace {

using nlohmann::json;

Error bad(std::string why) { return Error(Errc::BadRequest, std::move(why)); }

// The parameter `name`, or nullptr when it is absent or null.
const json* find(const json& p, const char* name) {
  auto it = p.find(name);
  return it == p.end() || it->is_null() ? nullptr : &*it;
}

Result<AccountKey> pubkey_param(const json& p, bool alias) {
  const json* v = find(p, "pubkey");
  if (alias)
    if (const json* a = find(p, "pubKey")) {
      if (v) return bad("Cannot specify both 'pubkey' and 'pubKey'");
      v = a;
    }
  if (!v) return bad("Required field 'pubkey' missing");
  if (!v->is_string()) return bad("Invalid value given for 'pubkey': expected string");
  auto k = base::from_hex_fixed<33>(v->get_ref<const std::string&>());
  if (!k) return bad("Pubkey must be 66 hex digits (33 bytes) long");
  return *k;
}

// One value as an unsigned integer of milliseconds (or, with `stringy`, a string of
// digits); `name` is for the error.
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

// A timestamp in ms: ms_value, and under kMinTimestampMs refused as seconds given for ms.
Result<std::int64_t> timestamp_value(const json& v, const char* name) {
  auto t = ms_value(v, name, false);
  if (t && *t < kMinTimestampMs) return bad(std::string("Invalid timestamp for '") + name + "': timestamp must be in milliseconds");
  return t;
}

Result<std::optional<std::int64_t>> ms_param(const json& p, const char* name, bool stringy = false) {
  const json* v = find(p, name);
  if (!v) return std::optional<std::int64_t>();
  auto r = ms_value(*v, name, stringy);
  if (!r) return std::move(r).error();
  return std::optional<std::int64_t>(*r);
}

Result<std::optional<std::int64_t>> timestamp_param(const json& p, const char* name) {
  const json* v = find(p, name);
  if (!v) return std::optional<std::int64_t>();
  auto r = timestamp_value(*v, name);
  if (!r) return std::move(r).error();
  return std::optional<std::int64_t>(*r);
}

// A timestamp the method needs.
Result<std::int64_t> required_timestamp(const json& p, const char* name) {
  auto v = timestamp_param(p, name);
  if (!v) return std::move(v).error();
  if (!*v) return bad(std::string("Required field '") + name + "' missing");
  return **v;
}

// A plain integer (retrieve's max_count, max_size, wait).
Result<std::optional<std::int64_t>> int_param(const json& p, const char* name) {
  const json* v = find(p, name);
  if (!v) return std::optional<std::int64_t>();
  if (!v->is_number_integer()) return bad(std::string("Invalid value given for '") + name + "': expected integer");
  return std::optional<std::int64_t>(v->get<std::int64_t>());
}

Result<bool> bool_param(const json& p, const char* name) {
  const json* v = find(p, name);
  if (!v) return false;
  if (!v->is_boolean()) return bad(std::string("Invalid value given for '") + name + "': expected boolean");
  return v->get<bool>();
}

Result<std::optional<Namespace>> ns_param(const json& p) {
  const json* v = find(p, "namespace");
  if (!v) return std::optional<Namespace>();
  if (!v->is_number_integer()) return bad("Invalid value given for 'namespace': expected 16-bit integer");
  auto n = v->get<std::int64_t>();
  if (n < -32768 || n > 32767) return bad("Invalid value given for 'namespace': value out of range");
  return std::optional<Namespace>(static_cast<Namespace>(n));
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

Result<std::vector<Hash>> hashes_param(const json& p, const char* name) {
  const json* v = find(p, name);
  if (!v) return bad(std::string("Required field '") + name + "' missing");
  std::vector<const std::string*> texts;
  if (v->is_string()) {
    texts.push_back(&v->get_ref<const std::string&>());
  } else if (v->is_array()) {
    for (const auto& x : *v) {
      if (!x.is_string()) return bad(std::string("Invalid value given for '") + name + "': expected string array");
      texts.push_back(&x.get_ref<const std::string&>());
    }
  } else {
    return bad(std::string("Invalid value given for '") + name + "': expected string array");
  }
  if (texts.empty()) return bad(std::string(name) + " does not contain any message hashes");
  if (texts.size() > kMaxHashesPerRequest)
    return bad(std::string(name) + " holds more than " + std::to_string(kMaxHashesPerRequest) + " hashes");
  std::vector<Hash> out;
  out.reserve(texts.size());
  for (const auto* t : texts) {
    auto h = parse_hash(*t);
    if (!h) return bad("invalid message hash: " + t->substr(0, 100));
    out.push_back(*h);
  }
  return out;
}

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
std::optional<SubaccountToken> token_text(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  Result<Bytes> raw = s.size() == 72 ? base::from_hex(s) : s.size() == 48 ? base::from_base64(s) : Result<Bytes>(bad(""));
  SubaccountToken t{};
  if (!raw || raw->size() != t.size()) return std::nullopt;
  std::copy(raw->begin(), raw->end(), t.begin());
  return t;
}

Result<Auth> auth_params(const json& p, const AccountKey& pk) {
  Auth a;
  if (const json* v = find(p, "pubkey_ed25519")) {
    if (pk[0] != 0x05) return bad("pubkey_ed25519 is only permitted for 05[...] pubkeys");
    if (!v->is_string()) return bad("Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey");
    auto k = crypto::Ed25519Public::from_hex(v->get_ref<const std::string&>());
    if (!k) return bad("Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey");
    a.pubkey_ed25519 = *k;
  }
  if (const json* v = find(p, "signature")) {
    a.signature = signature_text(*v);
    if (!a.signature) return bad("invalid signature: expected base64 encoded Ed25519 signature");
  }
  if (const json* v = find(p, "subaccount"); v && !(v->is_string() && v->get_ref<const std::string&>().empty())) {
    a.subaccount = token_text(*v);
    if (!a.subaccount) return bad("invalid subaccount: expected base64 or hex-encoded subaccount token");
    const json* sig = find(p, "subaccount_sig");
    if (!sig) return bad("invalid subaccount: subaccount_sig is required when using subaccount");
    a.subaccount_sig = signature_text(*sig);
    if (!a.subaccount_sig) return bad("invalid subaccount signature: expected base64 encoded Ed25519 signature");
  }
  return a;
}

// pubkey (no alias) and the auth parameters, with a signature required.
template <class T>
Result<T> signed_account(const json& p) {
  T out;
  auto pk = pubkey_param(p, false);
  if (!pk) return std::move(pk).error();
  out.pubkey = *pk;
  auto a = auth_params(p, *pk);
  if (!a) return std::move(a).error();
  if (!a->signature) return bad("Required field 'signature' missing");
  out.auth = std::move(*a);
  return out;
}

// The bulk methods: a signed account, a namespace (or "all") and one timestamp.
template <class T>
Result<T> bulk(const json& p, const char* value_name, std::int64_t T::*value) {
  auto out = signed_account<T>(p);
  if (!out) return out;
  auto ns = ns_or_all_param(p);
  if (!ns) return std::move(ns).error();
  out->ns = *ns;
  auto v = required_timestamp(p, value_name);
  if (!v) return std::move(v).error();
  (*out).*value = *v;
  return out;
}

// revoke / unrevoke: a token or a list of 1 to kMaxSubaccountTokensPerRequest.
Result<std::vector<SubaccountToken>> tokens_param(const json& p, const char* name) {
  const json* v = find(p, name);
  if (!v) return bad(std::string("Required field '") + name + "' missing");
  std::vector<const json*> items;
  if (v->is_array()) {
    for (const auto& x : *v) items.push_back(&x);
  } else {
    items.push_back(v);
  }
  if (items.empty()) return bad(std::string("invalid ") + name + ": no subaccount tokens given");
  if (items.size() > kMaxSubaccountTokensPerRequest)
    return bad(std::string("invalid ") + name + ": cannot give more than " + std::to_string(kMaxSubaccountTokensPerRequest) +
               " subaccount tokens at once");
  std::vector<SubaccountToken> out;
  for (const json* x : items) {
    auto t = token_text(*x);
    if (!t) return bad(std::string("invalid ") + name + ": expected base64 or hex-encoded subaccount token");
    out.push_back(*t);
  }
  return out;
}

template <class T>
Result<T> token_request(const json& p, const char* list_name) {
  auto out = signed_account<T>(p);
  if (!out) return out;
  auto ts = required_timestamp(p, "timestamp");
  if (!ts) return std::move(ts).error();
  out->timestamp = *ts;
  if constexpr (requires { out->tokens; }) {
    auto tokens = tokens_param(p, list_name);
    if (!tokens) return std::move(tokens).error();
    out->tokens = std::move(*tokens);
  }
  return out;
}

template <class T>
Result<T> signed_hashes(const json& p) {
  auto out = signed_account<T>(p);
  if (!out) return out;
  auto hashes = hashes_param(p, "messages");
  if (!hashes) return std::move(hashes).error();
  out->messages = std::move(*hashes);
  return out;
}

}  // namespace

Result<Store> store(const json& p) {
  // As Session's parser: store's timestamp is a plain (or stringified) integer with no
  // seconds check, so a value in seconds fails the clock window (406) in the handler.
  Store s;
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
  if (*ttl && __builtin_add_overflow(**ts, **ttl, &exp)) return Error(Errc::Forbidden, "Provided expiry/TTL is not valid.");
  s.timestamp = **ts;
  s.ttl = *ttl;
  s.expiry = *expiry;
  auto pk = pubkey_param(p, true);
  if (!pk) return std::move(pk).error();
  s.pubkey = *pk;
  auto ns = ns_param(p);
  if (!ns) return std::move(ns).error();
  s.ns = ns->value_or(0);
  auto a = auth_params(p, *pk);
  if (!a) return std::move(a).error();
  s.auth = std::move(*a);
  auto sig_ts = timestamp_param(p, "sig_timestamp");
  if (!sig_ts) return std::move(sig_ts).error();
  s.sig_timestamp = *sig_ts;
  const json* d = find(p, "data");
  if (!d) return bad("Required field 'data' missing");
  if (!d->is_string()) return bad("Invalid value given for 'data': expected string");
  const auto& b64 = d->get_ref<const std::string&>();
  if (b64.size() > kMaxMessageData / 3 * 4)
    return bad("Message body exceeds maximum allowed length of " + std::to_string(kMaxMessageData) + " bytes");
  auto data = base::from_base64(b64);
  if (!data) return bad("Invalid 'data' value: not base64 encoded");
  s.data = std::move(*data);
  return s;
}

Result<Retrieve> retrieve(const json& p) {
  Retrieve r;
  auto pk = pubkey_param(p, true);
  if (!pk) return std::move(pk).error();
  r.pubkey = *pk;
  auto ns = ns_param(p);
  if (!ns) return std::move(ns).error();
  r.ns = ns->value_or(0);
  auto a = auth_params(p, *pk);
  if (!a) return std::move(a).error();
  r.auth = std::move(*a);
  auto ts = timestamp_param(p, "timestamp");
  if (!ts) return std::move(ts).error();
  r.timestamp = *ts;
  if (r.is_signed() && !r.auth.signature) return bad("Required field 'signature' missing");
  if (r.is_signed() && !r.timestamp) return bad("Required field 'timestamp' missing");
  const json* lh = nullptr;
  for (const char* name : {"last_hash", "lastHash"})
    if (const json* v = find(p, name)) {
      if (lh) return bad("Cannot specify both 'last_hash' and 'lastHash'");
      lh = v;
    }
  if (lh) {
    if (!lh->is_string()) return bad("Invalid value given for 'last_hash': expected string");
    const auto& s = lh->get_ref<const std::string&>();
    if (!s.empty()) {
      if (s.size() != kMessageHashLength) return bad("Invalid last_hash: expected base64 (43 chars)");
      auto h = parse_hash(s);
      if (!h) return bad("Invalid last_hash: not base64");
      r.last_hash = *h;
    }
  }
  for (auto [name, field] : {std::pair{"max_count", &r.max_count}, std::pair{"max_size", &r.max_size}, std::pair{"wait", &r.wait}}) {
    auto v = int_param(p, name);
    if (!v) return std::move(v).error();
    *field = *v;
  }
  if (r.wait && (*r.wait < 0 || *r.wait > kMaxWaitSeconds))
    return bad("Invalid value given for 'wait': expected whole seconds from 0 to " + std::to_string(kMaxWaitSeconds));
  return r;
}

Result<Delete> delete_msgs(const json& p) {
  auto d = signed_hashes<Delete>(p);
  if (!d) return d;
  auto required = bool_param(p, "required");
  if (!required) return std::move(required).error();
  d->required = *required;
  return d;
}

Result<DeleteAll> delete_all(const json& p) { return bulk<DeleteAll>(p, "timestamp", &DeleteAll::timestamp); }
Result<DeleteBefore> delete_before(const json& p) { return bulk<DeleteBefore>(p, "before", &DeleteBefore::before); }
Result<ExpireAll> expire_all(const json& p) { return bulk<ExpireAll>(p, "expiry", &ExpireAll::expiry); }

// One expiry for every hash, or (an array as long as `messages`) one per hash.
Result<Expire> expire(const json& p) {
  auto e = signed_hashes<Expire>(p);
  if (!e) return e;
  if (auto it = p.find("expiry"); it != p.end() && it->is_array()) {
    if (it->empty()) return bad("'expiry' does not contain any expiration timestamps");
    for (const auto& v : *it) {
      if (v.is_null()) return bad("Required field 'expiry' missing");
      auto t = timestamp_value(v, "expiry");
      if (!t) return std::move(t).error();
      e->expiries.push_back(*t);
    }
    if (e->expiries.size() > 1 && e->expiries.size() != e->messages.size())
      return bad("'expiry' must be a single expiry, or the same length as 'messages'");
  } else {
    auto t = required_timestamp(p, "expiry");
    if (!t) return std::move(t).error();
    e->expiries.push_back(*t);
  }
  for (auto [name, flag] : {std::pair{"shorten", &e->shorten}, std::pair{"extend", &e->extend}}) {
    auto v = bool_param(p, name);
    if (!v) return std::move(v).error();
    *flag = *v;
  }
  if (e->shorten && e->extend) return bad("Cannot specify both 'shorten' and 'extend'");
  return e;
}

Result<GetExpiries> get_expiries(const json& p) {
  auto g = signed_hashes<GetExpiries>(p);
  if (!g) return g;
  auto ts = required_timestamp(p, "timestamp");
  if (!ts) return std::move(ts).error();
  g->timestamp = *ts;
  return g;
}

Result<RevokeSubaccount> revoke_subaccount(const json& p) { return token_request<RevokeSubaccount>(p, "revoke"); }
Result<UnrevokeSubaccount> unrevoke_subaccount(const json& p) { return token_request<UnrevokeSubaccount>(p, "unrevoke"); }
Result<RevokedSubaccounts> revoked_subaccounts(const json& p) { return token_request<RevokedSubaccounts>(p, nullptr); }

Result<GetSwarm> get_swarm(const json& p) {
  auto pk = pubkey_param(p, false);
  if (!pk) return std::move(pk).error();
  return GetSwarm{*pk};
}

void put_auth(json& p, const Auth& a) {
  if (a.pubkey_ed25519) p["pubkey_ed25519"] = a.pubkey_ed25519->hex();
  if (a.signature) p["signature"] = base::to_base64(*a.signature);
  if (a.subaccount) {
    p["subaccount"] = base::to_base64(*a.subaccount);
    if (a.subaccount_sig) p["subaccount_sig"] = base::to_base64(*a.subaccount_sig);
  }
}

}  // namespace sotto::proto::rpc::params
