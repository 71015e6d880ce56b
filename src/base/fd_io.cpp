#include "base/fd_io.hpp"

#include <fcntl.h>
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

Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  const std::string tmp = path + ".tmp";
  auto failed = [&](const char* step, int e) {
    ::unlink(tmp.c_str());
    return Error(Errc::Io, std::string("cannot ") + step + " " + path + ": " + std::strerror(e));
  };
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return failed("create a temporary file for", errno);
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return failed("write", e);
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    return failed("sync", e);
  }
  if (::close(fd) != 0) return failed("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return failed("rename into place", errno);
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Error(Errc::Io, "cannot open the directory of " + path + ": " + std::strerror(errno));
  int r = ::fsync(dfd), e = errno;
  ::close(dfd);
  if (r != 0) return Error(Errc::Io, "cannot sync the directory of " + path + ": " + std::strerror(e));
  return {};
}

}  // namespace sotto::base
