#pragma once
// Errors of the network layer: what went wrong with a connection, as a code that callers
// act on (a relay's status, a client's retry), with a sentence for people.

#include "base/error.hpp"

namespace sotto::net {

enum class Errc {
  ConnectFailed = 1,  // no connection: refused, unreachable, no answer to connect, the TLS handshake failed
  Timeout,            // connected, but no answer in time
  Closed,             // the connection broke while the request or the reply was on it
  Stopped,            // the client (or server) is stopping
  BindFailed,         // this side's own address could not be used (bind, listen)
  BadAddress,         // not an IP address, or a name that does not resolve
  BadCertificate,     // a TLS certificate or key that cannot be used
};
SOTTO_DECLARE_ERRC(Errc)

}  // namespace sotto::net

SOTTO_REGISTER_ERRC(sotto::net::Errc)
