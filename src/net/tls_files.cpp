#include "net/tls_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "base/errc.hpp"

namespace sotto::net {

namespace fs = std::filesystem;

Result<CertificatePem> load_or_create_certificate(const fs::path& dir, const std::string& cn) {
  auto crt = dir / "tls.crt", key = dir / "tls.key";
  if (fs::exists(crt) && fs::exists(key)) {
    std::ifstream c(crt), k(key);
    std::string cs((std::istreambuf_iterator<char>(c)), {}), ks((std::istreambuf_iterator<char>(k)), {});
    if (cs.find("BEGIN CERTIFICATE") == std::string::npos || ks.find("PRIVATE KEY") == std::string::npos)
      return Error(base::Errc::Io, "the TLS certificate in " + dir.string() + " is damaged: remove tls.crt and tls.key to make new ones");
    return CertificatePem{cs, ks};
  }
  auto pem = make_self_signed_certificate(cn);
  if (!pem) return pem;
  // Written under a temporary name with its final mode from the start, synced, then renamed
  // into place: a crash never leaves a half-written file, and the key is never readable.
  auto write = [](const fs::path& p, const std::string& text, mode_t mode) {
    fs::path tmp = p;
    tmp += ".tmp";
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    return ok && ::rename(tmp.c_str(), p.c_str()) == 0;
  };
  if (!write(key, pem->key, 0600) || !write(crt, pem->cert, 0644))
    return Error(base::Errc::Io, "cannot write the TLS certificate into " + dir.string());
  return pem;
}

}  // namespace sotto::net
