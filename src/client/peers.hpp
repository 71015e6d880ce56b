#pragma once
// Who a user means: an account ID, or a contact's nickname (docs/client.md, "Contacts"),
// and the node URLs of network.json. Thread-safe functions.

#include <cstdint>
#include <string>
#include <utility>

#include "base/result.hpp"
#include "client/local_store.hpp"
#include "crypto/account_id.hpp"

namespace sotto::client {

// Hex that is long or starts with 05: meant as an account ID, never a nickname.
bool looks_like_account_id(const std::string& s);
// An account ID (BadAccountId if it looks like one but is not), or a contact's nickname
// (UnknownContact if none has it).
Result<crypto::AccountId> resolve_peer(LocalStore& store, const std::string& who);
// A nickname is one word of 1-64 bytes that does not look like an account ID (BadNickname).
Result<void> check_nickname(const std::string& nickname);

// Parses "https://HOST:PORT" (the form of network.json's URLs).
Result<std::pair<std::string, std::uint16_t>> parse_node_url(const std::string& url);

}  // namespace sotto::client
