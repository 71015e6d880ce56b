#pragma once
// Session's protobuf layering of a 1:1 message (docs/wire/envelope.md):
//   Content -> pad -> encrypt -> Envelope{type 6, sourceDevice 1, timestamp, content}
//           -> WebSocketMessage{REQUEST, request{verb "", path "", body, requestId 0}}
// and the inverse. The generated protobuf code stays inside proto/*.cpp; callers see
// only these plain structs. Sans-IO, thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "proto/errc.hpp"

namespace sotto::proto {

enum class ExpirationType : std::uint8_t { Unknown = 0, DeleteAfterRead = 1, DeleteAfterSend = 2 };

// The part of Content sotto reads and writes today.
struct Content {
  std::string body;                // DataMessage.body (UTF-8 as sent; not validated)
  std::uint64_t timestamp_ms = 0;  // DataMessage.timestamp (inside the encryption)
  std::optional<std::string> display_name;            // DataMessage.profile.displayName
  ExpirationType expiration_type = ExpirationType::Unknown;
  std::uint32_t expiration_timer_s = 0;
  std::optional<std::uint64_t> sig_timestamp_ms;      // Content.sigTimestamp
  bool operator==(const Content&) const = default;
};

Bytes encode_content(const Content& content);
// BadContent if not a protobuf Content; NoContent if it carries no DataMessage.
Result<Content> decode_content(ByteView bytes);

struct Envelope {
  std::uint64_t timestamp_ms = 0;  // unauthenticated: set by the sender, outside the encryption
  Bytes content;                   // the encrypted Content
};

// Envelope inside a WebSocketMessage: the bytes of a storage `data` field.
Bytes wrap_envelope(const Envelope& envelope);
// Accepts a WebSocketMessage (tried first; any verb and path) or a bare Envelope.
// BadFraming if neither parses; UnsupportedEnvelope unless type is SESSION_MESSAGE with
// timestamp and content present.
Result<Envelope> unwrap_envelope(ByteView data);

}  // namespace sotto::proto
