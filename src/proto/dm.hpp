#pragma once
// A 1:1 message end to end, as bytes for a storage `data` field (namespace 0):
// encode_dm = Content -> pad -> encrypt_for_recipient -> Envelope -> WebSocketMessage;
// decode_dm is the inverse and checks everything on the way. Sans-IO, thread-safe.

#include <cstdint>

#include "base/rng.hpp"
#include "crypto/account_id.hpp"
#include "proto/envelope.hpp"

namespace sotto::proto {

// `sent_ms` goes in the Envelope; the Content carries its own timestamp.
Result<Bytes> encode_dm(const crypto::Keypair& sender, const crypto::AccountId& recipient, const Content& content,
                        std::uint64_t sent_ms, base::Rng& rng);

struct IncomingDm {
  crypto::AccountId sender;
  crypto::Ed25519Public sender_ed25519;
  Content content;
  std::uint64_t envelope_timestamp_ms;
};

// Errors: BadFraming, UnsupportedEnvelope, TooShort, BoxOpenFailed, BadSenderKey,
// BadSignature, BadContent, NoContent.
Result<IncomingDm> decode_dm(const crypto::Keypair& me, ByteView data);

}  // namespace sotto::proto
