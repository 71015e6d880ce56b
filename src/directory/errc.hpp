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
  NotAuthority,   // signed by a key that is not an authority of network.json
  UnderSigned,    // fewer valid authority signatures than majority(N)
  Forged,         // an authority's signature over this document does not verify, and too few do
  Replayed,       // not newer than the consensus held (a replay or a rollback)
  Stale,          // past valid_until + tolerance, or too far ahead of its time
  NoConsensus,    // too few votes, no common method, or no node: nothing to sign
  TooFrequent,    // the same request again too soon, or more than the authority takes
  WrongAddress,   // a registration sent from another address than the descriptor's
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::directory

SOTTO_REGISTER_ERRC(sotto::directory::Errc)
