#pragma once
// The account key file's bytes (docs/wire/key-file.md): the 16-byte seed, either with
// an integrity check or encrypted under a passphrase (Argon2id + XChaCha20-Poly1305).
// Sans-IO; thread-safe.

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "base/secret.hpp"
#include "client/errc.hpp"
#include "crypto/mnemonic.hpp"
#include "crypto/pwhash.hpp"

namespace sotto::client {

inline constexpr std::size_t kPlainKeyFileSize = 43;
inline constexpr std::size_t kEncryptedKeyFileSize = 91;

// `passphrase` null: no encryption.
Result<Bytes> encode_key_file(const crypto::Seed16& seed, const base::SecretBytes* passphrase,
                              crypto::PwhashParams params, base::Rng& rng);

// True if the file needs a passphrase; BadKeyFile if it is not a key file at all.
Result<bool> key_file_encrypted(ByteView file);

// Errors: BadKeyFile, PassphraseRequired, WrongPassphrase.
Result<crypto::Seed16> decode_key_file(ByteView file, const base::SecretBytes* passphrase);

}  // namespace sotto::client
