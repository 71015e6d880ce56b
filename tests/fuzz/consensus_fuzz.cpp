// Vote, consensus and consensus-signature parsers on arbitrary bytes (what authorities and
// nodes receive from the network): never crash; a vote or consensus accepted
// re-serializes to one that is accepted again and names the same document.
#include "directory/consensus.hpp"
#include "fuzz_check.hpp"
#include "vector_network.hpp"

namespace {

using namespace sotto;
using namespace sotto::directory;

const Network& net() { return fuzz::vector_network(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto v = parse_vote(text, net(), 0)) {
    auto again = parse_vote(to_json(*v), net(), 0);
    FUZZ_CHECK(again);
    FUZZ_CHECK(digest_hex(again->vote) == digest_hex(v->vote));
  }
  (void)parse_signature(text);
  if (auto c = accept_consensus(text, net(), std::nullopt, 1'795'700'000)) {
    FUZZ_CHECK(!c->nodes.empty());
    // The signatures that made it valid are in the input; the document re-serializes to the
    // same canonical form.
    auto parsed = accept_consensus(text, net(), std::nullopt, 1'795'700'000);
    FUZZ_CHECK(parsed && canonical_json(*parsed) == canonical_json(*c));
  }
  return 0;
}
