#pragma once
// A descriptor as a JSON object, for the directory's own .cpp files (a vote holds its
// nodes' descriptors as objects): reading its fields is apart from checking it, so a vote
// can check every field of every descriptor before any signature. Brings in nlohmann.

#include <nlohmann/json.hpp>

#include "directory/descriptor.hpp"

namespace sotto::directory {

// Every field's type and form (Malformed otherwise); no signature or network check.
Result<SignedDescriptor> read_descriptor(const nlohmann::json& j);
// The network, the X25519 key's conversion, the signature, and (with now_ms) the
// published time: parse_descriptor's checks after reading.
Result<void> check_descriptor(const SignedDescriptor& s, std::string_view network_id, std::optional<std::int64_t> now_ms);

}  // namespace sotto::directory
