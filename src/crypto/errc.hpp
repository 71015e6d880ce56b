#pragma once
// Errors of the crypto layer.

#include "base/error.hpp"

namespace sotto::crypto {

enum class Errc {
  WrongLength = 1,   // an account ID, key or seed of the wrong size
  WrongPrefix,       // an account ID that does not start with 05
  BadHex,            // an account ID or key that is not hex
  BadKey,            // bytes that are not a valid public key
  WrongWordCount,    // a recovery phrase with the wrong number of words
  UnknownWord,       // a word that is not in the word list
  BadChecksum,       // the checksum word does not match
  InvalidPhrase,     // words no encoder produces (a triple over 2^32)
  DecryptFailed,     // authentication failed: wrong key or altered ciphertext
  OutOfMemory,       // Argon2id could not get its memory
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::crypto

SOTTO_REGISTER_ERRC(sotto::crypto::Errc)
