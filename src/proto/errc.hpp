#pragma once
// Errors of the proto layer. Tokens match the oracle's and the vectors' names.

#include "base/error.hpp"

namespace sotto::proto {

enum class Errc {
  TooShort = 1,         // a ciphertext below the 144-byte minimum
  BoxOpenFailed,        // the sealed box does not open with our key
  BadSignature,         // the sender's signature over M || A || Y does not verify
  BadSenderKey,         // the embedded sender key is not a valid Ed25519 point
  BadFraming,           // neither a WebSocketMessage nor an Envelope
  UnsupportedEnvelope,  // an Envelope of a type sotto does not read
  BadContent,           // the decrypted Content is not a valid protobuf
  NoContent,            // a Content with nothing sotto can show
  BadRecipient,         // a recipient key no message can be sealed to
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::proto

SOTTO_REGISTER_ERRC(sotto::proto::Errc)
