#pragma once
// Every protocol constant, named once. "Spec" constants are Session's and must not
// change; "implementation" constants are sotto's choices.

#include <cstddef>
#include <cstdint>

namespace sotto::proto {

// --- Spec (Session v1; ../docs/wire/) ---
using Namespace = std::int16_t;
inline constexpr Namespace kDmNamespace = 0;
inline constexpr std::size_t kPaddingBlock = 160;          // padding.md
inline constexpr std::uint8_t kPaddingMarker = 0x80;
inline constexpr std::size_t kDmOverhead = 144;            // dm-encryption.md: 48 seal + 32 key + 64 sig
inline constexpr std::uint32_t kEnvelopeSessionMessage = 6;  // envelope.md
inline constexpr std::uint32_t kSourceDevice = 1;
inline constexpr std::size_t kMessageHashLength = 43;      // message-hash.md
inline constexpr std::size_t kMaxMessageData = 76'800;     // storage `data`, raw bytes
inline constexpr char kDeterministicBoxKey[] = "SessionBoxEphemeralHashKey";

}  // namespace sotto::proto
