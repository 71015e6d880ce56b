#pragma once
// Addresses the daemons take from flags and from network.json.

#include <cstdint>
#include <string>

#include "base/result.hpp"

namespace sotto::apps {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
// "HOST:PORT" (IPv4, or [IPv6]:PORT).
Result<HostPort> parse_host_port(const std::string& text);
// "https://HOST:PORT" (network.json's urls), with an optional trailing '/'.
Result<HostPort> parse_https_url(const std::string& url);

}  // namespace sotto::apps
