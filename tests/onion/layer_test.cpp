// onion_hop.json: layer framing, the routing JSON of a decrypted layer, relay targets.

#include "onion/layer.hpp"

#include <gtest/gtest.h>

#include "crypto/mac.hpp"
#include "support/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::onion {
namespace {

using test::hex;

TEST(Layer, EveryLayerVectorSplitsParsesAndDecrypts) {
  auto v = test::load_vectors("onion_hop.json");
  ASSERT_GE(v["layer_cases"].size(), 2u);
  for (const auto& c : v["layer_cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    Bytes blob = hex(c["blob"]);
    auto layer = split_layer(blob);
    ASSERT_TRUE(layer);
    EXPECT_EQ(base::to_hex(layer->blob), c["ciphertext"]);
    EXPECT_EQ(layer->json, c["json_text"].get<std::string>());
    EXPECT_EQ(join_layer(layer->blob, layer->json), blob);
    auto h = parse_hop_header(layer->json);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->ephemeral_key.hex(), c["ephemeral_key"]);
    EXPECT_EQ(enc_type_name(h->enc_type), c["enc_type"].get<std::string>());
    if (h->enc_type == EncType::AesGcm && !crypto::aes256gcm_available()) continue;
    auto node_sk = test::x25519_secret(c["node_secret_key"]);
    auto node_pk = test::x25519_public(c["node_public_key"]);
    auto k = node_hop_key(h->enc_type, node_sk, node_pk, h->ephemeral_key);
    ASSERT_TRUE(k);
    EXPECT_EQ(base::to_hex(k->span()), c["derived_key"]);
    auto pt = hop_decrypt(h->enc_type, *k, layer->blob);
    ASSERT_TRUE(pt);
    EXPECT_EQ(base::to_hex(*pt), c["expected_payload"]);
  }
}

TEST(Layer, EveryRoutingVectorIsReadAsExpected) {
  auto v = test::load_vectors("onion_hop.json");
  ASSERT_GE(v["inner_routing_cases"].size(), 4u);
  for (const auto& c : v["inner_routing_cases"]) {
    SCOPED_TRACE(c["json_text"].get<std::string>());
    Bytes data = hex(c["decrypted_layer"]);
    auto layer = split_layer(data);
    ASSERT_TRUE(layer);
    EXPECT_EQ(layer->json, c["json_text"].get<std::string>());
    auto route = route_of(*layer);
    ASSERT_TRUE(route) << route.error().message();
    const auto& x = c["expected"];
    std::string kind = x["kind"];
    if (kind == "final_destination") {
      auto* f = std::get_if<FinalDestination>(&*route);
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(base::to_hex(f->payload), x["payload"]);
    } else if (kind == "relay_to_server") {
      auto* s = std::get_if<RelayToServer>(&*route);
      ASSERT_NE(s, nullptr);
      EXPECT_EQ(s->host, x["host"]);
      EXPECT_EQ(s->port, x["port"].get<int>());
      EXPECT_EQ(s->protocol, x["protocol"]);
      EXPECT_EQ(s->target, x["target"]);
      EXPECT_FALSE(s->target_allowed);  // "target" is no /loki/…/lsrpc path
    } else {
      ASSERT_EQ(kind, "relay_to_node");
      auto* r = std::get_if<RelayToNode>(&*route);
      ASSERT_NE(r, nullptr);
      EXPECT_EQ(base::to_hex(r->payload), x["payload"]);
      EXPECT_EQ(r->next.hex(), x["next_node_ed25519"]);
      EXPECT_EQ(r->header.ephemeral_key.hex(), x["ephemeral_key"]);
      EXPECT_EQ(enc_type_name(r->header.enc_type), x["enc_type"].get<std::string>());
      EXPECT_EQ(r->header.enc_type_defaulted, x["enc_type_defaulted"].get<bool>());
    }
  }
}

TEST(Layer, EveryRelayTargetVectorIsJudged) {
  auto v = test::load_vectors("onion_hop.json");
  ASSERT_GE(v["relay_target_cases"].size(), 6u);
  for (const auto& c : v["relay_target_cases"])
    EXPECT_EQ(relay_target_allowed(c["target"].get<std::string>()), c["allowed"].get<bool>()) << c["target"];
}

TEST(Layer, BadFramesAndJsonAreRefusedWithTheirReason) {
  EXPECT_TRUE(split_layer(Bytes{1, 0, 0}).error().is(Errc::BadFraming));
  EXPECT_TRUE(split_layer(Bytes{5, 0, 0, 0, 'a'}).error().is(Errc::BadFraming));
  EXPECT_TRUE(split_layer(Bytes{0xff, 0xff, 0xff, 0xff}).error().is(Errc::BadFraming));
  auto empty = split_layer(Bytes{0, 0, 0, 0});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->blob.empty());
  EXPECT_TRUE(route_of(*empty).error().is(Errc::BadJson));
  auto frame = [](const std::string& j) { return join_layer(as_bytes("x"), j); };
  Bytes not_object = frame("[1,2]");
  EXPECT_TRUE(route_of(*split_layer(not_object)).error().is(Errc::BadJson));
  Bytes no_key = frame(R"({"destination":")" + std::string(64, 'a') + R"("})");
  EXPECT_TRUE(route_of(*split_layer(no_key)).error().is(Errc::MissingField));
  Bytes bad_dest = frame(R"({"destination":"zz","ephemeral_key":")" + std::string(64, 'a') + R"("})");
  EXPECT_TRUE(route_of(*split_layer(bad_dest)).error().is(Errc::BadField));
  Bytes bad_enc = frame(R"({"destination":")" + std::string(64, 'a') + R"(","ephemeral_key":")" + std::string(64, 'b') +
                        R"(","enc_type":"aes-cbc"})");
  EXPECT_TRUE(route_of(*split_layer(bad_enc)).error().is(Errc::BadEncType));
  Bytes bad_port = frame(R"({"host":"h","target":"/oxen/v4/lsrpc","port":70000})");
  EXPECT_TRUE(route_of(*split_layer(bad_port)).error().is(Errc::BadField));
  Bytes truncated_json = frame(R"({"headers":)");
  EXPECT_TRUE(route_of(*split_layer(truncated_json)).error().is(Errc::BadJson));
}

TEST(Layer, ServerTargetsAreJudgedWhenRead) {
  Bytes ok = join_layer(as_bytes("x"), R"({"host":"h","target":"/oxen/v4/lsrpc"})");
  auto r = route_of(*split_layer(ok));
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::get<RelayToServer>(*r).target_allowed);
}

TEST(Layer, DestinationFlags) {
  Bytes d = join_layer(as_bytes("{}"), R"({"headers":{},"json":true,"base64":false})");
  auto r = route_of(*split_layer(d));
  ASSERT_TRUE(r);
  auto* f = std::get_if<FinalDestination>(&*r);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->json_body);
  EXPECT_FALSE(f->base64);
}

}  // namespace
}  // namespace sotto::onion
