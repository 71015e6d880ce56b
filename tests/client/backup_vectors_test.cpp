// tests/vectors/backup.json: made by tools/vectors/backup.mjs (libsodium.js and Node's
// zlib) from docs/wire/backup.md alone, not from sotto's code.

#include <gtest/gtest.h>

#include <cstring>

#include "client/backup.hpp"
#include "crypto/account_id.hpp"
#include "crypto/hash.hpp"
#include "crypto/mnemonic.hpp"
#include "proto/message_hash.hpp"
#include "support/vectors.hpp"

namespace sotto::client::backup {
namespace {

using nlohmann::json;

Bytes hex(const json& j) { return *base::from_hex(j.get<std::string>()); }

template <std::size_t N>
ByteArray<N> hex_n(const json& j) {
  Bytes b = hex(j);
  ByteArray<N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

Keys keys_from(const json& k_enc, const json& k_id) {
  return Keys{base::Secret<32>(std::span<const std::uint8_t, 32>(hex_n<32>(k_enc))), base::Secret<32>(std::span<const std::uint8_t, 32>(hex_n<32>(k_id)))};
}

// Hands out the given bytes (the vectors' nonces) instead of random ones.
struct ScriptedRng : base::Rng {
  Bytes bytes;
  void fill(std::span<std::uint8_t> out) override {
    ASSERT_LE(out.size(), bytes.size());
    std::memcpy(out.data(), bytes.data(), out.size());
    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(out.size()));
  }
};

const json& vectors() {
  static const json v = test::load_vectors("backup.json");
  return v;
}

TEST(BackupVectors, KeysComeFromTheSeedWithTheirOwnDomains) {
  for (const auto& c : vectors()["keys"]) {
    auto seed16 = base::Secret<16>(std::span<const std::uint8_t, 16>(hex_n<16>(c["seed16_hex"])));
    auto seed = crypto::session_seed(seed16);
    EXPECT_EQ(base::to_hex(seed.span()), c["ed25519_seed32_hex"]);
    auto kp = crypto::Keypair::from_seed(seed);
    EXPECT_EQ(kp.ed25519_public().hex(), c["ed25519_public_hex"]);
    EXPECT_EQ(crypto::account_id_of(kp).hex(), c["account_id"]);
    Keys k = derive_keys(kp.seed());
    EXPECT_EQ(base::to_hex(k.enc.span()), c["k_enc_hex"]);
    EXPECT_EQ(base::to_hex(k.id.span()), c["k_id_hex"]);
  }
}

TEST(BackupVectors, ChunkIdsAndTheSerializer) {
  int compared = 0;
  for (const auto& c : vectors()["chunk_ids"]) {
    Keys k = keys_from(json(std::string(64, '0')), c["k_id_hex"]);
    std::string plaintext = c["plaintext"];
    EXPECT_EQ(base::to_hex(chunk_id(k, plaintext)), c["id_hex"]) << c["what"];
    // sotto's serializer writes the very same bytes for the same content.
    const json& obj = c["chunk_object"];
    if (obj["kind"] == "messages" && obj["messages"].empty()) continue;  // sotto makes no block without messages
    bool disappearing = false;
    for (const auto& r : obj.value("messages", json::array())) disappearing = disappearing || r.contains("exp");
    if (disappearing) continue;  // sotto leaves disappearing messages out of its backups
    State st;
    if (obj["kind"] == "meta") {
      for (const auto& ct : obj["contacts"]) st.contacts.push_back({ct["account"], ct["nickname"], ct["blocked"]});
      for (const auto& v : obj["conversations"]) st.conversations.push_back({v["peer"], v["updated_ms"]});
    } else {
      std::int64_t id = 0;
      for (const auto& r : obj["messages"]) {
        StoredMessage m;
        m.id = ++id;
        m.peer = obj["peer"];
        m.direction = r["dir"] == "out" ? Direction::Outgoing : Direction::Incoming;
        m.body = r["body"];
        m.timestamp_ms = r["ts"];
        m.local_ms = r["local"];
        m.hash = r["hash"];
        std::string state = r["state"];
        m.state = state == "sent" ? DeliveryState::Sent : state == "failed" ? DeliveryState::Failed : state == "sending" ? DeliveryState::Sending : DeliveryState::Received;
        m.confirmations = r["conf"];
        m.swarm_size = r["n"];
        if (r.contains("exp")) m.expires_ms = r["exp"].get<std::int64_t>();
        st.messages.push_back(std::move(m));
      }
    }
    auto made = make_chunks(k, st);
    const Chunk& mine = obj["kind"] == "meta" ? made[0] : made.at(1);
    EXPECT_EQ(mine.plaintext, plaintext) << c["what"];
    ++compared;
  }
  EXPECT_EQ(compared, 1);  // the meta chunk (the vectors' messages chunk holds a disappearing message)
}

TEST(BackupVectors, ChunksOpenInflateAndFrame) {
  for (const auto& c : vectors()["chunks"]) {
    Keys k = keys_from(c["k_enc_hex"], c["k_id_hex"]);
    auto id = hex_n<32>(c["id_hex"]);
    Bytes cbytes = hex(c["c_hex"]);
    auto z = open_chunk(k, id, cbytes);
    ASSERT_TRUE(z) << c["what"];
    EXPECT_EQ(*z, hex(c["z_hex"]));
    EXPECT_EQ(*inflate(*z), c["plaintext"].get<std::string>());
    EXPECT_EQ(base::to_hex(chunk_id(k, c["plaintext"].get<std::string>())), c["id_hex"]);
    // Sealing the same z with the vector's nonce gives the same C.
    ScriptedRng rng;
    rng.bytes = hex(c["nonce_hex"]);
    EXPECT_EQ(seal_chunk(k, id, *z, rng), cbytes);
    auto parts = split_parts(id, cbytes);
    ASSERT_EQ(parts.size(), c["parts"].size());
    auto pk = hex_n<33>(c["account_pubkey_hex"]);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      EXPECT_EQ(base::to_hex(parts[i]), c["parts"][i]["part_hex"]);
      EXPECT_EQ(proto::message_hash(pk, static_cast<proto::Namespace>(c["namespace"].get<int>()), parts[i]), c["parts"][i]["storage_hash"]);
    }
  }
}

TEST(BackupVectors, A150000ByteChunkInThreeParts) {
  const auto& v = vectors()["parts"][0];
  Bytes c(v["c_length"].get<std::size_t>());
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<std::uint8_t>(i * 7 % 256);
  EXPECT_EQ(base::to_hex(crypto::blake2b_256(c)), v["c_blake2b256_hex"]);
  auto parts = split_parts(hex_n<32>(v["id_hex"]), c);
  ASSERT_EQ(parts.size(), v["parts"].size());
  auto pk = hex_n<33>(v["account_pubkey_hex"]);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& e = v["parts"][i];
    const Bytes& p = parts[i];
    EXPECT_EQ(base::to_hex(ByteView(p).first(kPartHeaderBytes)), e["header_hex"]);
    EXPECT_EQ(base::to_hex(ByteView(p).first(16)), e["first16_hex"]);  // of the stored part, header included
    EXPECT_EQ(base::to_hex(ByteView(p).last(16)), e["last16_hex"]);
    EXPECT_EQ(p.size(), e["length"].get<std::size_t>());
    EXPECT_EQ(base::to_hex(ByteView(p).subspan(kPartHeaderBytes, 16)),
              base::to_hex(ByteView(c).subspan(e["c_offset"].get<std::size_t>(), 16)));  // the part's piece of C
    EXPECT_EQ(base::to_hex(crypto::blake2b_256(p)), e["blake2b256_hex"]);
    EXPECT_EQ(proto::message_hash(pk, static_cast<proto::Namespace>(v["namespace"].get<int>()), p), e["storage_hash"]);
    auto parsed = parse_part(p);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->index, e["index"].get<int>());
    EXPECT_EQ(parsed->count, e["count"].get<int>());
  }
}

TEST(BackupVectors, ManifestsAreSealedAndSignedAsSpecified) {
  for (const auto& m : vectors()["manifests"]) {
    auto seed16 = base::Secret<16>(std::span<const std::uint8_t, 16>(hex_n<16>(m["seed16_hex"])));
    auto kp = crypto::Keypair::from_seed(crypto::session_seed(seed16));
    Keys k = derive_keys(kp.seed());
    EXPECT_EQ(base::to_hex(k.enc.span()), m["k_enc_hex"]);
    Bytes stored = hex(m["stored_hex"]);
    auto text = open_manifest(k, kp.ed25519_public(), stored);
    ASSERT_TRUE(text) << text.error().message();
    EXPECT_EQ(*text, m["manifest_json"].get<std::string>());
    EXPECT_TRUE(parse_manifest(*text));
    ScriptedRng rng;
    rng.bytes = hex(m["nonce_hex"]);
    EXPECT_EQ(seal_manifest(k, kp, m["manifest_json"].get<std::string>(), rng), stored);
    auto pk = hex_n<33>(m["account_pubkey_hex"]);
    EXPECT_EQ(proto::message_hash(pk, 31, stored), m["storage_hash"]);
  }
}

TEST(BackupVectors, EveryMustFailCaseFails) {
  for (const auto& c : vectors()["must_fail"]) {
    std::string op = c["op"], expected = c["expected"];
    if (op == "chunk_open") {
      Keys k = keys_from(c["k_enc_hex"], c["k_id_hex"]);
      auto id = hex_n<32>(c["id_hex"]);
      auto z = open_chunk(k, id, hex(c["c_hex"]));
      bool refused = !z;
      if (z) {  // decrypts: must then fail to inflate or to match its fingerprint
        auto p = inflate(*z);
        refused = !p || chunk_id(k, *p) != id;
      } else {
        EXPECT_TRUE(z.error().is(Errc::ChunkDecryptFailed)) << c["what"];
      }
      EXPECT_TRUE(refused) << c["what"];
    } else if (op == "part_check") {
      auto pk = hex_n<33>(c["account_pubkey_hex"]);
      std::string actual = proto::message_hash(pk, static_cast<proto::Namespace>(c["namespace"].get<int>()), hex(c["part_hex"]));
      EXPECT_EQ(actual, c["actual_storage_hash"]) << c["what"];
      EXPECT_NE(actual, c["listed_storage_hash"]) << c["what"];
    } else if (op == "manifest_open") {
      Keys k = keys_from(c["k_enc_hex"], json(std::string(64, '0')));
      auto pk = crypto::Ed25519Public::from_hex(c["ed25519_public_hex"].get<std::string>());
      auto r = open_manifest(k, *pk, hex(c["stored_hex"]));
      ASSERT_FALSE(r) << c["what"];
      EXPECT_EQ(r.error().token(), expected) << c["what"];
    } else {
      ADD_FAILURE() << "unknown op " << op;
    }
  }
}

}  // namespace
}  // namespace sotto::client::backup
