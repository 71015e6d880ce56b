// The storage RPC's replies (docs/wire/storage-rpc.md): written as nlohmann writes JSON
// (compact, object keys sorted), so that a reply is the same bytes however it was made;
// read with limits, the top level of a write's reply without a document at all.

#include "proto/storage_rpc_replies.hpp"

#include <map>

#include "base/json.hpp"
#include "base/json_top.hpp"

namespace sotto::proto::rpc {

namespace {

using nlohmann::json;
using base::JsonTop;
using base::JsonValue;

Error bad(std::string why) { return Error(Errc::BadRequest, std::move(why)); }

constexpr base::JsonLimits kReplyLimits{16 << 20, kMaxRpcJsonDepth, std::size_t{1} << 20};  // a retrieve holds up to 7.8 MB of data
constexpr std::string_view kHf = R"("hf":[19,3])";
static_assert(kHardforkMajor == 19 && kHardforkMinor == 3, "kHf spells the hardfork");

void append_string(std::string& out, std::string_view s) { out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace); }

std::optional<std::int64_t> integer(const JsonValue* v) {
  if (!v || v->kind != JsonValue::Kind::Number) return std::nullopt;
  if (v->unsigned_value) {
    if (*v->unsigned_value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(*v->unsigned_value);
  }
  auto j = json::parse(v->raw, nullptr, false);  // a negative integer (a few digits)
  if (!j.is_number_integer()) return std::nullopt;
  return j.get<std::int64_t>();
}

}  // namespace

// --- Writes ---

std::string encode(const SwarmReply& r) {
  std::map<std::string, const std::string*> members;  // sorted, the last of a repeated key
  for (const auto& [k, v] : r.members) members[k] = &v;
  std::string out = "{";
  if (r.hash) out += R"("hash":")" + hash_text(*r.hash) + "\",";
  out += kHf;
  out += R"(,"swarm":{)";
  bool first = true;
  for (const auto& [k, v] : members) {
    if (!first) out += ',';
    first = false;
    append_string(out, k);
    out += ':';
    out += *v;
  }
  out += R"(},"t":)" + std::to_string(r.t) + "}";
  return out;
}

Result<SwarmReply> decode_swarm_reply(std::string_view text) {
  auto top = JsonTop::parse(text);
  if (!top) return bad("the reply is not a JSON object");
  const JsonValue* swarm = top->find("swarm");
  if (!swarm || swarm->kind != JsonValue::Kind::Object) return bad("the reply has no \"swarm\" object");
  auto members = JsonTop::parse(swarm->raw);
  if (!members) return bad("the reply's \"swarm\" is not an object");
  SwarmReply out;
  if (const JsonValue* h = top->find("hash"); h && h->is_string())
    if (auto parsed = parse_hash(h->str())) out.hash = *parsed;
  if (auto t = integer(top->find("t"))) out.t = *t;
  std::map<std::string, std::string> by_key;  // the last of a repeated key, as a JSON reader keeps it
  for (const auto& [k, v] : members->members()) by_key[k] = std::string(v.raw);
  for (auto& [k, v] : by_key) out.members.emplace_back(k, std::move(v));
  return out;
}

std::string encode_member(const StoreReceipt& r) {
  std::string out = "{";
  if (r.already) out += R"("already":true,)";
  out += R"("expiry":)" + std::to_string(r.expiry) + R"(,"hash":")" + hash_text(r.hash) + R"(","signature":")" +
         base::to_base64(r.signature) + R"(","t":)" + std::to_string(r.t) + "}";
  return out;
}

std::string encode_member(const MemberFailure& f) {
  json j{{"failed", f.failed}};
  if (f.code) j["code"] = *f.code;
  if (f.reason) j["reason"] = *f.reason;
  if (f.timeout) j["timeout"] = true;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

StoreMember decode_store_member(std::string_view entry) {
  auto m = JsonTop::parse(entry);
  if (!m) return std::monostate{};
  const JsonValue* failed = m->find("failed");
  if (failed && failed->kind == JsonValue::Kind::Bool && failed->boolean) {
    MemberFailure f;
    if (const JsonValue* r = m->find("reason"); r && r->is_string()) f.reason = std::string(r->str().substr(0, 500));
    if (auto c = integer(m->find("code")); c && *c >= 0 && *c < 1000) f.code = static_cast<int>(*c);
    const JsonValue* t = m->find("timeout");
    f.timeout = t && t->kind == JsonValue::Kind::Bool && t->boolean;
    return f;
  }
  const JsonValue* h = m->find("hash");
  const JsonValue* s = m->find("signature");
  if (!h || !h->is_string() || !s || !s->is_string()) return std::monostate{};
  auto hash = parse_hash(h->str());
  auto sig = base::from_base64(s->str());
  if (!hash || !sig || sig->size() != 64) return std::monostate{};
  StoreReceipt r;
  r.hash = *hash;
  std::copy(sig->begin(), sig->end(), r.signature.begin());
  r.expiry = integer(m->find("expiry")).value_or(0);
  r.t = integer(m->find("t")).value_or(0);
  const JsonValue* a = m->find("already");
  r.already = a && a->kind == JsonValue::Kind::Bool && a->boolean;
  return r;
}

// --- retrieve ---

std::size_t retrieve_entry_size(std::size_t data_bytes) { return (data_bytes + 2) / 3 * 4 + 150; }

std::string encode_retrieve_reply(const std::vector<MessageView>& messages, bool more, std::int64_t t) {
  std::size_t bytes = 64;
  for (const auto& m : messages) bytes += retrieve_entry_size(m.data.size());
  std::string out;
  out.reserve(bytes);
  out += "{";
  out += kHf;
  out += R"(,"messages":[)";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    out += i ? R"(,{"data":")" : R"({"data":")";
    base::append_base64(out, m.data);
    out += R"(","expiration":)" + std::to_string(m.expiry) + R"(,"hash":")";
    base::append_base64(out, m.hash, base::Padding::No);
    out += R"(","timestamp":)" + std::to_string(m.timestamp) + "}";
  }
  out += R"(],"more":)";
  out += more ? "true" : "false";
  out += R"(,"t":)" + std::to_string(t) + "}";
  return out;
}

Result<RetrieveReply> decode_retrieve_reply(std::string_view text) {
  auto parsed = base::read_json_object(text, kReplyLimits);
  if (!parsed) return bad("the retrieve reply is not JSON within its limits: " + parsed.error().message());
  const json& j = *parsed;
  auto msgs = j.find("messages");
  if (msgs == j.end() || !msgs->is_array()) return bad("the retrieve reply has no \"messages\" array");
  RetrieveReply out;
  auto more = j.find("more");
  out.more = more != j.end() && more->is_boolean() && more->get<bool>();
  if (auto t = j.find("t"); t != j.end() && t->is_number_unsigned() && t->get<std::uint64_t>() < (std::uint64_t{1} << 53))
    out.t = t->get<std::int64_t>();
  for (const auto& item : *msgs) {
    if (!item.is_object()) continue;
    auto h = item.find("hash");
    if (h == item.end() || !h->is_string()) continue;
    auto hash = parse_hash(h->get_ref<const std::string&>());
    if (!hash) continue;  // not a message hash: never a last_hash
    RetrievedItem it;
    it.hash = *hash;
    if (auto e = item.find("expiration"); e != item.end() && e->is_number_integer()) it.expiration = e->get<std::int64_t>();
    if (auto ts = item.find("timestamp"); ts != item.end() && ts->is_number_integer()) it.timestamp = ts->get<std::int64_t>();
    if (auto d = item.find("data"); d != item.end() && d->is_string())
      if (auto bytes = base::from_base64(d->get_ref<const std::string&>())) it.data = std::move(*bytes);
    out.items.push_back(std::move(it));
  }
  return out;
}

// --- get_swarm, 421 ---

std::string encode(const SwarmMembers& s, std::optional<std::int64_t> t) {
  json nodes = json::array();
  for (const auto& n : s.nodes)
    nodes.push_back({{"ip", n.ip}, {"port_https", n.port_https}, {"port", std::to_string(n.port_https)},
                     {"pubkey_ed25519", n.ed25519.hex()}, {"pubkey_x25519", n.x25519.hex()}});
  char id[17];
  std::snprintf(id, sizeof id, "%llx", static_cast<unsigned long long>(s.id));
  json j{{"snodes", std::move(nodes)}, {"swarm", id}};
  if (t) {
    j["t"] = *t;
    j["hf"] = {kHardforkMajor, kHardforkMinor};
  }
  return j.dump();
}

Result<SwarmMembers> decode_swarm_members(std::string_view text) {
  auto parsed = base::read_json_object(text, {1 << 20, 4, 1 << 14});
  if (!parsed) return bad("the swarm reply is not JSON within its limits: " + parsed.error().message());
  const json& j = *parsed;
  auto nodes = j.find("snodes");
  if (nodes == j.end() || !nodes->is_array()) return bad("the swarm reply has no \"snodes\" array");
  SwarmMembers out;
  if (auto id = j.find("swarm"); id != j.end() && id->is_string()) {
    const auto& hex = id->get_ref<const std::string&>();
    if (!hex.empty() && hex.size() <= 16 && hex.find_first_not_of("0123456789abcdef") == std::string::npos) out.id = std::stoull(hex, nullptr, 16);
  }
  for (const auto& n : *nodes) {
    if (!n.is_object()) continue;
    auto ip = n.find("ip"), port = n.find("port_https"), ed = n.find("pubkey_ed25519"), x = n.find("pubkey_x25519");
    if (ip == n.end() || !ip->is_string() || ip->get_ref<const std::string&>().size() > 64 || port == n.end() ||
        !port->is_number_unsigned() || port->get<std::uint64_t>() < 1 || port->get<std::uint64_t>() > 65535 || ed == n.end() ||
        !ed->is_string() || x == n.end() || !x->is_string())
      continue;
    auto edk = crypto::Ed25519Public::from_hex(ed->get_ref<const std::string&>());
    auto xk = crypto::X25519Public::from_hex(x->get_ref<const std::string&>());
    if (!edk || !xk) continue;
    out.nodes.push_back({*edk, *xk, ip->get<std::string>(), static_cast<std::uint16_t>(port->get<std::uint64_t>())});
  }
  return out;
}

// --- info, any reply ---

std::string encode_info(std::int64_t now_ms) {
  return json{{"version", {kVersion[0], kVersion[1], kVersion[2]}},
              {"timestamp", now_ms},
              {"t", now_ms},
              {"hf", {kHardforkMajor, kHardforkMinor}}}
      .dump();
}

std::optional<std::int64_t> reply_time(std::string_view text) {
  auto top = JsonTop::parse(text);
  if (!top) return std::nullopt;
  const JsonValue* t = top->find("t");
  if (!t || !t->unsigned_value || *t->unsigned_value >= (std::uint64_t{1} << 53)) return std::nullopt;
  return static_cast<std::int64_t>(*t->unsigned_value);
}

Verdict verdict_of(int status) {
  if (status == 200) return Verdict::Ok;
  if (status == 421) return Verdict::WrongSwarm;
  if (status == 406) return Verdict::ClockOff;
  if (status == 429 || status == 503) return Verdict::Busy;
  if (status >= 500) return Verdict::Failed;
  return Verdict::Refused;
}

}  // namespace sotto::proto::rpc
