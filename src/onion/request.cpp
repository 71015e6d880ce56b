#include "onion/request.hpp"

#include <nlohmann/json.hpp>

#include "base/json_top.hpp"
#include "onion/layer.hpp"

namespace sotto::onion {

using nlohmann::json;

namespace {

struct Ephemeral {
  crypto::X25519Secret sk;
  crypto::X25519Public pk;
};

Ephemeral fresh_ephemeral(base::Rng& rng) {
  ByteArray<32> raw;
  rng.fill(raw);
  Ephemeral e{crypto::X25519Secret(std::span<const std::uint8_t, 32>(raw.data(), 32)), {}};
  base::secure_wipe(raw.data(), raw.size());
  e.pk = crypto::x25519_public_of(e.sk);
  return e;
}

}  // namespace

Result<BuiltRequest> build_request(std::span<const HopNode> hops, const HopNode& destination, std::string_view payload,
                                   EncType enc, base::Rng& rng, std::string_view control_json) {
  BuiltRequest out;
  out.enc = enc;
  out.layer_keys.reserve(hops.size() + 1);
  // Innermost first: the destination's layer, then each hop's from the last to the guard.
  // `inner` is the ciphertext the next layer out carries; `inner_eph` its ephemeral key.
  Bytes plain = join_layer(as_bytes(payload), control_json);
  std::vector<HopKey> keys_rev;  // destination first
  Bytes inner;
  crypto::X25519Public inner_eph;
  const HopNode* target = &destination;
  for (std::size_t step = 0; step <= hops.size(); ++step) {
    Ephemeral e = fresh_ephemeral(rng);
    auto key = client_hop_key(enc, e.sk, e.pk, target->x25519);
    if (!key) return std::move(key).error();
    auto ct = hop_encrypt(enc, *key, plain, rng);
    base::secure_wipe(plain.data(), plain.size());
    if (!ct) return std::move(ct).error();
    keys_rev.push_back(std::move(*key));
    inner = std::move(*ct);
    inner_eph = e.pk;
    if (step == hops.size()) break;
    // The next layer out is read by the hop before `target`: it names `target`.
    json j{{"destination", target->ed25519.hex()}, {"ephemeral_key", inner_eph.hex()}, {"enc_type", enc_type_name(enc)}};
    plain = join_layer(inner, j.dump());
    target = &hops[hops.size() - 1 - step];
  }
  json guard{{"ephemeral_key", inner_eph.hex()}, {"enc_type", enc_type_name(enc)}};
  out.guard_body = join_layer(inner, guard.dump());
  for (auto it = keys_rev.rbegin(); it != keys_rev.rend(); ++it) out.layer_keys.push_back(std::move(*it));
  return out;
}

Result<OnionReply> open_reply(const BuiltRequest& request, std::string_view http_body, bool base64) {
  Bytes raw;
  if (base64) {
    auto b = base::from_base64(http_body);
    if (!b) return Error(Errc::DecryptFailed, "the reply is not base64");
    raw = std::move(*b);
  } else {
    raw = Bytes(as_bytes(http_body).begin(), as_bytes(http_body).end());
  }
  // The destination's key first: that is the normal case.
  for (std::size_t n = 0; n < request.layer_keys.size(); ++n) {
    std::size_t i = request.layer_keys.size() - 1 - n;
    auto pt = hop_decrypt(request.enc, request.layer_keys[i], raw);
    if (!pt) continue;
    // Read without a document: the body is handed on as the destination wrote it, never
    // copied into a tree and written out again (JsonTop checks any nesting without
    // recursion; the caller reads the body with its own limits).
    auto j = base::JsonTop::parse(as_chars(*pt));
    if (!j) return Error(Errc::BadJson, "the decrypted reply is not a JSON object");
    const base::JsonValue* st = j->find("status");
    const base::JsonValue* body = j->find("body");
    bool body_ok = body && (body->is_string() || body->kind == base::JsonValue::Kind::Object || body->kind == base::JsonValue::Kind::Array);
    if (!st || !st->unsigned_value || *st->unsigned_value > 999 || !body_ok)
      return Error(Errc::BadJson, "the decrypted reply is not {\"status\": 0-999, \"body\": string or JSON}");
    OnionReply r;
    r.status = static_cast<int>(*st->unsigned_value);
    r.body_is_json = !body->is_string();
    r.body = body->is_string() ? std::string(body->str()) : std::string(body->raw);
    r.layer = i;
    return r;
  }
  return Error(Errc::DecryptFailed, "the reply does not decrypt with any key of this request");
}

}  // namespace sotto::onion
