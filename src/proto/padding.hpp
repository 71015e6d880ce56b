#pragma once
// Session's message padding (docs/wire/padding.md). Sans-IO, thread-safe.

#include "base/bytes.hpp"

namespace sotto::proto {

// libsession's rule: append 0x80, then zeros to the next multiple of 160 (an input
// whose length + 1 is already a multiple of 160 gets a whole extra block).
Bytes pad(ByteView plaintext);
// Strips trailing zeros and then one 0x80, as libsession's unpad_message does: when a
// byte other than 0x80 ends the zeros, the data is taken as unpadded (minus those zeros);
// an all-zero buffer unpads to empty. Never fails; the view points into `padded`.
ByteView unpad(ByteView padded);

}  // namespace sotto::proto
