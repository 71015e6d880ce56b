#pragma once
// Addresses the daemons take from flags and from network.json.

#include <cstdint>
#include <string>

#include "base/result.hpp"

namespace sotto::net {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
// "HOST:PORT" (IPv4, or [IPv6]:PORT).
Result<HostPort> parse_host_port(const std::string& text);
// "https://HOST:PORT" (network.json's urls), with an optional trailing '/'.
Result<HostPort> parse_https_url(const std::string& url);

// The address to connect to `peer_ip` from: `listen_host` when it is a specific address,
// except loopback towards a routable peer (a node behind a proxy on 127.0.0.1 still
// reaches other hosts); "" (the system picks) otherwise.
std::string outbound_ip(const std::string& listen_host, const std::string& peer_ip);

}  // namespace sotto::net
