#pragma once
// How libsotto reaches the network: HTTPS requests to nodes and authorities, one at a time
// per Transport. libsotto brings its own (https_transport()); a program can plug in its
// own networking instead (a proxy, a platform's HTTP stack, a test's in-memory network).
// Nodes' certificates are not checked: what nodes say is proven by signatures. Public API.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sotto/outcome.hpp"

namespace sotto {

struct HttpReply {
  int status = 0;
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // POSTs `body` to https://host:port + target and waits for the answer. A Failure when
  // none came (codes: "connect_failed", "timeout", "closed", "stopped", or the
  // program's own): the next request to that address starts afresh.
  virtual Outcome<HttpReply> post(const std::string& host, std::uint16_t port, const std::string& target, const std::string& body) = 0;
  // GETs https://host:port + target (the directory's documents). The default says this
  // transport cannot ("unsupported").
  virtual Outcome<HttpReply> get(const std::string& host, std::uint16_t port, const std::string& target);
};

// libsotto's own transport, over HTTPS with keep-alive; `timeout` for each step of a
// request (a retrieve may wait 25 s at a node).
std::unique_ptr<Transport> https_transport(std::chrono::milliseconds timeout = std::chrono::seconds(40));

}  // namespace sotto
