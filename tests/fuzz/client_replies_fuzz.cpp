// What nodes answer a client (untrusted), as the client reads it: retrieve replies, write
// replies with their members' entries (store receipts), swarm lists and any reply's time.
// Never crashes or recurses, up to a MiB; every item kept has a well-formed hash; a receipt
// counts only if it verifies and only for a listed member.
#include <string>
#include <vector>

#include "client/swarm_client.hpp"
#include "fuzz_check.hpp"
#include "proto/storage_rpc_replies.hpp"

namespace {
std::vector<sotto::directory::ConsensusNode> members() {
  std::vector<sotto::directory::ConsensusNode> out;
  sotto::base::SeededRng rng(3);
  for (int i = 0; i < 3; ++i) {
    auto k = sotto::crypto::Keypair::generate(rng);
    sotto::directory::ConsensusNode n;
    n.ed25519 = k.ed25519_public();
    n.x25519 = k.x25519_public();
    out.push_back(n);
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace rpc = sotto::proto::rpc;
  static const auto kMembers = members();
  std::string body(reinterpret_cast<const char*>(data), size);
  if (auto r = rpc::decode_retrieve_reply(body)) {
    for (const auto& item : r->items) FUZZ_CHECK(rpc::parse_hash(rpc::hash_text(item.hash)));
  }
  if (auto s = rpc::decode_swarm_reply(body)) {
    rpc::Hash h{};
    auto receipts = sotto::client::count_receipts(*s, h, kMembers);
    FUZZ_CHECK(receipts.verified <= receipts.members);
    FUZZ_CHECK(receipts.members <= static_cast<int>(kMembers.size()));
    FUZZ_CHECK(receipts.verified == 0);  // nobody here signed this hash with a member's key
    for (const auto& [key, entry] : s->members) (void)rpc::decode_store_member(entry);
    FUZZ_CHECK(rpc::decode_swarm_reply(rpc::encode(*s)));
  }
  if (auto m = rpc::decode_swarm_members(body)) FUZZ_CHECK(m->nodes.size() <= 1 << 14);
  (void)rpc::reply_time(body);
  return 0;
}
