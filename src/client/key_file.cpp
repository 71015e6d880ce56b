#include "client/key_file.hpp"

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"

namespace sotto::client {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::NoAccount: return "no_account";
    case Errc::AccountExists: return "account_exists";
    case Errc::BadKeyFile: return "bad_key_file";
    case Errc::PassphraseRequired: return "passphrase_required";
    case Errc::WrongPassphrase: return "wrong_passphrase";
    case Errc::Io: return "io";
    case Errc::NoNetwork: return "no_network";
    case Errc::NoPath: return "no_path";
    case Errc::Unreachable: return "unreachable";
    case Errc::UnknownContact: return "unknown_contact";
    case Errc::BadAccountId: return "bad_account_id";
    case Errc::AlreadyUsed: return "already_used";
    case Errc::Refused: return "refused";
    case Errc::Blocked: return "blocked";
    case Errc::BadNickname: return "bad_nickname";
    case Errc::NoBackup: return "no_backup";
    case Errc::BackupDamaged: return "backup_damaged";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.client")

namespace {

constexpr char kMagic[] = "SOTTOKEY";
constexpr std::size_t kMagicLen = 8;
constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kPlain = 0;
constexpr std::uint8_t kPassphrase = 1;
constexpr std::uint8_t kSeedLen = 16;
constexpr std::size_t kHeaderLen = 11;
constexpr std::size_t kCheckLen = 16;
constexpr char kCheckKey[] = "sotto-keyfile-v1";
constexpr std::size_t kParamsEnd = kHeaderLen + 4 + 4 + crypto::kPwhashSaltBytes + crypto::kXChaChaNonceBytes;  // 59

Bytes plain_check(ByteView covered) { return crypto::blake2b(kCheckLen, covered, as_bytes(kCheckKey)); }

Error bad(const std::string& why) { return Error(Errc::BadKeyFile, "the account key file is damaged or not a sotto key file: " + why); }

Result<std::uint8_t> header(ByteView f) {
  if (f.size() < kHeaderLen || !equal(f.first(kMagicLen), as_bytes(std::string_view(kMagic, kMagicLen))))
    return bad("no SOTTOKEY header");
  if (f[8] != kVersion) return bad("unknown version " + std::to_string(f[8]));
  if (f[10] != kSeedLen) return bad("unsupported seed length " + std::to_string(f[10]));
  std::uint8_t prot = f[9];
  if (prot != kPlain && prot != kPassphrase) return bad("unknown protection " + std::to_string(prot));
  std::size_t want = prot == kPlain ? kPlainKeyFileSize : kEncryptedKeyFileSize;
  if (f.size() != want) return bad("it has " + std::to_string(f.size()) + " bytes instead of " + std::to_string(want));
  return prot;
}

Result<base::Secret<32>> derive(const base::SecretBytes& passphrase, ByteView salt, crypto::PwhashParams p) {
  return crypto::argon2id(passphrase.span(), std::span<const std::uint8_t, crypto::kPwhashSaltBytes>(salt.data(), salt.size()), p);
}

}  // namespace

Result<Bytes> encode_key_file(const crypto::Seed16& seed, const base::SecretBytes* passphrase,
                              crypto::PwhashParams params, base::Rng& rng) {
  Bytes f;
  f.reserve(kEncryptedKeyFileSize);  // never reallocated: no stray copy of the seed
  f.assign(kMagic, kMagic + kMagicLen);
  f.push_back(kVersion);
  f.push_back(passphrase ? kPassphrase : kPlain);
  f.push_back(kSeedLen);
  if (!passphrase) {
    append(f, seed.span());
    append(f, plain_check(f));
    return f;
  }
  base::append_le(f, params.opslimit);
  base::append_le(f, params.memlimit_kib);
  ByteArray<crypto::kPwhashSaltBytes> salt;
  ByteArray<crypto::kXChaChaNonceBytes> nonce;
  rng.fill(salt);
  rng.fill(nonce);
  append(f, salt);
  append(f, nonce);
  auto key = derive(*passphrase, salt, params);
  if (!key) return std::move(key).error();
  append(f, crypto::xchacha20_encrypt(key->span(), nonce, seed.span(), f));
  return f;
}

Result<bool> key_file_encrypted(ByteView f) {
  auto prot = header(f);
  if (!prot) return std::move(prot).error();
  return *prot == kPassphrase;
}

Result<crypto::Seed16> decode_key_file(ByteView f, const base::SecretBytes* passphrase) {
  auto prot = header(f);
  if (!prot) return std::move(prot).error();
  if (*prot == kPlain) {
    ByteView covered = f.first(kHeaderLen + kSeedLen);
    if (!equal(plain_check(covered), f.subspan(kHeaderLen + kSeedLen))) return bad("its check does not match");
    return crypto::Seed16(std::span<const std::uint8_t, 16>(f.data() + kHeaderLen, 16));
  }
  crypto::PwhashParams params{base::load_le<std::uint32_t>(f.data() + kHeaderLen),
                              base::load_le<std::uint32_t>(f.data() + kHeaderLen + 4)};
  if (!params.valid()) return bad("Argon2id parameters out of bounds");
  if (!passphrase) return Error(Errc::PassphraseRequired, "the account key is encrypted: a passphrase is needed");
  ByteView salt = f.subspan(kHeaderLen + 8, crypto::kPwhashSaltBytes);
  ByteView nonce = f.subspan(kHeaderLen + 8 + crypto::kPwhashSaltBytes, crypto::kXChaChaNonceBytes);
  auto key = derive(*passphrase, salt, params);
  if (!key) return std::move(key).error();
  auto seed = crypto::xchacha20_decrypt(key->span(), crypto::AeadNonce(nonce.data(), nonce.size()),
                                        f.subspan(kParamsEnd), f.first(kParamsEnd));
  if (!seed) return Error(Errc::WrongPassphrase, "wrong passphrase (or the key file is damaged)");
  crypto::Seed16 out(std::span<const std::uint8_t, 16>(seed->data(), 16));
  base::secure_wipe(seed->data(), seed->size());
  return out;
}

}  // namespace sotto::client
