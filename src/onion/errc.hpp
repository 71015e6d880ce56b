#pragma once
// Errors of the onion layer.

#include "base/error.hpp"

namespace sotto::onion {

enum class Errc {
  BadFraming = 1,  // the [u32 len][blob][json] frame does not fit the bytes
  BadJson,         // the JSON part is not a JSON object
  MissingField,    // a required JSON field is absent
  BadField,        // a JSON field of the wrong type or value
  BadEncType,      // an enc_type sotto does not speak
  BadKey,          // a low-order ephemeral key
  DecryptFailed,   // the layer does not decrypt with this node's key
  Unsupported,     // aes-gcm on a CPU without AES-NI
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::onion

SOTTO_REGISTER_ERRC(sotto::onion::Errc)
