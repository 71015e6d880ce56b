#include "client/backup.hpp"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "base/json.hpp"
#include "crypto/aead.hpp"
#include "crypto/hash.hpp"

namespace sotto::client::backup {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::BadPart: return "bad_part";
    case Errc::BadPartHash: return "bad_part_hash";
    case Errc::ChunkDecryptFailed: return "chunk_decrypt_failed";
    case Errc::BadChunk: return "bad_chunk";
    case Errc::ManifestSignature: return "manifest_signature";
    case Errc::ManifestDecryptFailed: return "manifest_decrypt_failed";
    case Errc::BadManifest: return "bad_manifest";
    case Errc::MissingPart: return "missing_part";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.client.backup")

namespace {

using nlohmann::json;

// A chunk of history (up to kMaxChunkPlaintext once inflated) or a manifest.
constexpr base::JsonLimits kChunkJsonLimits{kMaxChunkPlaintext, 8, std::size_t{1} << 22};

constexpr std::string_view kMagic = "SBK1";
constexpr std::uint8_t kTypeManifest = 0x01;
constexpr std::uint8_t kTypePart = 0x02;
constexpr std::string_view kChunkAd = "sotto-backup-v1/chunk";
constexpr std::string_view kManifestAd = "sotto-backup-v1/manifest";
constexpr std::string_view kManifestSig = "sotto-backup-v1/manifest-sig";

// An integer field of a chunk or manifest, within [min, max]. A float, a string or a value out
// of range throws (callers turn that into their error); nlohmann's get<> would convert it.
std::int64_t integer(const json& v, std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) {
  if (!v.is_number_integer()) throw std::invalid_argument("not an integer");
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) throw std::invalid_argument("integer out of range");
  std::int64_t x = v.is_number_unsigned() ? static_cast<std::int64_t>(v.get<std::uint64_t>()) : v.get<std::int64_t>();
  if (x < min || x > max) throw std::invalid_argument("integer out of range");
  return x;
}

// `"v": 1` exactly (not 1.0, not "1").
bool version_one(const json& j) { return j.contains("v") && j["v"].is_number_integer() && j["v"] == 1; }

base::Secret<32> keyed(std::span<const std::uint8_t, 32> key, std::string_view what) {
  Bytes out = crypto::blake2b(32, as_bytes(what), ByteView(key.data(), key.size()));
  base::Secret<32> s(std::span<const std::uint8_t, 32>(out.data(), 32));
  std::fill(out.begin(), out.end(), 0);
  return s;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const char* state_name(DeliveryState s) { return to_string(s); }

std::optional<DeliveryState> state_of(const std::string& s) {
  for (auto st : {DeliveryState::Sending, DeliveryState::Sent, DeliveryState::Failed, DeliveryState::Received})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

}  // namespace

Keys derive_keys(std::span<const std::uint8_t, 32> seed) {
  return Keys{keyed(seed, "sotto-backup-v1/encryption"), keyed(seed, "sotto-backup-v1/chunk-id")};
}

ByteArray<32> chunk_id(const Keys& keys, std::string_view plaintext) {
  Bytes h = crypto::blake2b(32, as_bytes(plaintext), ByteView(keys.id.data(), 32));
  ByteArray<32> out;
  std::copy(h.begin(), h.end(), out.begin());
  return out;
}

std::vector<Chunk> make_chunks(const Keys& keys, const State& state) {
  std::vector<Chunk> out;
  json contacts = json::array(), conversations = json::array();
  std::vector<Contact> cs = state.contacts;
  std::sort(cs.begin(), cs.end(), [](const auto& a, const auto& b) { return a.account < b.account; });
  for (const auto& c : cs) contacts.push_back({{"account", c.account}, {"nickname", c.nickname}, {"blocked", c.blocked}});
  auto convs = state.conversations;
  std::sort(convs.begin(), convs.end(), [](const auto& a, const auto& b) { return a.peer < b.peer; });
  for (const auto& c : convs) conversations.push_back({{"peer", c.peer}, {"updated_ms", c.updated_ms}});
  std::string meta = dump({{"v", 1}, {"kind", "meta"}, {"contacts", contacts}, {"conversations", conversations}});
  out.push_back({"meta", meta, chunk_id(keys, meta)});

  std::map<std::string, std::vector<const StoredMessage*>> by_peer;  // ascending peers
  for (const auto& m : state.messages)
    if (!m.expires_ms) by_peer[m.peer].push_back(&m);
  for (auto& entry : by_peer) {
    const std::string& peer = entry.first;  // (not a structured binding: the lambda below captures it)
    auto& list = entry.second;
    std::stable_sort(list.begin(), list.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
    std::size_t block = 0;
    json ms = json::array();
    std::size_t bytes = 0;
    auto close = [&] {
      std::string text = dump({{"v", 1}, {"kind", "messages"}, {"peer", peer}, {"block", block}, {"messages", ms}});
      out.push_back({"messages", text, chunk_id(keys, text)});
      ++block;
      ms = json::array();
      bytes = 0;
    };
    for (const auto* mp : list) {
      const auto& m = *mp;
      json r{{"dir", m.direction == Direction::Outgoing ? "out" : "in"},
             {"body", m.body},
             {"ts", m.timestamp_ms},
             {"local", m.local_ms},
             {"hash", m.hash},
             {"state", state_name(m.state)},
             {"conf", m.confirmations},
             {"n", m.swarm_size}};
      bytes += dump(r).size();
      ms.push_back(std::move(r));
      if (ms.size() == kBlockMessages || bytes >= kBlockBytes) close();
    }
    if (!ms.empty()) close();
  }
  return out;
}

Result<State> read_chunks(const std::vector<std::string>& plaintexts) {
  State st;
  auto bad = [](const std::string& why) { return Error(Errc::BadChunk, "a backup chunk is not the documented JSON: " + why); };
  bool meta_seen = false;
  for (const auto& text : plaintexts) {
    auto parsed = base::read_json_object(text, kChunkJsonLimits);
    if (!parsed) return bad(parsed.error().message());
    const json& j = *parsed;
    if (!version_one(j) || !j.contains("kind") || !j["kind"].is_string()) return bad("no v/kind");
    try {
      if (j["kind"] == "meta") {
        if (meta_seen) return bad("two meta chunks");
        meta_seen = true;
        for (const auto& c : j.at("contacts"))
          st.contacts.push_back({c.at("account").get<std::string>(), c.at("nickname").get<std::string>(), c.at("blocked").get<bool>()});
        for (const auto& c : j.at("conversations")) st.conversations.push_back({c.at("peer").get<std::string>(), integer(c.at("updated_ms"))});
      } else if (j["kind"] == "messages") {
        std::string peer = j.at("peer").get<std::string>();
        for (const auto& r : j.at("messages")) {
          StoredMessage m;
          m.peer = peer;
          std::string dir = r.at("dir").get<std::string>();
          if (dir != "in" && dir != "out") return bad("dir");
          m.direction = dir == "out" ? Direction::Outgoing : Direction::Incoming;
          m.body = r.at("body").get<std::string>();
          m.timestamp_ms = integer(r.at("ts"));
          m.local_ms = integer(r.at("local"));
          m.hash = r.at("hash").get<std::string>();
          auto s = state_of(r.at("state").get<std::string>());
          if (!s) return bad("state");
          m.state = *s;
          m.confirmations = static_cast<int>(integer(r.at("conf"), 0, 1000));
          m.swarm_size = static_cast<int>(integer(r.at("n"), 0, 1000));
          if (r.contains("exp")) m.expires_ms = integer(r.at("exp"));
          if (m.hash.empty()) return bad("hash");
          st.messages.push_back(std::move(m));
        }
      } else {
        return bad("kind");
      }
    } catch (const std::exception& e) {  // json's type errors and integer()'s range errors
      return bad(e.what());
    }
  }
  if (!meta_seen) return bad("no meta chunk");
  return st;
}

Bytes compress(std::string_view text) {
  uLongf cap = compressBound(static_cast<uLong>(text.size()));
  Bytes out(cap);
  int rc = compress2(out.data(), &cap, reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size()), 6);
  if (rc != Z_OK) std::abort();  // only Z_MEM_ERROR (out of memory) or a bound that is wrong: never data-dependent
  out.resize(cap);
  return out;
}

Result<std::string> inflate(ByteView z, std::size_t max) {
  z_stream s{};
  if (inflateInit(&s) != Z_OK) return Error(Errc::BadChunk, "zlib could not start");
  std::string out;
  s.next_in = const_cast<Bytef*>(z.data());  // zlib's API is not const-correct; it does not write
  s.avail_in = static_cast<uInt>(z.size());
  int rc = Z_OK;
  char buf[16384];
  while (rc != Z_STREAM_END) {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof buf;
    rc = ::inflate(&s, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - s.avail_out);
    if (out.size() > max) {
      inflateEnd(&s);
      return Error(Errc::BadChunk, "a backup chunk inflates beyond " + std::to_string(max) + " bytes");
    }
    if (rc == Z_OK && s.avail_in == 0 && s.avail_out != 0) break;  // truncated: no more input, not at the end
  }
  bool ok = rc == Z_STREAM_END && s.avail_in == 0;
  inflateEnd(&s);
  if (!ok) return Error(Errc::BadChunk, "a backup chunk is not a complete zlib stream");
  return out;
}

Bytes seal_chunk(const Keys& keys, const ByteArray<32>& id, ByteView z, base::Rng& rng) {
  ByteArray<24> nonce;
  rng.fill(nonce);
  Bytes ad(kChunkAd.begin(), kChunkAd.end());
  ad.insert(ad.end(), id.begin(), id.end());
  Bytes ct = crypto::xchacha20_encrypt(keys.enc.span(), nonce, z, ad);
  Bytes out(nonce.begin(), nonce.end());
  out.insert(out.end(), ct.begin(), ct.end());
  return out;
}

Result<Bytes> open_chunk(const Keys& keys, const ByteArray<32>& id, ByteView c) {
  if (c.size() < 24 + crypto::kXChaChaTagBytes) return Error(Errc::ChunkDecryptFailed, "a backup chunk is too short");
  Bytes ad(kChunkAd.begin(), kChunkAd.end());
  ad.insert(ad.end(), id.begin(), id.end());
  auto z = crypto::xchacha20_decrypt(keys.enc.span(), std::span<const std::uint8_t, 24>(c.data(), 24), c.subspan(24), ad);
  if (!z) return Error(Errc::ChunkDecryptFailed, "a backup chunk does not decrypt (altered, or not this account's)");
  return std::move(*z);
}

std::vector<Bytes> split_parts(const ByteArray<32>& id, ByteView c) {
  std::size_t count = std::max<std::size_t>(1, (c.size() + kPartBytes - 1) / kPartBytes);
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < count; ++i) {
    Bytes p(kMagic.begin(), kMagic.end());
    p.push_back(kTypePart);
    p.insert(p.end(), id.begin(), id.end());
    p.push_back(static_cast<std::uint8_t>(i >> 8));
    p.push_back(static_cast<std::uint8_t>(i & 0xff));
    p.push_back(static_cast<std::uint8_t>(count >> 8));
    p.push_back(static_cast<std::uint8_t>(count & 0xff));
    auto piece = c.subspan(i * kPartBytes, std::min(kPartBytes, c.size() - i * kPartBytes));
    p.insert(p.end(), piece.begin(), piece.end());
    out.push_back(std::move(p));
  }
  return out;
}

Result<Part> parse_part(ByteView stored) {
  if (stored.size() < kPartHeaderBytes || !std::equal(kMagic.begin(), kMagic.end(), stored.begin()) || stored[4] != kTypePart)
    return Error(Errc::BadPart, "not a backup part");
  Part p;
  std::copy(stored.begin() + 5, stored.begin() + 37, p.id.begin());
  p.index = static_cast<std::uint16_t>(stored[37] << 8 | stored[38]);
  p.count = static_cast<std::uint16_t>(stored[39] << 8 | stored[40]);
  p.bytes = stored.subspan(kPartHeaderBytes);
  if (p.count == 0 || p.index >= p.count || p.bytes.size() > kPartBytes) return Error(Errc::BadPart, "a backup part's framing is wrong");
  return p;
}

bool is_manifest(ByteView stored) {
  return stored.size() > 5 && std::equal(kMagic.begin(), kMagic.end(), stored.begin()) && stored[4] == kTypeManifest;
}

Bytes seal_manifest(const Keys& keys, const crypto::Keypair& account, std::string_view manifest, base::Rng& rng) {
  ByteArray<24> nonce;
  rng.fill(nonce);
  Bytes body(kMagic.begin(), kMagic.end());
  body.push_back(kTypeManifest);
  body.insert(body.end(), nonce.begin(), nonce.end());
  Bytes ct = crypto::xchacha20_encrypt(keys.enc.span(), nonce, as_bytes(manifest), as_bytes(kManifestAd));
  body.insert(body.end(), ct.begin(), ct.end());
  Bytes signed_text(kManifestSig.begin(), kManifestSig.end());
  signed_text.insert(signed_text.end(), body.begin(), body.end());
  auto sig = crypto::sign(account.ed25519_secret(), signed_text);
  body.insert(body.end(), sig.begin(), sig.end());
  return body;
}

Result<std::string> open_manifest(const Keys& keys, const crypto::Ed25519Public& account, ByteView stored) {
  constexpr std::size_t kMin = 5 + 24 + crypto::kXChaChaTagBytes + 64;
  if (!is_manifest(stored) || stored.size() < kMin) return Error(Errc::BadManifest, "not a backup manifest");
  ByteView body = stored.first(stored.size() - 64);
  crypto::Signature sig;
  std::copy(stored.end() - 64, stored.end(), sig.begin());
  Bytes signed_text(kManifestSig.begin(), kManifestSig.end());
  signed_text.insert(signed_text.end(), body.begin(), body.end());
  if (!crypto::verify(sig, signed_text, account))
    return Error(Errc::ManifestSignature, "a backup manifest's signature does not verify under this account's key");
  auto m = crypto::xchacha20_decrypt(keys.enc.span(), std::span<const std::uint8_t, 24>(body.data() + 5, 24), body.subspan(29), as_bytes(kManifestAd));
  if (!m) return Error(Errc::ManifestDecryptFailed, "a backup manifest does not decrypt with this account's backup key");
  return std::string(m->begin(), m->end());
}

std::string manifest_json(const Manifest& m) {
  json chunks = json::array();
  for (const auto& c : m.chunks)
    chunks.push_back({{"id", c.id_hex}, {"kind", c.kind}, {"size", c.size}, {"parts", c.parts}, {"stored_ms", c.stored_ms}});
  return dump({{"v", 1},
               {"account", m.account},
               {"seq", m.seq},
               {"created_ms", m.created_ms},
               {"counts", {{"contacts", m.contacts}, {"conversations", m.conversations}, {"messages", m.messages}}},
               {"chunks", chunks}});
}

Result<Manifest> parse_manifest(std::string_view text) {
  auto parsed = base::read_json_object(text, kChunkJsonLimits);
  if (!parsed || !version_one(*parsed)) return Error(Errc::BadManifest, "a backup manifest is not the documented JSON");
  const json& j = *parsed;
  try {
    Manifest m;
    m.account = j.at("account").get<std::string>();
    m.seq = integer(j.at("seq"), 0, INT64_MAX - 1);  // the next backup's seq is seq + 1
    m.created_ms = integer(j.at("created_ms"), 0);
    m.contacts = integer(j.at("counts").at("contacts"), 0);
    m.conversations = integer(j.at("counts").at("conversations"), 0);
    m.messages = integer(j.at("counts").at("messages"), 0);
    for (const auto& c : j.at("chunks")) {
      ManifestChunk mc;
      mc.id_hex = c.at("id").get<std::string>();
      mc.kind = c.at("kind").get<std::string>();
      std::int64_t size = integer(c.at("size"));
      if (size < 0 || size > static_cast<std::int64_t>(kPartBytes) * 65'535) throw std::invalid_argument("size");
      mc.size = static_cast<std::size_t>(size);
      mc.parts = c.at("parts").get<std::vector<std::string>>();
      mc.stored_ms = c.contains("stored_ms") ? integer(c.at("stored_ms"), 0) : 0;
      if (mc.id_hex.size() != 64 || !base::from_hex(mc.id_hex) || mc.parts.empty() || mc.parts.size() > 65'535 ||
          (mc.kind != "meta" && mc.kind != "messages"))
        return Error(Errc::BadManifest, "a backup manifest lists a malformed chunk");
      m.chunks.push_back(std::move(mc));
    }
    return m;
  } catch (const std::exception& e) {
    return Error(Errc::BadManifest, std::string("a backup manifest is not the documented JSON: ") + e.what());
  }
}

}  // namespace sotto::client::backup
