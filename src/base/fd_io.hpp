#pragma once
// Reading a whole file descriptor with a size bound, into wiping memory (it may hold a key
// file, a passphrase or a recovery phrase); writing a whole file so that a crash leaves the
// old one or the new one, never a part.

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/secret.hpp"

namespace sotto::base {

// Reads fd to its end. Errc::Io if reading fails or there are more than `max` bytes.
// `what` names the input in the error ("the passphrase file").
Result<SecretBytes> read_all(int fd, std::size_t max, const std::string& what);

// Writes `data` to `path` + ".tmp" (created with `mode`, never through a symlink), syncs
// it, renames it over `path` and syncs the directory. Errc::Io naming the step that failed;
// `path` is then unchanged.
Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode);

}  // namespace sotto::base
