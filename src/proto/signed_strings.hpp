#pragma once
// The strings a client signs (Ed25519) to authenticate each storage RPC method
// (docs/wire/signed-strings.md). Both the client (to sign) and the node (to verify)
// build them here. Numbers are base-10 ASCII; timestamps and expiries are unix ms.
// NsOrAll: a namespace, or std::nullopt for "all" where a method allows it.
// Thread-safe, sans-IO.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "proto/constants.hpp"

namespace sotto::proto {

using NsOrAll = std::optional<Namespace>;

std::string signed_store(Namespace ns, std::int64_t sig_timestamp_ms);
std::string signed_retrieve(Namespace ns, std::int64_t timestamp_ms);
std::string signed_delete(std::span<const std::string> hashes);
std::string signed_delete_all(NsOrAll ns, std::int64_t timestamp_ms);
std::string signed_delete_before(NsOrAll ns, std::int64_t before_ms);
std::string signed_expire_all(NsOrAll ns, std::int64_t expiry_ms);

enum class ExpireMode { Any, Shorten, Extend };
// "expire" || ("" | "shorten" | "extend") || expiries... || hashes...
std::string signed_expire(ExpireMode mode, std::span<const std::int64_t> expiries_ms, std::span<const std::string> hashes);
std::string signed_get_expiries(std::int64_t timestamp_ms, std::span<const std::string> hashes);
// The tokens are raw 36-byte subaccount tokens, so these signed strings are binary.
std::string signed_revoke_subaccount(std::int64_t timestamp_ms, std::span<const Bytes> tokens);
std::string signed_unrevoke_subaccount(std::int64_t timestamp_ms, std::span<const Bytes> tokens);
// "revoked_subaccounts" || timestamp
std::string signed_revoked_subaccounts(std::int64_t timestamp_ms);

}  // namespace sotto::proto
