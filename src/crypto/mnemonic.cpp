#include "crypto/mnemonic.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/bytes.hpp"

namespace sotto::crypto {

namespace {

constexpr std::string_view kWords[] = {
#include "crypto/mnemonic_english.inc"
};
static_assert(std::size(kWords) == kWordListSize);
constexpr std::size_t kPrefixLen = 3;
constexpr std::uint64_t kN = kWordListSize;
constexpr std::size_t kMaxWordLen = 12;  // the longest word in the list
// Phrases of up to 64 bytes (48 words + checksum) are decoded; longer input is refused.
constexpr std::size_t kMaxWords = 49;

// Word indices of a phrase: equivalent to the seed, so wiped when done.
struct Indices {
  std::array<std::size_t, kMaxWords> v{};
  std::size_t n = 0;
  ~Indices() { base::secure_wipe(v.data(), sizeof v); }
};

std::uint32_t crc32_update(std::uint32_t c, std::string_view s) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t x = i;
      for (int k = 0; k < 8; ++k) x = (x & 1) ? 0xEDB88320u ^ (x >> 1) : x >> 1;
      t[i] = x;
    }
    return t;
  }();
  for (char ch : s) c = table[(c ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c;
}

// word[CRC-32 (ISO-HDLC, as zlib) of the words' 3-letter prefixes mod count], computed
// incrementally so the prefixes never sit in a buffer of their own.
std::size_t checksum_index(const std::size_t* idx, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) c = crc32_update(c, kWords[idx[i]].substr(0, kPrefixLen));
  return (c ^ 0xFFFFFFFFu) % n;
}

// Index of the word whose 3-letter prefix is `prefix`, or -1. The list is sorted and its
// 3-letter prefixes are unique, so a binary search over prefixes finds it.
int find_prefix(std::string_view prefix) {
  std::size_t lo = 0, hi = kWordListSize;
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    std::string_view p = kWords[mid].substr(0, kPrefixLen);
    if (p == prefix) return static_cast<int>(mid);
    if (p < prefix) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::size_t count_words(std::string_view phrase) {
  std::size_t count = 0;
  bool in_word = false;
  for (char c : phrase) {
    if (!is_space(c) && !in_word) ++count;
    in_word = !is_space(c);
  }
  return count;
}

}  // namespace

std::string_view word_at(std::size_t index) { return kWords[index]; }

base::SecretBytes encode_words(ByteView data, bool checksum) {
  if (data.size() % 4 != 0 || data.size() / 4 * 3 + 1 > kMaxWords) std::abort();  // a programming error
  Indices idx;
  for (std::size_t off = 0; off < data.size(); off += 4) {
    std::uint64_t x = base::load_le<std::uint32_t>(data.data() + off);
    std::uint64_t w1 = x % kN;
    std::uint64_t w2 = (x / kN + w1) % kN;
    std::uint64_t w3 = (x / kN / kN + w2) % kN;
    idx.v[idx.n++] = w1;
    idx.v[idx.n++] = w2;
    idx.v[idx.n++] = w3;
    x = 0;
  }
  if (checksum && idx.n > 0) {
    std::size_t c = checksum_index(idx.v.data(), idx.n);
    idx.v[idx.n] = idx.v[c];
    ++idx.n;
  }
  base::SecretBytes out(idx.n * (kMaxWordLen + 1));  // worst case: never reallocated
  std::size_t len = 0;
  for (std::size_t i = 0; i < idx.n; ++i) {
    if (i) out.data()[len++] = ' ';
    std::string_view w = kWords[idx.v[i]];
    std::copy(w.begin(), w.end(), out.data() + len);
    len += w.size();
  }
  return base::SecretBytes(out.span().first(len));
}

Result<base::SecretBytes> decode_words(std::string_view phrase) {
  std::size_t count = count_words(phrase);
  if (count == 0 || count % 3 == 2 || count > kMaxWords)
    return Error(Errc::WrongWordCount, "a recovery phrase has 3k or 3k+1 words (at most 49); this has " + std::to_string(count));
  bool has_checksum = count % 3 == 1;
  if (has_checksum && count < 4)
    return Error(Errc::WrongWordCount, "a recovery phrase needs at least 3 words before its checksum word");

  // Words are matched on their lower-cased 3-letter prefix; only the prefix is copied.
  Indices idx;
  std::array<char, kPrefixLen> prefix{};
  std::size_t i = 0;
  while (i < phrase.size()) {
    while (i < phrase.size() && is_space(phrase[i])) ++i;
    if (i == phrase.size()) break;
    std::size_t len = 0;
    for (; i < phrase.size() && !is_space(phrase[i]); ++i, ++len) {
      char c = phrase[i];
      if (len < kPrefixLen) prefix[len] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    int k = len >= kPrefixLen ? find_prefix(std::string_view(prefix.data(), kPrefixLen)) : -1;
    base::secure_wipe(prefix.data(), prefix.size());
    // The word itself stays out of the message: error details are log-safe.
    if (k < 0) return Error(Errc::UnknownWord, "word " + std::to_string(idx.n + 1) + " is not in the word list (check its spelling)");
    idx.v[idx.n++] = static_cast<std::size_t>(k);
  }
  std::size_t data_words = has_checksum ? idx.n - 1 : idx.n;
  if (has_checksum) {
    std::size_t expect = idx.v[checksum_index(idx.v.data(), data_words)];
    if (kWords[expect].substr(0, kPrefixLen) != kWords[idx.v[data_words]].substr(0, kPrefixLen))
      return Error(Errc::BadChecksum, "the checksum word (the last one) does not match the others: check the words for typos and their order");
  }
  base::SecretBytes out(data_words / 3 * 4);
  for (std::size_t t = 0; t < data_words; t += 3) {
    std::uint64_t w1 = idx.v[t], w2 = idx.v[t + 1], w3 = idx.v[t + 2];
    std::uint64_t x = w1 + kN * ((kN - w1 + w2) % kN) + kN * kN * ((kN - w2 + w3) % kN);
    if (x % kN != w1 || x > 0xFFFFFFFFull)
      return Error(Errc::InvalidPhrase, "words " + std::to_string(t + 1) + " to " + std::to_string(t + 3) +
                                            " are no valid group: this is not a phrase any wallet produced");
    base::store_le(out.data() + t / 3 * 4, static_cast<std::uint32_t>(x));
    x = 0;
  }
  return out;
}

base::SecretBytes encode_phrase(const Seed16& seed) { return encode_words(seed.span(), true); }

Result<Seed16> decode_phrase(std::string_view phrase) {
  std::size_t count = count_words(phrase);
  if (count != kPhraseWords) {
    std::string why = "a recovery phrase has 13 words; this has " + std::to_string(count);
    if (count == 12) why += " (the last word, a checksum word, is missing)";
    return Error(Errc::WrongWordCount, why);
  }
  auto bytes = decode_words(phrase);
  if (!bytes) return std::move(bytes).error();
  return Seed16(std::span<const std::uint8_t, 16>(bytes->data(), 16));
}

Seed session_seed(const Seed16& seed16) {
  Seed seed;  // zero-filled
  std::copy_n(seed16.data(), 16, seed.data());
  return seed;
}

}  // namespace sotto::crypto
