// Hex and base64 decoders: never crash; whatever decodes re-encodes to the input.
#include <string>

#include "base/bytes.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace sotto;
  if (auto b = base::from_base64(text)) {
    std::string padded = base::to_base64(*b), bare = base::to_base64(*b, base::Padding::No);
    FUZZ_CHECK(text == padded || text == bare);
  }
  if (auto h = base::from_hex(text)) {
    std::string lower(text);
    for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    FUZZ_CHECK(base::to_hex(*h) == lower);
  }
  base::Reader r(ByteView(data, size));
  while (!r.empty()) {
    auto n = r.le<std::uint8_t>();
    FUZZ_CHECK(n.has_value());
    (void)r.take(*n);
  }
  return 0;
}
