// Padding: unpad never reads out of bounds; pad then unpad gives the input back when it
// does not end in a zero byte (a trailing zero cannot be told from padding).
#include "fuzz_check.hpp"
#include "proto/padding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  ByteView in(data, size);
  ByteView u = proto::unpad(in);
  FUZZ_CHECK(u.size() <= in.size());
  FUZZ_CHECK(u.data() == in.data() || u.empty());
  Bytes p = proto::pad(in);
  FUZZ_CHECK(p.size() % 160 == 0 && p.size() > in.size());
  FUZZ_CHECK(equal(proto::unpad(p), in));
  return 0;
}
