#include "proto/padding.hpp"

#include "proto/constants.hpp"

namespace sotto::proto {

Bytes pad(ByteView plaintext) {
  std::size_t extra = kPaddingBlock - ((plaintext.size() + 1) % kPaddingBlock);
  Bytes out;
  out.reserve(plaintext.size() + 1 + extra);
  out.assign(plaintext.begin(), plaintext.end());
  out.push_back(kPaddingMarker);
  out.resize(out.size() + extra, 0);
  return out;
}

ByteView unpad(ByteView padded) {
  for (std::size_t i = padded.size(); i > 0; --i) {
    std::uint8_t b = padded[i - 1];
    if (b == kPaddingMarker) return padded.first(i - 1);
    if (b != 0) return padded.first(i);  // not padded: keep it, minus the zeros (as libsession)
  }
  return padded.first(0);
}

}  // namespace sotto::proto
