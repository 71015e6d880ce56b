// signatures.json: the signed string of each storage RPC and its Ed25519 signature.

#include "proto/signed_strings.hpp"

#include <gtest/gtest.h>

#include "crypto/account_id.hpp"
#include "support/keys.hpp"
#include "support/vectors.hpp"

namespace sotto::proto {
namespace {

std::string signed_string_for(const nlohmann::json& c) {
  const auto& p = c["example_params"];
  std::string method = c["method"];
  std::int64_t ts = c.value("timestamp_ms", std::int64_t{0});  // absent for delete
  auto ns_or_all = [&]() -> NsOrAll {
    if (!p.contains("namespace")) return Namespace{0};
    if (p["namespace"].is_string()) return std::nullopt;  // "all"
    return static_cast<Namespace>(p["namespace"].get<int>());
  };
  if (method == "retrieve") return signed_retrieve(static_cast<Namespace>(p["namespace"].get<int>()), ts);
  if (method == "store") {
    std::int64_t sig_ts = p.contains("sig_timestamp") ? p["sig_timestamp"].get<std::int64_t>() : p["timestamp"].get<std::int64_t>();
    return signed_store(static_cast<Namespace>(p["namespace"].get<int>()), sig_ts);
  }
  if (method == "delete_all") return signed_delete_all(ns_or_all(), ts);
  if (method == "delete") {
    std::vector<std::string> hashes = p["messages"];
    return signed_delete(hashes);
  }
  throw std::runtime_error("vector method not covered: " + method);
}

TEST(SignedStrings, EveryVectorBuildsTheSameStringAndSignature) {
  auto v = test::load_vectors("signatures.json");
  ASSERT_GE(v["cases"].size(), 11u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    std::string s = signed_string_for(c);
    EXPECT_EQ(s, c["signed_string"].get<std::string>());
    EXPECT_EQ(base::to_hex(as_bytes(s)), c["signed_bytes"]);
    auto kp = test::keypair(c["ed25519_seed"]);
    EXPECT_EQ(kp.ed25519_public().hex(), c["ed25519_public_key"]);
    EXPECT_EQ(crypto::account_id_of(kp).hex(), c["session_id"]);
    crypto::Signature sig = crypto::sign(kp.ed25519_secret(), as_bytes(s));
    EXPECT_EQ(base::to_hex(sig), c["signature"]);
    EXPECT_EQ(base::to_base64(sig), c["signature_base64"]);
    EXPECT_EQ(c["example_params"]["signature"], c["signature_base64"]);
  }
}

TEST(SignedStrings, TheOtherMethodsFollowTheDigest) {
  std::vector<std::string> hashes{"h1", "h2"};
  std::vector<std::int64_t> expiries{1700000060000};
  EXPECT_EQ(signed_delete_before(Namespace{-10}, 1700000000000), "delete_before-101700000000000");
  EXPECT_EQ(signed_delete_before(std::nullopt, 5), "delete_beforeall5");
  EXPECT_EQ(signed_expire_all(Namespace{0}, 9), "expire_all9");
  EXPECT_EQ(signed_expire(ExpireMode::Extend, expiries, hashes), "expireextend1700000060000h1h2");
  EXPECT_EQ(signed_expire(ExpireMode::Shorten, expiries, hashes), "expireshorten1700000060000h1h2");
  EXPECT_EQ(signed_expire(ExpireMode::Any, expiries, hashes), "expire1700000060000h1h2");
  EXPECT_EQ(signed_get_expiries(7, hashes), "get_expiries7h1h2");
  std::vector<Bytes> tokens{Bytes(36, 0xab)};
  std::string r = signed_revoke_subaccount(7, tokens);
  EXPECT_EQ(r.substr(0, 18), "revoke_subaccount7");
  EXPECT_EQ(r.size(), 18u + 36u);
  EXPECT_EQ(signed_unrevoke_subaccount(7, tokens).substr(0, 20), "unrevoke_subaccount7");
  EXPECT_EQ(signed_store(Namespace{-21}, 3), "store-213");
}

}  // namespace
}  // namespace sotto::proto
