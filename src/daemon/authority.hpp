#pragma once
// A directory authority, assembled (docs/authority.md, docs/wire/directory.md): the
// directory::Authority engine behind an HTTPS server (registrations, votes, signatures,
// the consensus), a scheduler thread that votes, pulls missing votes, signs and pulls
// missing signatures on the epoch schedule, and a tester thread that checks each
// registered node's reachability. start() returns once it serves.

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "net/address.hpp"

namespace sotto::daemon {

struct AuthorityOptions {
  std::string data_dir;      // its key and TLS certificate
  std::string network_file;  // network.json naming the network and its authorities
  net::HostPort listen{"127.0.0.1", 23001};
};

class AuthorityDaemon {
 public:
  // The authority's key in `data_dir`, made if there is none (--init): its Ed25519 key in hex.
  static Result<std::string> init_key(const std::string& data_dir);
  // Errors name what failed: the data dir, the key, network.json (this key must be one of
  // its authorities), the certificate, the address.
  static Result<std::unique_ptr<AuthorityDaemon>> start(const AuthorityOptions& options);
  ~AuthorityDaemon();
  AuthorityDaemon(const AuthorityDaemon&) = delete;
  AuthorityDaemon& operator=(const AuthorityDaemon&) = delete;

  void stop();  // idempotent
  std::uint16_t port() const;
  std::string ed25519_hex() const;
  std::string network_id() const;

  struct Parts;  // authority_parts.hpp

 private:
  explicit AuthorityDaemon(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace sotto::daemon
