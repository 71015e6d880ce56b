// Recovery phrase decoding: never crashes; a decoded phrase re-encodes to a phrase that
// decodes to the same bytes.
#include "crypto/mnemonic.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto seed = crypto::decode_phrase(text)) {
    auto again = crypto::decode_phrase(crypto::encode_phrase(*seed).view());
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(equal(again->span(), seed->span()));
  }
  if (auto bytes = crypto::decode_words(text)) {
    FUZZ_CHECK(bytes->size() % 4 == 0);
    auto again = crypto::decode_words(crypto::encode_words(bytes->span(), true).view());
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(equal(again->span(), bytes->span()));
  }
  return 0;
}
