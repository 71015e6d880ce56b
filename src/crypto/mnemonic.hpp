#pragma once
// The recovery phrase, exactly as Session encodes it (docs/wire/recovery-phrase.md):
// Session's English list of 1626 words, three words per 4 little-endian bytes, and a
// checksum word (a repeat of word[CRC-32(3-letter prefixes) mod count]). An account's
// phrase has 13 words and encodes a 16-byte seed; the Ed25519 seed is those 16 bytes
// followed by 16 zero bytes. Thread-safe.

#include <string_view>

#include "base/result.hpp"
#include "base/secret.hpp"
#include "crypto/keys.hpp"

namespace sotto::crypto {

inline constexpr std::size_t kWordListSize = 1626;
inline constexpr std::size_t kPhraseWords = 13;
using Seed16 = base::Secret<16>;

// The word at `index` (< kWordListSize).
std::string_view word_at(std::size_t index);

// Words for `data` (a multiple of 4 bytes), separated by single spaces; with `checksum`
// one more word is appended.
base::SecretBytes encode_words(ByteView data, bool checksum);
// Decodes 3k words (no checksum) or 3k+1 words (last one the checksum). Words match on
// their first 3 letters, in any case, separated by any whitespace. Errors:
// WrongWordCount, UnknownWord (names the word and its position), BadChecksum,
// InvalidPhrase.
Result<base::SecretBytes> decode_words(std::string_view phrase);

// An account's 13-word phrase.
base::SecretBytes encode_phrase(const Seed16& seed);
// Exactly 13 words; a 12-word phrase is refused (its checksum word is missing).
Result<Seed16> decode_phrase(std::string_view phrase);

// The 32-byte Ed25519 seed of a Session account: seed16 || 16 zero bytes.
Seed session_seed(const Seed16& seed16);

}  // namespace sotto::crypto
