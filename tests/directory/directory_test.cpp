// sotto's directory formats (docs/wire/directory.md) against vectors made by an independent
// implementation (tools/vectors/directory.mjs, libsodium.js), and bad input.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "directory/descriptor.hpp"
#include "directory/network.hpp"
#include "support/keys.hpp"

namespace sotto::directory {
namespace {

using nlohmann::json;

json directory_vectors() {
  std::ifstream in(std::string(SOTTO_DIRECTORY_VECTORS));
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

std::string repeated_seed_hex(int byte) {
  char b[3];
  std::snprintf(b, sizeof b, "%02x", byte);
  std::string out;
  for (int i = 0; i < 32; ++i) out += b;
  return out;
}

TEST(Descriptor, MatchesTheIndependentVectors) {
  auto v = directory_vectors();
  std::int64_t now = v["now_ms"];
  ASSERT_EQ(v["descriptors"].size(), 3u);
  for (const auto& c : v["descriptors"]) {
    auto keys = test::keypair(repeated_seed_hex(c["seed_byte"]));
    auto parsed = parse_descriptor(c["json"].get<std::string>(), "sotto-devnet-vectors", now);
    ASSERT_TRUE(parsed) << parsed.error().message();
    const Descriptor& d = parsed->descriptor;
    EXPECT_EQ(d.ed25519, keys.ed25519_public());
    EXPECT_EQ(d.x25519, keys.x25519_public());
    EXPECT_EQ(canonical_json(d), c["canonical"]);
    EXPECT_EQ(base::to_hex(as_bytes(signed_bytes(d))), c["signed_bytes_hex"]);
    // Signing again gives the same bytes (Ed25519 is deterministic), and they parse back.
    auto again = sign_descriptor(d, keys.ed25519_secret());
    EXPECT_EQ(again.signature, parsed->signature);
    EXPECT_EQ(json::parse(to_json(again)), json::parse(c["json"].get<std::string>()));
  }
}

// A valid signed descriptor as JSON, with `edit` applied to the descriptor object before
// signing (or after, with resign = false).
std::string variant(const std::function<void(json&)>& edit, bool resign, const crypto::Keypair& keys, std::int64_t now) {
  Descriptor d{"net-a", keys.ed25519_public(), keys.x25519_public(), "192.0.2.1", 22021, "0.1.0", now};
  json j = json::parse(to_json(sign_descriptor(d, keys.ed25519_secret())));
  edit(j["descriptor"]);
  if (resign) {
    // Sign the edited object's canonical form the way a (hostile) node would.
    std::string bytes = std::string("sotto-descriptor-v1") + '\0' + j["descriptor"].dump();
    j["signature"] = base::to_hex(crypto::sign(keys.ed25519_secret(), as_bytes(bytes)));
  }
  return j.dump();
}

TEST(Descriptor, BadInputGetsItsErrorAndNothingElse) {
  auto keys = test::keypair(repeated_seed_hex(7));
  auto other = test::keypair(repeated_seed_hex(8));
  const std::int64_t now = 1'795'700'000'000;
  auto code = [&](const std::string& text) {
    auto r = parse_descriptor(text, "net-a", now);
    return r ? std::string("ok") : to_token(static_cast<Errc>(r.error().code().value()));
  };
  auto same = [](json&) {};
  EXPECT_EQ(code(variant(same, false, keys, now)), "ok");
  EXPECT_EQ(code(variant(same, false, keys, now + kPublishedWindowMs)), "ok");
  EXPECT_EQ(code(variant(same, false, keys, now + kPublishedWindowMs + 1)), "out_of_window");
  EXPECT_EQ(code(variant(same, false, keys, now - kPublishedWindowMs - 1)), "out_of_window");
  EXPECT_EQ(code("{"), "malformed");
  EXPECT_EQ(code("[]"), "malformed");
  EXPECT_EQ(code(std::string(2000, ' ')), "malformed");  // over 1 KiB
  EXPECT_EQ(code(variant([](json& d) { d["port_https"] = 0; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["port_https"] = 70000; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["port_https"] = "443"; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["ip"] = "192.0.2.01"; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["ip"] = "192.0.2"; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["ip"] = "256.0.2.1"; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["software"] = "Sotto 1"; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["published"] = 1.5e12; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["extra"] = 1; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d.erase("software"); }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["type"] = "vote"; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([&](json& d) { d["ed25519"] = keys.ed25519_public().hex().substr(0, 62) + "AA"; }, true, keys, now)), "malformed");
  EXPECT_EQ(code(variant([](json& d) { d["network_id"] = "net-b"; }, true, keys, now)), "wrong_network");
  // Another node's X25519 key under this identity: refused before the signature is trusted.
  EXPECT_EQ(code(variant([&](json& d) { d["x25519"] = other.x25519_public().hex(); }, true, keys, now)), "key_mismatch");
  // Any change after signing, or another identity's signature.
  EXPECT_EQ(code(variant([](json& d) { d["port_https"] = 22022; }, false, keys, now)), "bad_signature");
  EXPECT_EQ(code(variant([](json& d) { d["ip"] = "192.0.2.2"; }, false, keys, now)), "bad_signature");
  EXPECT_EQ(code(variant([&](json& d) {
              d["ed25519"] = other.ed25519_public().hex();
              d["x25519"] = other.x25519_public().hex();
            }, false, keys, now)),
            "bad_signature");
  std::string flipped = variant(same, false, keys, now);
  auto at = flipped.find("\"signature\":\"") + 13;
  flipped[at] = flipped[at] == '0' ? '1' : '0';
  EXPECT_EQ(code(flipped), "bad_signature");
}

std::string network_json(const std::string& authorities, const std::string& extra = "") {
  return R"({"network_id":"sotto-devnet-1","genesis":1795700000,"epoch_seconds":2,)" + extra + R"("authorities":)" + authorities + "}";
}

TEST(Network, ParsesAndChecksEveryField) {
  std::string a = test::keypair(repeated_seed_hex(1)).ed25519_public().hex(), b = test::keypair(repeated_seed_hex(2)).ed25519_public().hex();
  std::string two = R"([{"ed25519":")" + a + R"(","url":"https://127.0.0.1:23001"},{"ed25519":")" + b + R"(","url":"https://127.0.0.1:23002"}])";
  auto n = parse_network(network_json(two, R"("swarm":{"min":2,"ideal":3,"max":4},)"));
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(n->network_id, "sotto-devnet-1");
  EXPECT_EQ(n->epoch_seconds, 2);
  EXPECT_EQ(n->authorities.size(), 2u);
  EXPECT_EQ(n->swarm.ideal, 3);
  EXPECT_EQ(n->tolerance_seconds, 259'200);
  EXPECT_TRUE(n->seed_nodes.empty());
  auto fails = [&](const std::string& text, const std::string& field) {
    auto r = parse_network(text);
    if (r) return ::testing::AssertionFailure() << "accepted: " << text;
    if (r.error().message().find(field) == std::string::npos) return ::testing::AssertionFailure() << r.error().message();
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(fails("{", "JSON"));
  EXPECT_TRUE(fails(network_json("[]"), "authorities"));
  EXPECT_TRUE(fails(network_json(R"([{"ed25519":")" + a + R"(","url":"https://x"},{"ed25519":")" + a + R"(","url":"https://y"}])"), "repeats"));
  EXPECT_TRUE(fails(network_json(R"([{"ed25519":"zz","url":"https://x"}])"), "ed25519"));
  EXPECT_TRUE(fails(network_json(R"([{"ed25519":")" + a + R"(","url":"http://x"}])"), "url"));
  EXPECT_TRUE(fails(network_json(two, R"("swarm":{"min":5,"ideal":3,"max":4},)"), "swarm"));
  EXPECT_TRUE(fails(network_json(two, R"("tolerance_seconds":-1,)"), "tolerance_seconds"));
  EXPECT_TRUE(fails(R"({"network_id":"Bad Id","genesis":1,"epoch_seconds":2,"authorities":[]})", "network_id"));
  EXPECT_TRUE(fails(R"({"network_id":"n","genesis":1,"epoch_seconds":1,"authorities":[]})", "epoch_seconds"));
}

TEST(Network, OneThresholdMoreThanHalfOfTheConfiguredAuthorities) {
  EXPECT_EQ(majority(1), 1u);
  EXPECT_EQ(majority(2), 2u);
  EXPECT_EQ(majority(3), 2u);
  EXPECT_EQ(majority(4), 3u);  // an even split is never a majority
  EXPECT_EQ(majority(5), 3u);
  EXPECT_EQ(majority(9), 5u);
}

}  // namespace
}  // namespace sotto::directory
