#pragma once
// What the daemons (sotto-node, sotto-authority) keep in their data dir besides their key.

#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "net/tls_cert.hpp"

namespace sotto::net {

// The TLS certificate and key in `dir` (tls.crt, tls.key 0600), made on first start.
Result<CertificatePem> load_or_create_certificate(const std::filesystem::path& dir, const std::string& cn);

}  // namespace sotto::net
