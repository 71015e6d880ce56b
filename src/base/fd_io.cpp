#include "base/fd_io.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errc.hpp"

namespace sotto::base {

Result<SecretBytes> read_all(int fd, std::size_t max, const std::string& what) {
  SecretBytes buf(max + 1);  // one more than allowed, to see oversize input
  std::size_t off = 0;
  while (off < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + off, buf.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(Errc::Io, "cannot read " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    off += static_cast<std::size_t>(n);
  }
  if (off > max) return Error(Errc::Io, what + " is larger than " + std::to_string(max) + " bytes");
  return SecretBytes(buf.span().first(off));
}

}  // namespace sotto::base
