#pragma once
// A node descriptor: what a node tells the authorities about itself, signed by its own
// Ed25519 key (docs/wire/directory.md, "Node descriptor").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "directory/errc.hpp"

namespace sotto::directory {

struct Descriptor {
  std::string network_id;
  crypto::Ed25519Public ed25519;
  crypto::X25519Public x25519;   // must be the conversion of ed25519
  std::string ip;                // dotted IPv4
  std::uint16_t port_https = 0;  // 1-65535
  std::string software;          // 1-32 of [0-9a-z.-]
  std::int64_t published_ms = 0;
};

struct SignedDescriptor {
  Descriptor descriptor;
  crypto::Signature signature{};
};

inline constexpr std::size_t kMaxDescriptorJson = 1024;
inline constexpr std::int64_t kPublishedWindowMs = 3'600'000;  // ±1 h

// The canonical JSON of the descriptor (sorted keys, no spaces, integers only).
std::string canonical_json(const Descriptor& d);
// What the node signs: "sotto-descriptor-v1" ‖ 0x00 ‖ canonical_json(d).
std::string signed_bytes(const Descriptor& d);
SignedDescriptor sign_descriptor(const Descriptor& d, const crypto::Ed25519Secret& sk);
// {"descriptor": {...}, "signature": "<128 hex>"}
std::string to_json(const SignedDescriptor& s);

// Parses, checks every field and the signature, and that the descriptor belongs to
// `network_id` and was published within ±1 h of now_ms (no time check without now_ms: a
// descriptor inside a vote is judged by the authority that took it). Errors: Malformed
// (also for input over kMaxDescriptorJson), WrongNetwork, KeyMismatch, BadSignature,
// OutOfWindow.
Result<SignedDescriptor> parse_descriptor(std::string_view json, std::string_view network_id, std::optional<std::int64_t> now_ms);

}  // namespace sotto::directory
