#pragma once
// How the client library reaches nodes: one blocking HTTPS POST at a time. client/ knows
// only this interface; libsotto provides one over HTTPS (api::HttpsTransport, over net/),
// and an app can plug in its own networking (or a test an in-memory one).

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace sotto::client {

struct TransportReply {
  int status = 0;
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // POSTs `body` to https://host:port + target and waits for the answer. An error (any
  // code) when none came: the connection failed, timed out or closed; the next post to
  // that address starts a new connection.
  virtual Result<TransportReply> post(const std::string& host, std::uint16_t port, std::string_view target, std::string_view body) = 0;
  // GETs https://host:port + target (the directory's documents). A transport for onion
  // requests alone may leave it out: it then fails, saying so.
  virtual Result<TransportReply> get(const std::string& host, std::uint16_t port, std::string_view target);
};

}  // namespace sotto::client
