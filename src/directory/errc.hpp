#pragma once
// Errors of the directory formats (docs/wire/directory.md).

#include "base/error.hpp"

namespace sotto::directory {

enum class Errc {
  Malformed = 1,  // not the format: bad JSON, a missing or ill-typed field, a bad value
  BadSignature,   // the signature does not verify
  KeyMismatch,    // a descriptor's x25519 key is not the conversion of its ed25519 key
  OutOfWindow,    // a timestamp outside the allowed window
  WrongNetwork,   // a document of another network
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::directory

SOTTO_REGISTER_ERRC(sotto::directory::Errc)
