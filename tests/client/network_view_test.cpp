// The client's network view: network.json and the newest consensus accepted, kept in the
// profile; a forged, under-signed, stale, replayed or older consensus changes nothing,
// also across runs (the epoch held is a floor even after its consensus expired).

#include "client/network_view.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "proto/swarm_space.hpp"
#include "support/directory_world.hpp"
#include "support/process.hpp"

namespace sotto::client {
namespace {

using nlohmann::json;
using test::kGenesis;

std::string code(const Error& e) { return e.code().message(); }

TEST(NetworkView, NeedsANetworkFirstAndRefusesABadOne) {
  test::TempDir tmp;
  Profile p(tmp.sub("profile"));
  auto none = NetworkView::open(p, kGenesis);
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(Errc::NoNetwork));
  EXPECT_FALSE(NetworkView::use(p, "{\"network_id\": \"x\"}"));
  EXPECT_FALSE(NetworkView::use(p, "not json"));
  EXPECT_FALSE(std::filesystem::exists(p.dir() / NetworkView::kNetworkFile));
}

TEST(NetworkView, KeepsTheNewestValidConsensusAcrossRunsAndRefusesTheRest) {
  test::World w;
  test::TempDir tmp;
  Profile p(tmp.sub("profile"));
  ASSERT_TRUE(NetworkView::use(p, w.network_json()));
  const std::int64_t now = kGenesis + 30;
  auto c0 = w.agree(0, w.nodes(1, 12), nullptr);
  auto c1 = w.agree(1, w.nodes(1, 13), &c0);
  {
    auto v = NetworkView::open(p, now);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(v->current(), nullptr);
    EXPECT_EQ(code(v->offer(w.signed_json(c0, {2}), now).error()), "under_signed");
    json forged = json::parse(w.signed_json(c0, {0, 1}));
    forged["consensus"]["nodes"][0]["ip"] = "192.0.2.1";
    EXPECT_EQ(code(v->offer(forged.dump(), now).error()), "forged");
    EXPECT_EQ(code(v->offer(w.signed_json(c0, {0, 1}), c0.valid_until + w.net.tolerance_seconds + 1).error()), "stale");
    EXPECT_EQ(v->held_epoch(), std::nullopt);  // nothing taken
    ASSERT_TRUE(v->offer(w.signed_json(c0, {0, 1}), now));
    EXPECT_EQ(code(v->offer(w.signed_json(c0, {1, 2}), now).error()), "replayed");
    ASSERT_TRUE(v->offer(w.signed_json(c1, {0, 2}), now + 60));
    EXPECT_EQ(v->current()->epoch, 1);
  }
  {  // A later run: epoch 1 held and current; epoch 0 is refused.
    auto v = NetworkView::open(p, now + 60);
    ASSERT_TRUE(v);
    ASSERT_NE(v->current(), nullptr);
    EXPECT_EQ(v->current()->epoch, 1);
    EXPECT_EQ(code(v->offer(w.signed_json(c0, {0, 1, 2}), now + 60).error()), "replayed");
  }
  {  // Long after: epoch 1 is no longer current, but still the floor.
    std::int64_t later = c1.valid_until + w.net.tolerance_seconds + 10;
    auto v = NetworkView::open(p, later);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->current(), nullptr);
    EXPECT_EQ(v->held_epoch(), 1);
    EXPECT_FALSE(v->offer(w.signed_json(c1, {0, 1, 2}), c1.valid_after));
  }
  {  // Another network: the old consensus is forgotten.
    ASSERT_TRUE(NetworkView::use(p, w.network_json("sotto-other")));
    auto v = NetworkView::open(p, now);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->held_epoch(), std::nullopt);
  }
  {  // A consensus.json of another network (say, left by a crash between the writes) is no floor.
    std::ofstream(p.dir() / NetworkView::kConsensusFile)
        << json{{"network_id", "sotto-test"}, {"genesis", kGenesis}, {"epoch", 9}, {"consensus", w.signed_json(c1, {0, 1})}}.dump();
    auto v = NetworkView::open(p, now);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->held_epoch(), std::nullopt);
  }
}

TEST(NetworkView, SwarmOfGivesTheMembersOfTheNearestSwarm) {
  test::World w;
  test::TempDir tmp;
  Profile p(tmp.sub("profile"));
  ASSERT_TRUE(NetworkView::use(p, w.network_json()));
  auto c = w.agree(0, w.nodes(1, 30), nullptr);
  auto v = NetworkView::open(p, kGenesis + 30);
  ASSERT_TRUE(v);
  ByteArray<33> account{};
  account[0] = 0x05;
  EXPECT_TRUE(v->swarm_of(account).empty());  // no consensus yet
  ASSERT_TRUE(v->offer(w.signed_json(c, {0, 1, 2}), kGenesis + 30));
  auto ids = c.swarm_ids();
  ASSERT_GE(ids.size(), 2u);
  for (int i = 0; i < 20; ++i) {
    account[5] = static_cast<std::uint8_t>(i * 37);
    account[20] = static_cast<std::uint8_t>(i * 11);
    auto members = v->swarm_of(account);
    ASSERT_FALSE(members.empty());
    auto id = proto::nearest_swarm(ids, proto::swarm_space(std::span<const std::uint8_t, 33>(account).subspan<1, 32>()));
    for (const auto& m : members) EXPECT_EQ(m.swarm_id, *id);
    std::size_t count = 0;
    for (const auto& n : c.nodes) count += n.swarm_id == *id;
    EXPECT_EQ(members.size(), count);
  }
}

TEST(NetworkView, ADamagedFileIsAnErrorNotAnEmptyView) {
  test::World w;
  test::TempDir tmp;
  Profile p(tmp.sub("profile"));
  ASSERT_TRUE(NetworkView::use(p, w.network_json()));
  std::ofstream(p.dir() / NetworkView::kConsensusFile) << "{\"epoch\": \"x\"}";
  auto v = NetworkView::open(p, kGenesis);
  ASSERT_FALSE(v);
  EXPECT_TRUE(v.error().is(Errc::Io));
}

}  // namespace
}  // namespace sotto::client
