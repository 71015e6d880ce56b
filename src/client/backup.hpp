#pragma once
// The encrypted backup format (docs/wire/backup.md), sans-IO: keys from the account's seed,
// the client's state cut into chunks, each compressed, encrypted and split into parts
// that fit a storage message, and the signed, encrypted manifest that lists them. No
// network here: the Messenger stores and fetches the pieces. Thread-safe (no state).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "base/secret.hpp"
#include "client/local_store.hpp"
#include "crypto/keys.hpp"

namespace sotto::client::backup {

inline constexpr std::int64_t kNamespace = 31;
inline constexpr std::int64_t kMaxTtlMs = 180LL * 86'400'000;
inline constexpr std::size_t kPartBytes = 65'536;      // of C per part
inline constexpr std::size_t kPartHeaderBytes = 41;     // "SBK1" 0x02 id(32) index(2) count(2)
inline constexpr std::size_t kBlockMessages = 256;      // messages per chunk, at most
inline constexpr std::size_t kBlockBytes = 1 << 20;     // a block closes once its messages' JSON reaches this
inline constexpr std::size_t kMaxChunkPlaintext = 64 << 20;  // a chunk that inflates beyond: refused

// Errors of this format.
enum class Errc {
  BadPart = 1,        // a stored part is not of this format, or its framing is wrong
  BadPartHash,        // a part's data does not hash to the storage hash the manifest lists
  ChunkDecryptFailed, // a chunk does not decrypt (altered, or another account's)
  BadChunk,           // a chunk decrypts but does not inflate, fingerprint or parse
  ManifestSignature,  // the manifest's signature does not verify under the account's key
  ManifestDecryptFailed,
  BadManifest,        // a manifest decrypts but is not the documented JSON
  MissingPart,        // a part the manifest lists is not in the swarm
};
SOTTO_DECLARE_ERRC(Errc)

struct Keys {
  base::Secret<32> enc;
  base::Secret<32> id;
};
// K_enc and K_id from the account's 32-byte Ed25519 seed.
Keys derive_keys(std::span<const std::uint8_t, 32> seed);

// What a backup holds (the LocalStore's contacts, conversations and messages, in order).
struct State {
  std::vector<Contact> contacts;
  struct Conversation {
    std::string peer;
    std::int64_t updated_ms = 0;
  };
  std::vector<Conversation> conversations;
  std::vector<StoredMessage> messages;  // by conversation, in local (arrival) order
};

struct Chunk {
  std::string kind;       // "meta" or "messages"
  std::string plaintext;  // the chunk's JSON
  ByteArray<32> id{};     // BLAKE2b-256 keyed with K_id
};

ByteArray<32> chunk_id(const Keys& keys, std::string_view plaintext);
// The chunks of a state: one meta chunk, then each conversation's messages in blocks of
// kBlockMessages, closed early at kBlockBytes (peers ascending). Disappearing messages
// (with an expiry) are left out: a backup must not outlive their timer.
std::vector<Chunk> make_chunks(const Keys& keys, const State& state);
// The inverse: a state from chunk plaintexts (BadChunk if one is not the documented JSON).
Result<State> read_chunks(const std::vector<std::string>& plaintexts);

// zlib (RFC 1950) of `text`; the inverse refuses output beyond `max` (BadChunk).
Bytes compress(std::string_view text);
Result<std::string> inflate(ByteView z, std::size_t max = kMaxChunkPlaintext);

// C = nonce || XChaCha20-Poly1305(K_enc, nonce, z, ad = "sotto-backup-v1/chunk" || id).
Bytes seal_chunk(const Keys& keys, const ByteArray<32>& id, ByteView z, base::Rng& rng);
Result<Bytes> open_chunk(const Keys& keys, const ByteArray<32>& id, ByteView c);  // -> z

// C in parts of at most kPartBytes, each framed; and a part's framing read back.
std::vector<Bytes> split_parts(const ByteArray<32>& id, ByteView c);
struct Part {
  ByteArray<32> id{};
  std::uint16_t index = 0, count = 0;
  ByteView bytes;  // into the part given
};
Result<Part> parse_part(ByteView stored);

// The manifest: body = "SBK1" 0x01 nonce AEAD(K_enc, nonce, json, ad), then the account's
// Ed25519 signature over "sotto-backup-v1/manifest-sig" || body.
Bytes seal_manifest(const Keys& keys, const crypto::Keypair& account, std::string_view manifest_json, base::Rng& rng);
Result<std::string> open_manifest(const Keys& keys, const crypto::Ed25519Public& account, ByteView stored);
// True for the stored form of a manifest (type 0x01), false for a part or anything else.
bool is_manifest(ByteView stored);

// The manifest's content.
struct ManifestChunk {
  std::string id_hex;
  std::string kind;
  std::size_t size = 0;             // of C
  std::vector<std::string> parts;   // storage hashes, in order
  std::int64_t stored_ms = 0;       // when its parts were stored (they expire 180 days later)
};
struct Manifest {
  std::string account;
  std::int64_t seq = 0;
  std::int64_t created_ms = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;
  std::vector<ManifestChunk> chunks;
};
std::string manifest_json(const Manifest& m);
Result<Manifest> parse_manifest(std::string_view json);

}  // namespace sotto::client::backup

SOTTO_REGISTER_ERRC(sotto::client::backup::Errc)
