#include "onion/peel.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/errc.hpp"
#include "base/json.hpp"
#include "onion/layer.hpp"

namespace sotto::onion {

using nlohmann::json;

namespace detail {

IdSet::IdSet(std::uint64_t multiplier) : mul_(multiplier | 1), slots_(std::size_t{1} << bits_, 0) {}

std::size_t IdSet::probe(std::uint64_t id) const {
  std::size_t mask = slots_.size() - 1;
  std::size_t i = slot_of(id);
  while (slots_[i] != id && slots_[i] != 0) i = (i + 1) & mask;
  return i;
}

bool IdSet::contains(std::uint64_t id) const { return slots_[probe(id)] == id; }

bool IdSet::insert(std::uint64_t id) {
  if (2 * (size_ + 1) > slots_.size()) grow();
  std::size_t i = probe(id);
  if (slots_[i] == id) return false;
  slots_[i] = id;
  ++size_;
  return true;
}

void IdSet::grow() {
  std::vector<std::uint64_t> old(std::size_t{1} << (bits_ + 1), 0);
  old.swap(slots_);
  ++bits_;
  for (std::uint64_t id : old)
    if (id != 0) slots_[probe(id)] = id;
}

void IdSet::clear() {
  std::fill(slots_.begin(), slots_.end(), 0);
  size_ = 0;
}

void IdSet::swap(IdSet& o) noexcept {
  std::swap(mul_, o.mul_);
  std::swap(bits_, o.bits_);
  slots_.swap(o.slots_);
  std::swap(size_, o.size_);
}

}  // namespace detail

namespace {
std::uint64_t random_odd() {
  std::uint8_t b[8];
  base::SystemRng().fill(b);  // only keys the hash, never a secret
  return base::load_le<std::uint64_t>(b) | 1;
}
}  // namespace

ReplayGuard::ReplayGuard(std::int64_t window_ms, std::size_t max_per_generation)
    : window_ms_(window_ms), max_(max_per_generation), current_(random_odd()), previous_(random_odd()) {}

bool ReplayGuard::first_use(const crypto::X25519Public& key, std::int64_t now_ms) {
  std::uint64_t id = base::load_le<std::uint64_t>(key.bytes.data());
  if (id == 0) id = 1;  // 0 marks an empty slot; a key that starts with 8 zero bytes shares 1's entry
  std::lock_guard lock(mu_);
  if (started_ms_ < 0) started_ms_ = now_ms;
  if (now_ms - started_ms_ >= window_ms_ || current_.size() >= max_) {
    previous_.swap(current_);
    current_.clear();
    started_ms_ = now_ms;
  }
  if (previous_.contains(id)) return false;
  return current_.insert(id);
}

namespace {

// The reply a destination seals is the node's own storage RPC answer; bounded all the same.
constexpr base::JsonLimits kReplyJsonLimits{16 << 20, 16, std::size_t{1} << 20};  // a retrieve of 7.8 MB in base64

// A JSON string as nlohmann's dump() writes it (UTF-8 kept, invalid UTF-8 replaced):
// printable ASCII without quotes or backslashes, the usual case, is copied as it is.
void append_json_string(std::string& out, std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; });
  if (plain) {
    out += '"';
    out += s;
    out += '"';
  } else {
    out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

}  // namespace

std::string seal_reply(EncType enc, const HopKey& key, int status, std::string_view body, bool json_body, bool base64,
                       base::Rng& rng) {
  // {"body":…,"status":N}: nlohmann's order (its objects sort their keys), kept byte for
  // byte from when this was a json object.
  std::string text = "{\"body\":";
  auto parsed = json_body ? base::read_json(body, kReplyJsonLimits) : Result<json>(Error(base::Errc::BadJson));
  if (parsed) text += parsed->dump(-1, ' ', false, json::error_handler_t::replace);
  else append_json_string(text, body);
  text += ",\"status\":" + std::to_string(status) + "}";
  auto ct = hop_encrypt(enc, key, as_bytes(text), rng);
  // The key was made with this enc_type on this machine: only aes-gcm without AES-NI can
  // fail, and peel() never delivers such a layer (it could not have decrypted it).
  if (!ct) return {};
  if (!base64) return std::string(as_chars(*ct));
  return base::to_base64(*ct);
}

namespace {

Answer plain(int status, std::string text, std::string result) {
  return Answer{status, std::move(text), "text/plain; charset=utf-8", std::move(result)};
}

}  // namespace

Answer seal_refusal(EncType enc, const HopKey& key, int status, std::string text, std::string result, base::Rng& rng) {
  return Answer{200, seal_reply(enc, key, status, text, false, true, rng), "text/plain; charset=utf-8", std::move(result)};
}

Step peel(const NodeKeys& node, ByteView request_body, ReplayGuard& replays, std::int64_t now_ms, base::Rng& rng) {
  if (request_body.size() > kMaxRequestBytes)
    return plain(413, "Request too large: an onion request may have at most " + std::to_string(kMaxRequestBytes) + " bytes", "too_large");
  auto outer = split_layer(request_body);
  if (!outer) return plain(400, "Invalid request: " + outer.error().message(), "bad_request");
  auto parsed = parse_request_header(outer->json);
  if (!parsed) return plain(400, "Invalid request: " + parsed.error().message(), "bad_request");
  if (parsed->hop_no > kMaxHopNo) return plain(400, "Too many hops", "too_many_hops");
  std::uint64_t hop_no = parsed->hop_no;
  const HopHeader* header = &parsed->hop;

  auto key = node_hop_key(header->enc_type, node.x25519_secret, node.x25519_public, header->ephemeral_key);
  if (!key) return plain(400, "Invalid ciphertext", "decrypt_failed");
  auto pt = hop_decrypt(header->enc_type, *key, outer->blob);
  if (!pt) {
    if (pt.error().is(Errc::Unsupported)) return plain(400, "Invalid request: aes-gcm is not available on this node", "bad_request");
    return plain(400, "Invalid ciphertext", "decrypt_failed");
  }
  // Only a layer that decrypted counts: random keys with garbage cannot fill the memory.
  if (!replays.first_use(header->ephemeral_key, now_ms)) return plain(400, "Replayed layer", "replay");

  EncType enc = header->enc_type;
  auto inner = split_layer(*pt);
  if (!inner) return seal_refusal(enc, *key, 400, "Invalid layer: " + inner.error().message(), "bad_layer", rng);
  auto route = route_of(*inner);
  if (!route) return seal_refusal(enc, *key, 400, "Invalid json: " + route.error().message(), "bad_layer", rng);
  if (auto* d = std::get_if<FinalDestination>(&*route))
    return Deliver{std::string(as_chars(d->payload)), enc, std::move(*key), d->json_body, d->base64};
  if (std::holds_alternative<RelayToServer>(*route))
    return seal_refusal(enc, *key, 403, "This node relays only to other nodes", "server_relay", rng);
  auto& r = std::get<RelayToNode>(*route);
  if (r.next == node.ed25519) return seal_refusal(enc, *key, 400, "Loop: the next hop is this node", "loop", rng);
  // {"enc_type":…,"ephemeral_key":…,"hop_no":N}, written directly (fixed-form values), in
  // the order nlohmann's dump() gave it before.
  std::string next = std::string("{\"enc_type\":\"") + std::string(enc_type_name(r.header.enc_type)) + "\",\"ephemeral_key\":\"" +
                     r.header.ephemeral_key.hex() + "\",\"hop_no\":" + std::to_string(hop_no + 1) + "}";
  return Forward{r.next, join_layer(r.payload, next), enc, std::move(*key)};
}

}  // namespace sotto::onion
