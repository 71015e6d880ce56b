// Pushes when swarms move (node/swarm/pusher.hpp): a push that fails is retried for as long
// as the receiver belongs to the account's swarm, never given up after a number of
// epochs; the waiting pushes survive a restart through the pending file; a receiver's
// refusals of single messages are counted, and the rest of the batch counts as sent.

#include "node/swarm/pusher.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "node/swarm/peer_wire.hpp"
#include "proto/message_hash.hpp"
#include "support/keys.hpp"

namespace sotto::node {
namespace {

// A receiver that answers as told, and counts the pushes it saw.
class ScriptedLink final : public PeerLink {
 public:
  std::deque<Result<PeerReply>> replies;  // empty: "unreachable"
  int calls = 0;
  Result<PeerReply> call(const NodeAddress&, const std::string& path, const std::string&, const std::string&) override {
    EXPECT_EQ(path, "/sotto/v1/push");
    ++calls;
    if (replies.empty()) return Error(PeerErrc::NoConnection, "unreachable");
    auto r = std::move(replies.front());
    replies.pop_front();
    return r;
  }
  void post(const NodeAddress&, const std::string&, std::string, std::string, std::function<void(Result<PeerReply>)> done) override {
    done(Error(PeerErrc::NoConnection, "not used"));
  }
};

class OneSwarm final : public SwarmView {
 public:
  std::vector<NodeAddress> members;
  bool is_ours(std::span<const std::uint8_t, 33>) const override { return true; }
  SwarmInfo swarm_for(std::span<const std::uint8_t, 33>) const override { return {1, members}; }
};

struct PusherTest : ::testing::Test {
  base::FakeClock clock;
  crypto::Keypair keys = test::keypair(std::string(64, '1'));
  crypto::Keypair receiver_keys = test::keypair(std::string(64, '2'));
  NodeAddress receiver{receiver_keys.ed25519_public(), receiver_keys.x25519_public(), "127.0.0.1", 1};
  std::unique_ptr<storage::MessageStore> store = std::move(*storage::MessageStore::open(":memory:"));
  ScriptedLink link;
  OneSwarm swarm;
  storage::AccountKey account{};

  void SetUp() override {
    account[0] = 0x05;
    account[9] = 3;
    swarm.members = {receiver};
    for (int i = 0; i < 3; ++i) {
      std::string text = "message " + std::to_string(i);
      Bytes data(text.begin(), text.end());
      auto hash = proto::message_hash_raw(account, proto::kBackupNamespace, data);
      ASSERT_TRUE(store->store({account, proto::kBackupNamespace, hash, clock.now_ms(), clock.now_ms() + 170LL * 86'400'000, data}));
    }
  }
};

TEST_F(PusherTest, AFailingPushIsRetriedForAsLongAsTheReceiverIsInTheSwarmAndSurvivesARestart) {
  Pusher pusher(keys, clock, link);
  pusher.add_pending({{account, receiver.ed25519, 0}});
  // Thirty epochs with the receiver down: still waiting (it once gave up after ten).
  for (int epoch = 0; epoch < 30; ++epoch) {
    auto s = pusher.retry(*store, swarm, 7, [] { return false; });
    EXPECT_EQ(s.sent, 0u);
    EXPECT_EQ(s.waiting, 1u);
  }
  // Refused (the receiver has not seen the consensus yet): still waiting.
  link.replies.push_back(PeerReply{503, "push: not yet"});
  EXPECT_EQ(pusher.retry(*store, swarm, 7, [] { return false; }).waiting, 1u);

  // A restart: the pending file is all that is left of the pusher.
  std::string file = encode_pending(pusher.pending_pushes());
  auto loaded = decode_pending(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].account, account);
  EXPECT_EQ((*loaded)[0].to, receiver.ed25519);
  EXPECT_EQ((*loaded)[0].attempts, 31);
  Pusher after(keys, clock, link);
  after.add_pending(*loaded);
  // The receiver is back and refuses one message of three: the push is done, the refusal counted.
  link.replies.push_back(PeerReply{200, encode_stored(2, {{storage::MessageHash{}, "a timestamp in the future"}})});
  auto s = after.retry(*store, swarm, 7, [] { return false; });
  EXPECT_EQ(s.sent, 1u);
  EXPECT_EQ(s.waiting, 0u);
  EXPECT_EQ(s.refused, 1u);
  EXPECT_EQ(s.first_refusal, "a timestamp in the future");
  EXPECT_EQ(after.pending(), 0u);
}

TEST_F(PusherTest, APushToANodeThatLeftTheSwarmIsDropped) {
  Pusher pusher(keys, clock, link);
  pusher.add_pending({{account, receiver.ed25519, 0}});
  swarm.members.clear();  // a newer consensus's own pushes take over
  auto s = pusher.retry(*store, swarm, 8, [] { return false; });
  EXPECT_EQ(s.waiting, 0u);
  EXPECT_EQ(link.calls, 0);
}

TEST(PendingPushes, ADamagedFileIsAnErrorNamingTheLineNeverAGuess) {
  storage::AccountKey a{};
  a[0] = 0x05;
  auto to = test::keypair(std::string(64, '3')).ed25519_public();
  std::string good = encode_pending({{a, to, 4}, {a, to, 0}});
  auto back = decode_pending(good);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->size(), 2u);
  EXPECT_TRUE(decode_pending("")->empty());
  auto line2 = [](const Result<std::vector<PendingPush>>& r) { return !r && r.error().message().find("line 2") != std::string::npos; };
  std::string first = good.substr(0, good.find('\n') + 1);
  EXPECT_TRUE(line2(decode_pending(first + good.substr(good.find('\n') + 1, 50))));  // cut short
  EXPECT_TRUE(line2(decode_pending(first + std::string(66, 'g') + " " + to.hex() + " 1\n")));
  EXPECT_TRUE(line2(decode_pending(first + base::to_hex(a) + " " + to.hex() + " -1\n")));
  EXPECT_TRUE(line2(decode_pending(first + base::to_hex(a) + " " + to.hex() + " 1 extra\n")));
  EXPECT_TRUE(line2(decode_pending(first + base::to_hex(a) + "  " + to.hex() + " 1\n")));
  EXPECT_FALSE(decode_pending(std::string(10, '\n')));
}

}  // namespace
}  // namespace sotto::node
