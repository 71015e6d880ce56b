#pragma once
// Every protocol constant, named once. "Spec" constants are Session's and must not
// change; "sotto" constants are sotto's extensions and choices, documented on the wire
// pages named beside them.

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

// The storage RPC (storage-rpc.md).
inline constexpr std::int64_t kTtlMinMs = 10'000;
inline constexpr std::int64_t kTtlMaxPublicInboxMs = 14LL * 86'400'000;  // also a client's default TTL
inline constexpr std::int64_t kTtlMaxPrivateMs = 30LL * 86'400'000;      // and the cap on `expire`
inline constexpr std::int64_t kStoreToleranceMs = 10'000;       // a store's timestamp ahead of, or expiry behind, the node's time
inline constexpr std::int64_t kSignatureToleranceMs = 60'000;   // a signed timestamp from the node's time
inline constexpr std::int64_t kMinTimestampMs = 1'000'000'000;  // below: seconds given for milliseconds
inline constexpr std::int64_t kRetrieveMaxBytes = 7'800'000;    // a retrieve's data, at most
inline constexpr std::size_t kMaxBatchRequests = 20;
inline constexpr int kHardforkMajor = 19, kHardforkMinor = 3;  // "hf": the Session feature level implemented
inline constexpr int kVersion[3] = {0, 1, 0};                   // `info`'s "version"
inline constexpr std::size_t kMaxSubaccountTokensPerRequest = 50;

// --- sotto ---
inline constexpr std::size_t kMaxRpcBodyBytes = 10 * 1024 * 1024;  // storage-rpc.md: a request body
inline constexpr std::size_t kMaxRpcJsonDepth = 16;               // nesting of a request or reply
inline constexpr std::size_t kMaxHashesPerRequest = 1000;         // storage-rpc.md: `messages` lists
inline constexpr std::int64_t kMaxWaitSeconds = 25;               // storage-rpc.md: retrieve's `wait`
inline constexpr std::size_t kMaxWaitingBodyBytes = 4096;         // only a retrieve this small is held
inline constexpr Namespace kBackupNamespace = 31;                 // backup.md
inline constexpr std::int64_t kTtlMaxBackupMs = 180LL * 86'400'000;

// Namespaces (storage-rpc.md "Namespaces"): who may store and retrieve.
constexpr bool is_public_inbox(Namespace ns) { return ns % 10 == 0; }  // anyone stores, unsigned
constexpr bool is_public_outbox(Namespace ns) { return ns < 0 && (-static_cast<int>(ns)) % 20 == 1; }  // keeps one message
constexpr bool is_noauth_retrieve(Namespace ns) { return ns == -10 || is_public_outbox(ns); }
// A removed group member still reads its removal notice in -(100n + 11): a revoked
// subaccount may retrieve it.
constexpr bool is_unrevocable_retrieve(Namespace ns) { return ns < 0 && (-static_cast<int>(ns)) % 100 == 11; }

// The longest TTL a store to `ns` may have (storage-rpc.md "Namespaces").
constexpr std::int64_t max_ttl_ms(Namespace ns) {
  return is_public_inbox(ns) ? kTtlMaxPublicInboxMs : ns == kBackupNamespace ? kTtlMaxBackupMs : kTtlMaxPrivateMs;
}
// The longest TTL of any namespace: no message may expire later than this from now.
inline constexpr std::int64_t kTtlMaxAnyMs = kTtlMaxBackupMs;

}  // namespace sotto::proto
