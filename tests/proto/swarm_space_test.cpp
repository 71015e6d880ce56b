// swarm.json: pubkey -> swarm space -> nearest swarm.

#include "proto/swarm_space.hpp"

#include <gtest/gtest.h>

#include "support/vectors.hpp"

namespace sotto::proto {
namespace {

std::uint64_t u64(const nlohmann::json& s) { return std::stoull(s.get<std::string>()); }
std::span<const std::uint8_t, 32> key_of(const Bytes& pubkey33) {
  return std::span<const std::uint8_t, 32>(pubkey33.data() + 1, 32);
}

TEST(SwarmSpace, EverySwarmSpaceVectorMatches) {
  auto v = test::load_vectors("swarm.json");
  ASSERT_GE(v["swarm_space_cases"].size(), 14u);
  for (const auto& c : v["swarm_space_cases"]) {
    Bytes pk = test::hex(c["pubkey"]);
    ASSERT_EQ(pk.size(), 33u);
    std::uint64_t s = swarm_space(key_of(pk));
    EXPECT_EQ(s, u64(c["swarm_space"])) << c["pubkey"];
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(s));
    EXPECT_EQ(buf, c["swarm_space_hex"].get<std::string>());
  }
}

TEST(SwarmSpace, EveryNearestSwarmVectorMatches) {
  auto v = test::load_vectors("swarm.json");
  ASSERT_GE(v["cases"].size(), 34u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    std::vector<SwarmId> ids;
    for (const auto& id : c["swarm_ids"]) ids.push_back(u64(id));
    Bytes pk = test::hex(c["pubkey"]);
    std::uint64_t s = swarm_space(key_of(pk));
    EXPECT_EQ(s, u64(c["swarm_space"]));
    auto got = nearest_swarm(ids, s);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, u64(c["expected_swarm_id"]));
  }
}

TEST(SwarmSpace, NoSwarmsMeansNoAnswer) { EXPECT_FALSE(nearest_swarm({}, 5)); }

}  // namespace
}  // namespace sotto::proto
