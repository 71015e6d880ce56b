// Descriptor and network.json parsers on arbitrary bytes: never crash; anything accepted
// re-serializes to a document that parses back to the same descriptor.
#include "directory/descriptor.hpp"
#include "directory/network.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)sotto::directory::parse_network(text);
  constexpr std::int64_t now = 1'795'700'000'000;
  auto d = sotto::directory::parse_descriptor(text, "sotto-devnet-vectors", now);
  if (d) {
    auto again = sotto::directory::parse_descriptor(sotto::directory::to_json(*d), "sotto-devnet-vectors", now);
    FUZZ_CHECK(again);
    FUZZ_CHECK(sotto::directory::canonical_json(again->descriptor) == sotto::directory::canonical_json(d->descriptor));
  }
  return 0;
}
