#include "net/address.hpp"

#include "base/errc.hpp"

namespace sotto::net {

Result<HostPort> parse_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return Error(base::Errc::Io, "'" + text + "' is not HOST:PORT");
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
    return Error(base::Errc::Io, "'" + port + "' is not a port number (0-65535)");
  return HostPort{host, static_cast<std::uint16_t>(std::stoul(port))};
}

Result<HostPort> parse_https_url(const std::string& url) {
  const std::string scheme = "https://";
  if (url.rfind(scheme, 0) != 0) return Error(base::Errc::Io, "'" + url + "' is not an https:// URL");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto hp = parse_host_port(rest);
  if (!hp || hp->port == 0) return Error(base::Errc::Io, "'" + url + "' is not https://HOST:PORT");
  return hp;
}

namespace {
bool loopback(const std::string& ip) { return ip.rfind("127.", 0) == 0 || ip == "::1"; }
}  // namespace

std::string outbound_ip(const std::string& listen_host, const std::string& peer_ip) {
  if (listen_host.empty() || listen_host == "0.0.0.0" || listen_host == "::") return "";
  bool v6 = listen_host.find(':') != std::string::npos, peer_v6 = peer_ip.find(':') != std::string::npos;
  if (v6 != peer_v6) return "";  // another address family: the system picks
  if (loopback(listen_host) && !loopback(peer_ip)) return "";
  return listen_host;
}

}  // namespace sotto::net
