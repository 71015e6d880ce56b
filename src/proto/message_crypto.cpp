#include <algorithm>

#include "proto/message_crypto.hpp"

#include "crypto/box.hpp"
#include "crypto/hash.hpp"
#include "proto/constants.hpp"

namespace sotto::proto {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kSigBytes = 64;

// inner = M || A || Ed25519_sign(M || A || Y)
Bytes sign_inner(const crypto::Keypair& sender, const crypto::X25519Public& recipient, ByteView m) {
  const auto& a = sender.ed25519_public().bytes;
  Bytes inner;
  inner.reserve(m.size() + kKeyBytes + kSigBytes);
  append(inner, m);
  append(inner, a);
  append(inner, recipient.bytes);  // Y, signed but not sent
  crypto::Signature sig = crypto::sign(sender.ed25519_secret(), inner);
  inner.resize(m.size() + kKeyBytes);
  append(inner, sig);
  return inner;
}

Result<Bytes> seal_inner(const Bytes& inner, const crypto::X25519Public& recipient, const crypto::X25519Secret& eph) {
  auto sealed = crypto::seal(inner, recipient, eph);
  if (!sealed) return Error(Errc::BadRecipient, "the recipient's key is not usable (a low-order point)");
  return sealed;
}

}  // namespace

Result<Bytes> encrypt_for_recipient(const crypto::Keypair& sender, const crypto::X25519Public& recipient,
                                    ByteView plaintext, base::Rng& rng) {
  crypto::X25519Secret eph;
  rng.fill(eph.span());
  return seal_inner(sign_inner(sender, recipient, plaintext), recipient, eph);
}

Result<Bytes> encrypt_for_recipient_deterministic(const crypto::Keypair& sender, const crypto::X25519Public& recipient,
                                                  ByteView plaintext) {
  crypto::Blake2b h(32, as_bytes(kDeterministicBoxKey));
  h.update(sender.seed()).update(recipient.bytes).update(plaintext);
  Bytes eph_seed = h.final();
  crypto::X25519Secret eph = crypto::x25519_secret_from_seed(std::span<const std::uint8_t, 32>(eph_seed.data(), 32));
  base::secure_wipe(eph_seed.data(), eph_seed.size());
  return seal_inner(sign_inner(sender, recipient, plaintext), recipient, eph);
}

Result<Decrypted> decrypt_incoming(const crypto::Keypair& me, ByteView ciphertext) {
  if (ciphertext.size() < kDmOverhead)
    return Error(Errc::TooShort, "a message ciphertext has at least 144 bytes; this has " + std::to_string(ciphertext.size()));
  auto inner = crypto::seal_open(ciphertext, me.x25519_public(), me.x25519_secret());
  if (!inner) return Error(Errc::BoxOpenFailed, "the message does not decrypt with this account's key: it is for another account, or it was altered");
  std::size_t m_len = inner->size() - kKeyBytes - kSigBytes;
  crypto::Ed25519Public a;
  std::copy_n(inner->begin() + static_cast<std::ptrdiff_t>(m_len), kKeyBytes, a.bytes.begin());
  crypto::Signature sig;
  std::copy_n(inner->begin() + static_cast<std::ptrdiff_t>(m_len + kKeyBytes), kSigBytes, sig.begin());

  // Verify over M || A || Y_self: Y_self goes where SIG was (SIG is copied out above).
  std::copy(me.x25519_public().bytes.begin(), me.x25519_public().bytes.end(),
            inner->begin() + static_cast<std::ptrdiff_t>(m_len + kKeyBytes));
  if (!crypto::verify(sig, ByteView(*inner).first(m_len + 2 * kKeyBytes), a))
    return Error(Errc::BadSignature, "the sender's signature does not verify (altered, or not addressed to this account)");
  auto sender_x = crypto::to_x25519(a);
  if (!sender_x) return Error(Errc::BadSenderKey, "the sender key inside the message has no X25519 form");

  inner->resize(m_len);
  return Decrypted{std::move(*inner), a, crypto::AccountId(*sender_x)};
}

}  // namespace sotto::proto
