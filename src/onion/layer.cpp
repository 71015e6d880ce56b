#include "onion/layer.hpp"

#include "base/json_top.hpp"

namespace sotto::onion {

Result<Layer> split_layer(ByteView data) {
  if (data.size() < 4) return Error(Errc::BadFraming, "a layer needs a 4-byte length prefix");
  std::uint32_t n = base::load_le<std::uint32_t>(data.data());
  if (n > data.size() - 4)
    return Error(Errc::BadFraming, "the length prefix (" + std::to_string(n) + ") exceeds the " +
                                       std::to_string(data.size() - 4) + " bytes that follow");
  return Layer{data.subspan(4, n), as_chars(data.subspan(4 + n))};
}

Bytes join_layer(ByteView blob, std::string_view j) {
  Bytes out;
  out.reserve(4 + blob.size() + j.size());
  base::append_le(out, static_cast<std::uint32_t>(blob.size()));
  append(out, blob);
  append(out, j);
  return out;
}

namespace {

using base::JsonTop;
using base::JsonValue;

// The layer's JSON, read without a document (base::JsonTop checks it as strictly as
// nlohmann::json does): a node reads one or two of these for every layer it peels.
Result<JsonTop> parse_object(std::string_view text) {
  auto j = JsonTop::parse(text);
  if (!j) return Error(Errc::BadJson, "the layer's JSON is not a JSON object");
  return std::move(*j);
}

Result<std::string_view> string_field(const JsonTop& j, const char* name) {
  const JsonValue* v = j.find(name);
  if (!v) return Error(Errc::MissingField, std::string("the layer has no \"") + name + "\"");
  if (!v->is_string()) return Error(Errc::BadField, std::string("\"") + name + "\" is not a string");
  return v->str();
}

template <class Key>
Result<Key> key_field(const JsonTop& j, const char* name) {
  auto s = string_field(j, name);
  if (!s) return std::move(s).error();
  auto k = Key::from_hex(*s);
  if (!k) return Error(Errc::BadField, std::string("\"") + name + "\" is not a 64-hex key");
  return k;
}

Result<HopHeader> header_of(const JsonTop& j) {
  auto key = key_field<crypto::X25519Public>(j, "ephemeral_key");
  if (!key) return std::move(key).error();
  HopHeader h{*key, EncType::AesGcm, true};
  if (const JsonValue* v = j.find("enc_type")) {
    if (!v->is_string()) return Error(Errc::BadField, "\"enc_type\" is not a string");
    auto e = parse_enc_type(v->str());
    if (!e) return std::move(e).error();
    h.enc_type = *e;
    h.enc_type_defaulted = false;
  }
  return h;
}

bool flag(const JsonTop& j, const char* name, bool fallback) {
  const JsonValue* v = j.find(name);
  return v && v->kind == JsonValue::Kind::Bool ? v->boolean : fallback;
}

}  // namespace

Result<HopHeader> parse_hop_header(std::string_view text) {
  auto j = parse_object(text);
  if (!j) return std::move(j).error();
  return header_of(*j);
}

Result<RequestHeader> parse_request_header(std::string_view text) {
  auto j = parse_object(text);
  if (!j) return std::move(j).error();
  RequestHeader out;
  if (const JsonValue* v = j->find("hop_no")) {
    if (!v->unsigned_value) return Error(Errc::BadField, "\"hop_no\" is not an unsigned integer");
    out.hop_no = *v->unsigned_value;
  }
  auto h = header_of(*j);
  if (!h) return std::move(h).error();
  out.hop = *h;
  return out;
}

Result<Route> route_of(const Layer& layer) {
  auto parsed = parse_object(layer.json);
  if (!parsed) return std::move(parsed).error();
  const JsonTop& j = *parsed;
  if (j.contains("headers")) return Route(FinalDestination{layer.blob, flag(j, "json", false), flag(j, "base64", true)});
  if (j.contains("host")) {
    RelayToServer r;
    auto host = string_field(j, "host");
    if (!host) return std::move(host).error();
    auto target = string_field(j, "target");
    if (!target) return std::move(target).error();
    r.host = std::string(*host);
    r.target = std::string(*target);
    r.target_allowed = relay_target_allowed(r.target);
    if (const JsonValue* v = j.find("port")) {
      if (!v->unsigned_value || *v->unsigned_value == 0 || *v->unsigned_value > 65535) return Error(Errc::BadField, "\"port\" is not a port number");
      r.port = static_cast<std::uint16_t>(*v->unsigned_value);
    }
    if (const JsonValue* v = j.find("protocol")) {
      if (!v->is_string() || (v->str() != "https" && v->str() != "http")) return Error(Errc::BadField, "\"protocol\" is neither http nor https");
      r.protocol = std::string(v->str());
    }
    return Route(std::move(r));
  }
  auto next = key_field<crypto::Ed25519Public>(j, "destination");
  if (!next) return std::move(next).error();
  auto header = header_of(j);
  if (!header) return std::move(header).error();
  return Route(RelayToNode{layer.blob, *next, *header});
}

bool relay_target_allowed(std::string_view t) {
  bool prefix = t.starts_with("/loki/") || t.starts_with("/oxen/");
  return prefix && t.ends_with("/lsrpc") && t.find('?') == std::string_view::npos;
}

}  // namespace sotto::onion
