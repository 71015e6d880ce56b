#pragma once
// Internal to src/api: sotto's errors as the public API's Failures, and client::Transport
// over a public Transport.

#include <optional>

#include "base/error.hpp"
#include "base/secret.hpp"
#include "client/transport.hpp"
#include "sotto/outcome.hpp"
#include "sotto/secret.hpp"
#include "sotto/transport.hpp"

namespace sotto::api {

inline Failure failure_of(const Error& e) { return Failure{e.token(), e.message()}; }

// A Secret as the layers below take it (a copy in wiping memory), or nullptr.
std::optional<base::SecretBytes> secret_bytes(const Secret* s);

// A program's own Transport, as the client library takes one.
class TransportBridge final : public client::Transport {
 public:
  explicit TransportBridge(sotto::Transport& t) : t_(t) {}
  Result<client::TransportReply> post(const std::string& host, std::uint16_t port, std::string_view target, std::string_view body) override;
  Result<client::TransportReply> get(const std::string& host, std::uint16_t port, std::string_view target) override;

 private:
  sotto::Transport& t_;
};

}  // namespace sotto::api
