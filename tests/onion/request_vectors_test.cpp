// onion_request.json, made by an independent Session-format client (the session-oracle):
// whole onion requests peeled hop by hop by sotto's peeler, down to the destination's
// request, and replies sealed by that client opened by sotto's open_reply.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/mac.hpp"
#include "onion/layer.hpp"
#include "onion/peel.hpp"
#include "onion/request.hpp"
#include "support/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::onion {
namespace {

using nlohmann::json;

crypto::Keypair node_keys(const json& node) {
  Bytes seed = test::hex(node["seed"]);
  return crypto::Keypair::from_seed(crypto::Seed(std::span<const std::uint8_t, 32>(seed.data(), 32)));
}

Bytes b64(const json& v) { return *base::from_base64(v.get<std::string>()); }

TEST(OnionVectors, EveryHopPeelsWhatTheIndependentClientBuilt) {
  auto v = test::load_vectors("onion_request.json");
  ASSERT_GE(v["requests"].size(), 4u);
  base::SeededRng rng(1);
  for (const auto& r : v["requests"]) {
    SCOPED_TRACE(r["label"].get<std::string>());
    if (r["enc_type"] == "aes-gcm" && !crypto::aes256gcm_available()) continue;
    const auto& peels = r["peels"];
    ASSERT_EQ(peels.size(), r["path"].size());
    Bytes body = b64(r["guard_blob_base64"]);
    EXPECT_EQ(body, b64(peels[0]["received_blob_base64"]));
    for (std::size_t i = 0; i < peels.size(); ++i) {
      const auto& node = v["nodes"][peels[i]["node"].get<std::size_t>()];
      auto keys = node_keys(node);
      EXPECT_EQ(keys.ed25519_public().hex(), node["ed25519_pk"]);
      EXPECT_EQ(keys.x25519_public().hex(), node["x25519_pk"]);
      ReplayGuard replays;
      Step s = peel({keys.x25519_secret(), keys.x25519_public(), keys.ed25519_public()}, body, replays, 0, rng);
      if (i + 1 < peels.size()) {
        auto* f = std::get_if<Forward>(&s);
        ASSERT_NE(f, nullptr) << i;
        json decrypted = json::parse(peels[i]["decrypted_json_text"].get<std::string>());
        EXPECT_EQ(f->next.hex(), decrypted["destination"]);
        // What sotto forwards carries the same ciphertext the next hop got from the
        // independent client, with the ephemeral key and enc_type it named, and hop_no.
        auto mine = split_layer(f->body);
        auto theirs_bytes = b64(peels[i + 1]["received_blob_base64"]);
        auto theirs = split_layer(theirs_bytes);
        ASSERT_TRUE(mine && theirs);
        EXPECT_EQ(Bytes(mine->blob.begin(), mine->blob.end()), Bytes(theirs->blob.begin(), theirs->blob.end()));
        json mj = json::parse(mine->json);
        EXPECT_EQ(mj["ephemeral_key"], decrypted["ephemeral_key"]);
        EXPECT_EQ(mj["enc_type"], decrypted["enc_type"]);
        EXPECT_EQ(mj["hop_no"], i + 1);
        body = f->body;
      } else {
        auto* d = std::get_if<Deliver>(&s);
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->request, r["destination_sees"]["payload_text"].get<std::string>());
        EXPECT_EQ(enc_type_name(d->enc), r["enc_type"].get<std::string>());
        EXPECT_TRUE(d->base64);
        EXPECT_FALSE(d->json_body);
      }
    }
  }
}

TEST(OnionVectors, RepliesSealedByTheIndependentClientOpen) {
  auto v = test::load_vectors("onion_request.json");
  ASSERT_GE(v["replies"].size(), 3u);
  for (const auto& rep : v["replies"]) {
    SCOPED_TRACE(rep["label"].get<std::string>());
    const json* req = nullptr;
    for (const auto& r : v["requests"])
      if (r["id"] == rep["for_request"]) req = &r;
    ASSERT_NE(req, nullptr);
    auto enc = parse_enc_type(rep["inputs"]["enc_type"].get<std::string>());
    ASSERT_TRUE(enc);
    if (*enc == EncType::AesGcm && !crypto::aes256gcm_available()) continue;
    // The client's side of the destination's layer: its ephemeral secret and the node's key.
    auto eph_sk = test::x25519_secret((*req)["reply_keys"]["reply_ephemeral_sk"]);
    auto eph_pk = test::x25519_public((*req)["reply_keys"]["reply_ephemeral_pk"]);
    auto dest_pk = test::x25519_public((*req)["reply_keys"]["dest_x25519_pk"]);
    auto key = client_hop_key(*enc, eph_sk, eph_pk, dest_pk);
    ASSERT_TRUE(key);
    BuiltRequest built;
    built.enc = *enc;
    built.layer_keys.push_back(std::move(*key));
    auto opened = open_reply(built, rep["reply_base64"].get<std::string>());
    ASSERT_TRUE(opened) << opened.error().message();
    json expected = json::parse(rep["decrypted_text"].get<std::string>());
    EXPECT_EQ(opened->status, expected["status"]);
    if (expected["body"].is_string()) {
      EXPECT_FALSE(opened->body_is_json);
      EXPECT_EQ(opened->body, expected["body"]);
    } else {
      EXPECT_TRUE(opened->body_is_json);
      EXPECT_EQ(json::parse(opened->body), expected["body"]);
    }
    // And the node's side seals what the same key opens.
    base::SeededRng rng(2);
    auto node = node_keys(v["nodes"][rep["inputs"]["node"].get<std::size_t>()]);
    auto nkey = node_hop_key(*enc, node.x25519_secret(), node.x25519_public(), eph_pk);
    ASSERT_TRUE(nkey);
    EXPECT_EQ(base::to_hex(nkey->span()), base::to_hex(built.layer_keys[0].span()));
  }
}

TEST(OnionVectors, LayersForAnotherNodeOrAlteredDoNotPeel) {
  auto v = test::load_vectors("onion_request.json");
  base::SeededRng rng(3);
  for (const auto& m : v["must_fail_peels"]) {
    SCOPED_TRACE(m["label"].get<std::string>());
    Bytes data;
    if (m.contains("data_base64")) {
      data = b64(m["data_base64"]);
    } else {
      std::string from = m["data_from"];  // requests[a].guard_blob_base64 | requests[a].peels[1].received_blob_base64
      const json* req = nullptr;
      for (const auto& r : v["requests"])
        if ("requests[" + r["id"].get<std::string>() + "]" == from.substr(0, from.find('.'))) req = &r;
      ASSERT_NE(req, nullptr);
      auto pos = from.find("peels[");
      data = pos == std::string::npos ? b64((*req)["guard_blob_base64"])
                                      : b64((*req)["peels"][static_cast<std::size_t>(std::stoi(from.substr(pos + 6)))]["received_blob_base64"]);
    }
    auto keys = node_keys(v["nodes"][m["node"].get<std::size_t>()]);
    ReplayGuard replays;
    Step s = peel({keys.x25519_secret(), keys.x25519_public(), keys.ed25519_public()}, data, replays, 0, rng);
    auto* a = std::get_if<Answer>(&s);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->http_status, 400);
    bool aes = std::string(m["expected"]["stderr_json"]["error"]).find("aes-gcm") != std::string::npos;
    if (!aes || crypto::aes256gcm_available()) {
      EXPECT_EQ(a->body, "Invalid ciphertext");
    }
  }
}

}  // namespace
}  // namespace sotto::onion
