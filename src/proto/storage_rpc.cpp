// The storage RPC's request codec (docs/wire/storage-rpc.md): the body's envelope, the
// method table, batches, and a client's encoding. Each method's parameters are read in
// storage_rpc_params.cpp.

#include "proto/storage_rpc.hpp"

#include <array>

#include "base/json.hpp"
#include "proto/storage_rpc_params.hpp"

namespace sotto::proto::rpc {

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
SOTTO_DEFINE_ERRC(Errc, "sotto.proto.rpc")

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

std::string hash_text(const Hash& h) { return base::to_base64(h, base::Padding::No); }

Result<Hash> parse_hash(std::string_view text) {
  if (text.size() != kMessageHashLength) return Error(Errc::BadRequest, "a message hash is 43 characters of base64");
  auto raw = base::from_base64(text);
  if (!raw || raw->size() != 32) return Error(Errc::BadRequest, "a message hash is 43 characters of base64");
  Hash h;
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

std::vector<std::string> hash_texts(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  out.reserve(hashes.size());
  for (const auto& h : hashes) out.push_back(hash_text(h));
  return out;
}

bool Retrieve::is_signed() const {
  return auth.pubkey_ed25519 || auth.signature || timestamp || !is_noauth_retrieve(ns);
}

namespace {

using nlohmann::json;

Error bad(std::string why) { return Error(Errc::BadRequest, std::move(why)); }

// The method table: each method's name, how its params are read, and whether it writes.
struct Method {
  std::string_view name;
  Result<Single> (*decode)(const json&);
  bool writes;
};

template <class T, Result<T> (*F)(const json&)>
Result<Single> as_single(const json& p) {
  auto r = F(p);
  if (!r) return std::move(r).error();
  return Single(std::move(*r));
}

Result<Single> info(const json&) { return Single(Info{}); }

constexpr std::array<Method, 14> kMethods{{
    {"store", as_single<Store, params::store>, true},
    {"retrieve", as_single<Retrieve, params::retrieve>, false},
    {"delete", as_single<Delete, params::delete_msgs>, true},
    {"delete_all", as_single<DeleteAll, params::delete_all>, true},
    {"delete_before", as_single<DeleteBefore, params::delete_before>, true},
    {"expire", as_single<Expire, params::expire>, true},
    {"expire_all", as_single<ExpireAll, params::expire_all>, true},
    {"get_expiries", as_single<GetExpiries, params::get_expiries>, false},
    {"revoke_subaccount", as_single<RevokeSubaccount, params::revoke_subaccount>, true},
    {"unrevoke_subaccount", as_single<UnrevokeSubaccount, params::unrevoke_subaccount>, true},
    {"revoked_subaccounts", as_single<RevokedSubaccounts, params::revoked_subaccounts>, false},
    {"get_swarm", as_single<GetSwarm, params::get_swarm>, false},
    {"get_snodes_for_pubkey", as_single<GetSwarm, params::get_swarm>, false},
    {"info", info, false},
}};

const Method* find_method(std::string_view name) {
  for (const auto& m : kMethods)
    if (m.name == name) return &m;
  return nullptr;
}

bool is_batch_name(const json& m) { return m.is_string() && (m == "batch" || m == "sequence"); }

// One call {"method", "params"}: its name (when it names one), and its params decoded, or
// the error its caller answers with.
struct Call {
  std::string method;
  Result<Single> request;
};
Call decode_call(const json& req) {
  auto m = req.find("method");
  if (m == req.end() || !m->is_string()) return {"", bad("invalid request: no method")};
  const auto& name = m->get_ref<const std::string&>();
  const Method* method = find_method(name);
  if (!method) return {"", bad("invalid request: unknown method '" + name.substr(0, 64) + "'")};
  static const json empty = json::object();
  auto p = req.find("params");
  if (p != req.end() && !p->is_object() && !p->is_null()) return {"", bad("invalid request: params is not an object")};
  Call out{std::string(method->name), method->decode((p == req.end() || p->is_null()) ? empty : *p)};
  return out;
}

Result<Batch> decode_batch(const json& req) {
  auto p = req.find("params");
  if (p == req.end() || !p->is_object()) return bad("Invalid batch: params is not an object");
  auto reqs = p->find("requests");
  if (reqs == p->end() || !reqs->is_array() || reqs->empty() || reqs->size() > kMaxBatchRequests)
    return bad("Invalid batch: 'requests' must hold 1 to " + std::to_string(kMaxBatchRequests) + " subrequests");
  for (const auto& r : *reqs) {
    if (!r.is_object()) return bad("Invalid batch: a subrequest is not an object");
    auto m = r.find("method");
    if (m != r.end() && is_batch_name(*m)) return bad("Invalid batch: subrequests cannot be batch or sequence");
  }
  Batch b;
  b.sequence = req["method"] == "sequence";
  for (const auto& r : *reqs) {
    Call c = decode_call(r);
    b.requests.push_back({std::move(c.method), std::move(c.request)});
  }
  return b;
}

constexpr base::JsonLimits kRequestLimits{kMaxRpcBodyBytes, kMaxRpcJsonDepth, std::size_t{1} << 20};

}  // namespace

std::string_view method_name(const Single& s) {
  static constexpr std::array<std::string_view, std::variant_size_v<Single>> kNames{
      "store",      "retrieve",          "delete",          "delete_all",          "delete_before",       "expire_all", "expire",
      "get_expiries", "revoke_subaccount", "unrevoke_subaccount", "revoked_subaccounts", "get_swarm", "info"};
  return kNames[s.index()];
}

bool writes(const Single& s) { return find_method(method_name(s))->writes; }

bool writes(const Request& r) {
  if (const auto* single = std::get_if<Result<Single>>(&r.call)) return *single && writes(**single);
  const auto& b = std::get<Batch>(r.call);
  return std::any_of(b.requests.begin(), b.requests.end(), [](const Subrequest& s) { return s.request && writes(*s.request); });
}

Result<Request> decode_request(std::string_view body) {
  auto parsed = base::read_json_object(body, kRequestLimits);
  if (!parsed) return bad("invalid json: " + parsed.error().message());
  const json& req = *parsed;
  auto m = req.find("method");
  if (m != req.end() && is_batch_name(*m)) {
    auto b = decode_batch(req);
    if (!b) return std::move(b).error();
    return Request{m->get<std::string>(), std::move(*b)};
  }
  Call c = decode_call(req);
  if (c.method.empty()) return std::move(c.request).error();  // no method, an unknown one, params not an object
  return Request{std::move(c.method), std::move(c.request)};
}

// --- Encoding ---

namespace {

std::string body(std::string_view method, json params) {
  return json{{"method", method}, {"params", std::move(params)}}.dump();
}

}  // namespace

std::string encode(const Store& r) {
  json p{{"pubkey", base::to_hex(r.pubkey)}, {"timestamp", r.timestamp}, {"namespace", r.ns}, {"data", base::to_base64(r.data)}};
  if (r.ttl) p["ttl"] = *r.ttl;
  if (r.expiry) p["expiry"] = *r.expiry;
  if (r.sig_timestamp) p["sig_timestamp"] = *r.sig_timestamp;
  params::put_auth(p, r.auth);
  return body("store", std::move(p));
}

std::string encode(const Retrieve& r) {
  json p{{"pubkey", base::to_hex(r.pubkey)}, {"namespace", r.ns}, {"last_hash", r.last_hash ? hash_text(*r.last_hash) : ""}};
  if (r.timestamp) p["timestamp"] = *r.timestamp;
  if (r.max_count) p["max_count"] = *r.max_count;
  if (r.max_size) p["max_size"] = *r.max_size;
  if (r.wait) p["wait"] = *r.wait;
  params::put_auth(p, r.auth);
  return body("retrieve", std::move(p));
}

std::string encode(const Delete& r) {
  json p{{"pubkey", base::to_hex(r.pubkey)}, {"messages", hash_texts(r.messages)}};
  if (r.required) p["required"] = true;
  params::put_auth(p, r.auth);
  return body("delete", std::move(p));
}

std::string encode(const Info&) { return body("info", json::object()); }

}  // namespace sotto::proto::rpc
