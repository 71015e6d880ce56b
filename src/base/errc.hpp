#pragma once
// Errors of the base layer (encodings).

#include "base/error.hpp"

namespace sotto::base {

enum class Errc {
  BadHex = 1,     // odd length or a non-hex character
  BadBase64,      // bad character, bad length, bad padding or non-zero trailing bits
  Truncated,      // fewer bytes than the format needs
  WrongLength,    // a fixed-size value of another size
  Io,             // a file could not be read or written
  BadJson,        // text that is not JSON (or not the JSON value asked for)
  TooLarge,       // input over a size or count limit
  TooDeep,        // JSON nested deeper than its limit
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::base

SOTTO_REGISTER_ERRC(sotto::base::Errc)
