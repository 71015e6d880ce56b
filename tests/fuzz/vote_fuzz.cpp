// An authority's vote parser on arbitrary bytes up to a MiB (what POST /directory/v1/vote
// receives from anyone): never crashes or recurses; a vote it accepts re-serializes to a
// vote it accepts again with the same digest, and every node in it passed its signature.
#include "directory/vote.hpp"
#include "fuzz_check.hpp"
#include "vector_network.hpp"

namespace {

using namespace sotto;
using namespace sotto::directory;

const Network& net() { return fuzz::vector_network(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::int64_t epoch : {0, 1}) {
    auto v = parse_vote(text, net(), epoch);
    if (!v) continue;
    FUZZ_CHECK(v->vote.epoch == epoch);
    auto again = parse_vote(to_json(*v), net(), epoch);
    FUZZ_CHECK(again);
    FUZZ_CHECK(digest_hex(again->vote) == digest_hex(v->vote));
    for (std::size_t i = 1; i < v->vote.nodes.size(); ++i)
      FUZZ_CHECK(v->vote.nodes[i - 1].descriptor.ed25519 < v->vote.nodes[i].descriptor.ed25519);
  }
  return 0;
}
