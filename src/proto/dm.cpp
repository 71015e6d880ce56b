#include "proto/dm.hpp"

#include "proto/message_crypto.hpp"
#include "proto/padding.hpp"

namespace sotto::proto {

Result<Bytes> encode_dm(const crypto::Keypair& sender, const crypto::AccountId& recipient, const Content& content,
                        std::uint64_t sent_ms, base::Rng& rng) {
  auto ct = encrypt_for_recipient(sender, recipient.x25519(), pad(encode_content(content)), rng);
  if (!ct) return std::move(ct).error();
  return wrap_envelope(Envelope{sent_ms, std::move(*ct)});
}

Result<IncomingDm> decode_dm(const crypto::Keypair& me, ByteView data) {
  auto env = unwrap_envelope(data);
  if (!env) return std::move(env).error();
  auto dec = decrypt_incoming(me, env->content);
  if (!dec) return std::move(dec).error();
  auto content = decode_content(unpad(dec->plaintext));
  if (!content) return std::move(content).error();
  return IncomingDm{dec->sender, dec->sender_ed25519, std::move(*content), env->timestamp_ms};
}

}  // namespace sotto::proto
