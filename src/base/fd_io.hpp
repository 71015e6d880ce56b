#pragma once
// Reading a whole file descriptor with a size bound, into wiping memory (it may hold a key
// file, a passphrase or a recovery phrase).

#include <cstddef>

#include "base/result.hpp"
#include "base/secret.hpp"

namespace sotto::base {

// Reads fd to its end. Errc::Io if reading fails or there are more than `max` bytes.
// `what` names the input in the error ("the passphrase file").
Result<SecretBytes> read_all(int fd, std::size_t max, const std::string& what);

}  // namespace sotto::base
