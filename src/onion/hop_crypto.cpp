#include "onion/hop_crypto.hpp"

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "crypto/mac.hpp"

namespace sotto::onion {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::BadFraming: return "bad_framing";
    case Errc::BadJson: return "bad_json";
    case Errc::MissingField: return "missing_field";
    case Errc::BadField: return "bad_field";
    case Errc::BadEncType: return "bad_enc_type";
    case Errc::BadKey: return "bad_key";
    case Errc::DecryptFailed: return "decrypt_failed";
    case Errc::Unsupported: return "unsupported";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.onion")

Result<EncType> parse_enc_type(std::string_view name) {
  if (name == "aes-gcm" || name == "gcm") return EncType::AesGcm;
  if (name == "xchacha20" || name == "xchacha20-poly1305") return EncType::XChaCha20;
  return Error(Errc::BadEncType, "unknown enc_type (sotto speaks xchacha20 and aes-gcm)");
}

std::string_view enc_type_name(EncType e) { return e == EncType::AesGcm ? "aes-gcm" : "xchacha20"; }

namespace {

Result<HopKey> derive(EncType e, const crypto::X25519Secret& sk, const crypto::X25519Public& other,
                      const crypto::X25519Public& client_pk, const crypto::X25519Public& node_pk) {
  auto shared = crypto::x25519_shared(sk, other);
  if (!shared) return Error(Errc::BadKey, "the ephemeral key is a low-order point");
  if (e == EncType::AesGcm) return crypto::hmac_sha256(as_bytes("LOKI"), shared->span());
  crypto::Blake2b h(32);
  h.update(shared->span()).update(client_pk.bytes).update(node_pk.bytes);
  Bytes k = h.final();
  HopKey key(std::span<const std::uint8_t, 32>(k.data(), 32));
  base::secure_wipe(k.data(), k.size());
  return key;
}

}  // namespace

Result<HopKey> client_hop_key(EncType e, const crypto::X25519Secret& eph_sk, const crypto::X25519Public& eph_pk,
                              const crypto::X25519Public& node_pk) {
  return derive(e, eph_sk, node_pk, eph_pk, node_pk);
}

Result<HopKey> node_hop_key(EncType e, const crypto::X25519Secret& node_sk, const crypto::X25519Public& node_pk,
                            const crypto::X25519Public& eph_pk) {
  return derive(e, node_sk, eph_pk, eph_pk, node_pk);
}

Result<Bytes> hop_encrypt(EncType e, const HopKey& key, ByteView plaintext, base::Rng& rng) {
  Bytes out;
  if (e == EncType::AesGcm) {
    if (!crypto::aes256gcm_available()) return Error(Errc::Unsupported, "aes-gcm needs AES-NI, which this CPU lacks");
    ByteArray<crypto::kAesGcmNonceBytes> iv;
    rng.fill(iv);
    out.assign(iv.begin(), iv.end());
    append(out, crypto::aes256gcm_encrypt(key.span(), iv, plaintext));
    return out;
  }
  ByteArray<crypto::kXChaChaNonceBytes> nonce;
  rng.fill(nonce);
  out.assign(nonce.begin(), nonce.end());
  append(out, crypto::xchacha20_encrypt(key.span(), nonce, plaintext));
  return out;
}

Result<Bytes> hop_decrypt(EncType e, const HopKey& key, ByteView blob) {
  if (e == EncType::AesGcm) {
    if (!crypto::aes256gcm_available()) return Error(Errc::Unsupported, "aes-gcm needs AES-NI, which this CPU lacks");
    if (blob.size() < crypto::kAesGcmNonceBytes + crypto::kAesGcmTagBytes)
      return Error(Errc::DecryptFailed, "the layer is shorter than an IV and a tag");
    auto pt = crypto::aes256gcm_decrypt(key.span(), blob.first<crypto::kAesGcmNonceBytes>(),
                                        blob.subspan(crypto::kAesGcmNonceBytes));
    if (!pt) return Error(Errc::DecryptFailed, "the layer does not decrypt with this key");
    return pt;
  }
  if (blob.size() < crypto::kXChaChaNonceBytes + crypto::kXChaChaTagBytes)
    return Error(Errc::DecryptFailed, "the layer is shorter than a nonce and a tag");
  auto pt = crypto::xchacha20_decrypt(key.span(), blob.first<crypto::kXChaChaNonceBytes>(),
                                      blob.subspan(crypto::kXChaChaNonceBytes));
  if (!pt) return Error(Errc::DecryptFailed, "the layer does not decrypt with this key");
  return pt;
}

}  // namespace sotto::onion
