#pragma once
// The storage message hash (docs/wire/message-hash.md): unpadded base64 of
// BLAKE2b-256(prefix || pubkey32 || NSDEC || data), 43 characters. Thread-safe.

#include <string>

#include "base/bytes.hpp"
#include "proto/constants.hpp"

namespace sotto::proto {

// "" for namespace 0, else the decimal number (with '-' for negatives).
std::string namespace_string(Namespace ns);

// `pubkey` is the 33-byte account address (any prefix byte). The hash's bytes, and its
// text (what the wire and people see).
ByteArray<32> message_hash_raw(std::span<const std::uint8_t, 33> pubkey, Namespace ns, ByteView data);
std::string message_hash(std::span<const std::uint8_t, 33> pubkey, Namespace ns, ByteView data);

}  // namespace sotto::proto
