#include "net/tls_files.hpp"

#include <fstream>

#include "base/errc.hpp"
#include "base/fd_io.hpp"

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
  if (auto w = base::write_file_atomic(key.string(), pem->key, 0600); !w) return std::move(w).error();
  if (auto w = base::write_file_atomic(crt.string(), pem->cert, 0644); !w) return std::move(w).error();
  return pem;
}

}  // namespace sotto::net
