// Envelope / WebSocketMessage unwrapping and Content decoding of arbitrary bytes; what
// decodes survives a re-encode.
#include "fuzz_check.hpp"
#include "proto/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  ByteView in(data, size);
  if (auto env = proto::unwrap_envelope(in)) {
    auto again = proto::unwrap_envelope(proto::wrap_envelope(*env));
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->timestamp_ms == env->timestamp_ms && again->content == env->content);
  }
  if (auto c = proto::decode_content(in)) {
    auto again = proto::decode_content(proto::encode_content(*c));
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *c);
  }
  return 0;
}
