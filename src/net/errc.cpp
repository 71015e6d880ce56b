#include "net/errc.hpp"

namespace sotto::net {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::ConnectFailed: return "connect_failed";
    case Errc::Timeout: return "timeout";
    case Errc::Closed: return "closed";
    case Errc::Stopped: return "stopped";
    case Errc::BindFailed: return "bind_failed";
    case Errc::BadAddress: return "bad_address";
    case Errc::BadCertificate: return "bad_certificate";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.net")

}  // namespace sotto::net
