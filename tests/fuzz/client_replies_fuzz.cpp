// What nodes answer a client (untrusted): retrieve replies and store replies with their
// receipts. Never crashes; every item kept has a well-formed hash; a receipt counts only
// if it verifies and only for a listed member.
#include <string>
#include <vector>

#include "client/messenger.hpp"
#include "fuzz_check.hpp"

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
  static const auto kMembers = members();
  std::string body(reinterpret_cast<const char*>(data), size);
  if (auto r = sotto::client::parse_retrieve_reply(body, 1'000)) {
    for (const auto& item : r->items) FUZZ_CHECK(item.hash.size() == 43);
  }
  auto receipts = sotto::client::count_receipts(body, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", kMembers);
  FUZZ_CHECK(receipts.verified <= receipts.members);
  FUZZ_CHECK(receipts.members <= static_cast<int>(kMembers.size()));
  FUZZ_CHECK(receipts.verified == 0);  // nobody here signed this hash with a member's key
  return 0;
}
