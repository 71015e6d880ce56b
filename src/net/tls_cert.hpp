#pragma once
// A self-signed TLS certificate for a node. Session's clients do not validate node
// certificates (the onion layers carry the node's keys); the certificate only gives TLS.

#include <string>

#include "base/result.hpp"

namespace sotto::net {

struct CertificatePem {
  std::string cert;
  std::string key;  // PKCS#8 PEM; secret
};

// An ECDSA P-256 key and a certificate for it, valid for 10 years, CN = common_name.
Result<CertificatePem> make_self_signed_certificate(const std::string& common_name);

}  // namespace sotto::net
