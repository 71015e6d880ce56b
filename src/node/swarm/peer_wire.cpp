#include "node/swarm/peer_wire.hpp"

#include <nlohmann/json.hpp>

#include "base/json.hpp"
#include "base/json_top.hpp"
#include "proto/message_hash.hpp"
#include "proto/storage_rpc.hpp"

namespace sotto::node {

std::string to_token(PeerErrc e) {
  switch (e) {
    case PeerErrc::Malformed: return "malformed";
    case PeerErrc::Unsigned: return "unsigned";
    case PeerErrc::NotMember: return "not_member";
    case PeerErrc::OutOfWindow: return "out_of_window";
    case PeerErrc::BadSignature: return "bad_signature";
    case PeerErrc::Replayed: return "replayed";
    case PeerErrc::BadMessage: return "bad_message";
    case PeerErrc::NoConnection: return "no_connection";
    case PeerErrc::Busy: return "busy";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(PeerErrc, "sotto.node.peer")

namespace {

using nlohmann::json;

// A push or a reply of up to a node's body limit (a push batch is about 4 MiB of data).
constexpr base::JsonLimits kPeerLimits{proto::kMaxRpcBodyBytes, 8, std::size_t{1} << 20};

Error bad(std::string why) { return Error(PeerErrc::Malformed, std::move(why)); }

Result<json> read(std::string_view text) {
  auto j = base::read_json_object(text, kPeerLimits);
  if (!j) return bad(j.error().message());
  return j;
}

Result<storage::AccountKey> account_field(const json& j) {
  auto a = j.find("account");
  if (a == j.end() || !a->is_string()) return bad("needs account (66 hex)");
  auto k = base::from_hex_fixed<33>(a->get_ref<const std::string&>());
  if (!k) return bad("needs account (66 hex)");
  return *k;
}

json message_json(const storage::Message& m) {
  return {{"hash", proto::rpc::hash_text(m.hash)}, {"namespace", m.ns}, {"timestamp", m.timestamp_ms}, {"expiry", m.expiry_ms},
          {"data", base::to_base64(m.data)}};
}

json messages_json(const std::vector<const storage::Message*>& messages) {
  json list = json::array();
  for (const auto* m : messages) list.push_back(message_json(*m));
  return list;
}

// Every element's type and form (a hash that is no hash, data that is no base64, a
// namespace out of range: Malformed, the list refused whole).
Result<std::vector<PeerMessage>> messages_of(const json& list) {
  if (!list.is_array()) return bad("messages must be an array");
  std::vector<PeerMessage> out;
  out.reserve(list.size());
  for (const auto& m : list) {
    auto h = m.find("hash"), ns = m.find("namespace"), ts = m.find("timestamp"), ex = m.find("expiry"), d = m.find("data");
    if (!m.is_object() || h == m.end() || !h->is_string() || ns == m.end() || !ns->is_number_integer() || ts == m.end() ||
        !ts->is_number_integer() || ex == m.end() || !ex->is_number_integer() || d == m.end() || !d->is_string())
      return bad("a message lacks hash, namespace, timestamp, expiry or data");
    auto hash = proto::rpc::parse_hash(h->get_ref<const std::string&>());
    auto data = base::from_base64(d->get_ref<const std::string&>());
    auto n = ns->get<std::int64_t>();
    if (!hash || !data || data->size() > proto::kMaxMessageData || n < -32768 || n > 32767) return bad("bad hash, data or namespace");
    out.push_back({*hash, static_cast<proto::Namespace>(n), ts->get<std::int64_t>(), ex->get<std::int64_t>(), std::move(*data)});
  }
  return out;
}

// "0", "-10", "31": a namespace's canonical decimal, in range.
std::optional<proto::Namespace> canonical_ns(const std::string& s) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.find_first_not_of("0123456789", i) != std::string::npos || (s[i] == '0' && s.size() > i + 1) || s == "-0")
    return std::nullopt;
  long v = std::stol(s);
  if (v < -32768 || v > 32767) return std::nullopt;
  return static_cast<proto::Namespace>(v);
}

}  // namespace

Result<storage::AccountKey> account_of(std::string_view body) {
  auto top = base::JsonTop::parse(body);
  const base::JsonValue* a = top ? top->find("account") : nullptr;
  if (!a || !a->is_string()) return bad("needs account (66 hex)");
  auto k = base::from_hex_fixed<33>(a->str());
  if (!k) return bad("needs account (66 hex)");
  return *k;
}

std::string encode_push(const storage::AccountKey& account, std::optional<std::int64_t> epoch, const std::vector<const storage::Message*>& messages) {
  json j{{"account", base::to_hex(account)}, {"messages", messages_json(messages)}};
  if (epoch) j["epoch"] = *epoch;
  return j.dump();
}

Result<PushBody> decode_push(std::string_view body) {
  auto j = read(body);
  if (!j) return std::move(j).error();
  PushBody p;
  auto account = account_field(*j);
  if (!account) return std::move(account).error();
  p.account = *account;
  if (auto e = j->find("epoch"); e != j->end() && e->is_number_integer()) p.epoch = e->get<std::int64_t>();
  auto m = j->find("messages");
  if (m == j->end()) return bad("needs account (66 hex) and messages");
  auto msgs = messages_of(*m);
  if (!msgs) return std::move(msgs).error();
  p.messages = std::move(*msgs);
  return p;
}

std::string encode_stored(std::size_t stored, const std::vector<Refusal>& refused) {
  json list = json::array();
  for (std::size_t i = 0; i < refused.size() && i < kMaxRefusalsReported; ++i)
    list.push_back({{"hash", proto::rpc::hash_text(refused[i].hash)}, {"why", refused[i].why}});
  return json{{"stored", stored}, {"refused", refused.size()}, {"refusals", std::move(list)}}.dump();
}

Result<Stored> decode_stored(std::string_view reply) {
  auto j = base::read_json_object(reply, {std::size_t{64} << 10, 4, 4096});
  if (!j) return bad("push reply: " + j.error().message());
  auto count = [&](const char* name) -> std::optional<std::size_t> {
    auto it = j->find(name);
    if (it == j->end()) return std::size_t{0};  // a receiver before refusals were counted
    if (!it->is_number_unsigned()) return std::nullopt;
    return it->get<std::size_t>();
  };
  auto stored = count("stored"), refused = count("refused");
  if (!stored || !refused || !j->contains("stored")) return bad("push reply: 'stored' and 'refused' must be counts");
  Stored out{*stored, *refused, {}};
  if (auto list = j->find("refusals"); list != j->end() && list->is_array())
    for (const auto& r : *list) {
      if (out.refusals.size() == kMaxRefusalsReported) break;
      auto h = r.is_object() ? r.find("hash") : r.end();
      auto w = r.is_object() ? r.find("why") : r.end();
      if (h == r.end() || w == r.end() || !h->is_string() || !w->is_string() || w->get_ref<const std::string&>().size() > 200) continue;
      auto hash = proto::rpc::parse_hash(h->get_ref<const std::string&>());
      if (hash) out.refusals.push_back({*hash, w->get<std::string>()});
    }
  return out;
}

std::string encode_summary(const Summary& s) {
  json accounts = json::object();
  for (const auto& [a, by_ns] : s) {
    json d = json::object();
    for (const auto& [ns, digest] : by_ns) d[std::to_string(ns)] = digest;
    accounts[base::to_hex(a)] = std::move(d);
  }
  return json{{"accounts", std::move(accounts)}}.dump();
}

Result<Summary> decode_summary(std::string_view reply) {
  auto j = read(reply);
  if (!j) return std::move(j).error();
  auto accounts = j->find("accounts");
  if (accounts == j->end() || !accounts->is_object()) return bad("a summary without accounts");
  Summary out;
  for (const auto& [a, by_ns] : accounts->items()) {
    auto key = base::from_hex_fixed<33>(a);
    if (!key || base::to_hex(*key) != a || !by_ns.is_object()) continue;
    auto& mine = out[*key];
    for (const auto& [ns_text, digest] : by_ns.items()) {
      auto ns = canonical_ns(ns_text);
      if (ns && digest.is_string() && digest.get_ref<const std::string&>().size() <= 128) mine[*ns] = digest.get<std::string>();
    }
  }
  return out;
}

std::string encode_hashes_request(const HashesRequest& r) { return json{{"account", base::to_hex(r.account)}, {"namespace", r.ns}}.dump(); }

Result<HashesRequest> decode_hashes_request(std::string_view body) {
  auto j = read(body);
  if (!j) return std::move(j).error();
  auto account = account_field(*j);
  if (!account) return std::move(account).error();
  auto ns = j->find("namespace");
  if (ns == j->end() || !ns->is_number_integer() || ns->get<std::int64_t>() < -32768 || ns->get<std::int64_t>() > 32767)
    return bad("hashes: needs namespace (-32768 to 32767)");
  return HashesRequest{*account, static_cast<proto::Namespace>(ns->get<std::int64_t>())};
}

std::string encode_hashes(const std::vector<storage::MessageHash>& hashes) { return json{{"hashes", proto::rpc::hash_texts(hashes)}}.dump(); }

Result<std::vector<storage::MessageHash>> decode_hashes(std::string_view reply) {
  auto j = read(reply);
  if (!j) return std::move(j).error();
  auto list = j->find("hashes");
  if (list == j->end() || !list->is_array()) return bad("a hashes reply without hashes");
  std::vector<storage::MessageHash> out;
  for (const auto& h : *list)
    if (h.is_string())
      if (auto parsed = proto::rpc::parse_hash(h.get_ref<const std::string&>())) out.push_back(*parsed);
  return out;
}

std::string encode_fetch_request(const FetchRequest& r) {
  return json{{"account", base::to_hex(r.account)}, {"hashes", proto::rpc::hash_texts(r.hashes)}}.dump();
}

Result<FetchRequest> decode_fetch_request(std::string_view body) {
  auto j = read(body);
  if (!j) return std::move(j).error();
  auto account = account_field(*j);
  if (!account) return std::move(account).error();
  auto list = j->find("hashes");
  if (list == j->end() || !list->is_array() || list->size() > kFetchMax) return bad("fetch: needs hashes (at most 500)");
  FetchRequest r{*account, {}};
  for (const auto& h : *list)
    if (h.is_string())
      if (auto parsed = proto::rpc::parse_hash(h.get_ref<const std::string&>())) r.hashes.push_back(*parsed);
  return r;
}

std::string encode_messages(const std::vector<const storage::Message*>& messages) { return json{{"messages", messages_json(messages)}}.dump(); }

Result<std::vector<PeerMessage>> decode_messages(std::string_view reply) {
  auto j = read(reply);
  if (!j) return std::move(j).error();
  auto m = j->find("messages");
  if (m == j->end()) return bad("a fetch reply without messages");
  return messages_of(*m);
}

Checked to_store(const storage::AccountKey& account, std::vector<PeerMessage>& messages, std::int64_t now_ms) {
  Checked out;
  out.store.reserve(messages.size());
  for (auto& m : messages) {
    // The hash is recomputed: a peer cannot file a message under another's hash.
    if (proto::message_hash_raw(account, m.ns, m.data) != m.hash) {
      out.refused.push_back({m.hash, "its hash is not the hash of its content"});
      continue;
    }
    if (m.expiry <= now_ms) {  // expired on the way: nothing to keep
      ++out.expired;
      continue;
    }
    if (m.expiry > now_ms + proto::max_ttl_ms(m.ns) + kPeerClockSkewMs) {
      out.refused.push_back({m.hash, "an expiry beyond namespace " + std::to_string(m.ns) + "'s longest TTL"});
      continue;
    }
    if (m.timestamp > now_ms + proto::kStoreToleranceMs + kPeerClockSkewMs) {
      out.refused.push_back({m.hash, "a timestamp in the future"});
      continue;
    }
    out.store.push_back({account, m.ns, m.hash, m.timestamp, m.expiry, m.data, /*keep_newer=*/true});
  }
  return out;
}

}  // namespace sotto::node
