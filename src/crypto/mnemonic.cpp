#include "crypto/mnemonic.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace sotto::crypto {

namespace {

constexpr std::string_view kWords[] = {
#include "crypto/mnemonic_english.inc"
};
static_assert(std::size(kWords) == kWordListSize);
constexpr std::size_t kPrefixLen = 3;
constexpr std::uint64_t kN = kWordListSize;

// CRC-32 (ISO-HDLC, as zlib's crc32) over `s`.
std::uint32_t crc32(std::string_view s) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (char ch : s) c = table[(c ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Index of the word whose 3-letter prefix is `prefix`, or -1. The list is sorted and
// its 3-letter prefixes are unique, so a binary search over prefixes finds it.
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

std::size_t checksum_index(const std::vector<std::size_t>& indices) {
  std::string prefixes;
  for (std::size_t i : indices) prefixes += kWords[i].substr(0, kPrefixLen);
  return crc32(prefixes) % indices.size();
}

}  // namespace

std::string_view word_at(std::size_t index) { return kWords[index]; }

base::SecretBytes encode_words(ByteView data, bool checksum) {
  std::vector<std::size_t> idx;
  for (std::size_t off = 0; off + 4 <= data.size(); off += 4) {
    std::uint64_t x = base::load_le<std::uint32_t>(data.data() + off);
    std::uint64_t w1 = x % kN;
    std::uint64_t w2 = (x / kN + w1) % kN;
    std::uint64_t w3 = (x / kN / kN + w2) % kN;
    idx.insert(idx.end(), {w1, w2, w3});
  }
  if (checksum && !idx.empty()) idx.push_back(idx[checksum_index(idx)]);
  std::string out;
  out.reserve(idx.size() * 10);
  for (std::size_t i = 0; i < idx.size(); ++i) {
    if (i) out += ' ';
    out += kWords[idx[i]];
  }
  base::SecretBytes secret(out);
  base::wipe_string(out);
  for (auto& i : idx) i = 0;
  return secret;
}

Result<base::SecretBytes> decode_words(std::string_view phrase) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : phrase) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      if (!cur.empty()) words.push_back(std::move(cur)), cur.clear();
    } else {
      cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  base::wipe_string(cur);
  struct Wiper {
    std::vector<std::string>& w;
    ~Wiper() { for (auto& s : w) base::wipe_string(s); }
  } wiper{words};

  if (words.empty() || (words.size() % 3 == 2))
    return Error(Errc::WrongWordCount, "a recovery phrase has 3k or 3k+1 words; this has " + std::to_string(words.size()));
  bool has_checksum = words.size() % 3 == 1;
  if (has_checksum && words.size() < 4)
    return Error(Errc::WrongWordCount, "a recovery phrase needs at least 3 words before its checksum word");

  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < words.size(); ++i) {
    int k = words[i].size() >= kPrefixLen ? find_prefix(std::string_view(words[i]).substr(0, kPrefixLen)) : -1;
    if (k < 0)
      return Error(Errc::UnknownWord, "word " + std::to_string(i + 1) + " '" + words[i] + "' is not in the word list");
    idx.push_back(static_cast<std::size_t>(k));
  }
  if (has_checksum) {
    std::size_t check = idx.back();
    idx.pop_back();
    if (kWords[idx[checksum_index(idx)]].substr(0, kPrefixLen) != kWords[check].substr(0, kPrefixLen))
      return Error(Errc::BadChecksum, "the checksum word (the last one) does not match the others: check the words for typos and their order");
  }
  base::SecretBytes out(idx.size() / 3 * 4);
  for (std::size_t t = 0; t < idx.size(); t += 3) {
    std::uint64_t w1 = idx[t], w2 = idx[t + 1], w3 = idx[t + 2];
    std::uint64_t x = w1 + kN * ((kN - w1 + w2) % kN) + kN * kN * ((kN - w2 + w3) % kN);
    if (x % kN != w1 || x > 0xFFFFFFFFull)
      return Error(Errc::InvalidPhrase, "words " + std::to_string(t + 1) + " to " + std::to_string(t + 3) +
                                            " are no valid group: this is not a phrase any wallet produced");
    base::store_le(out.data() + t / 3 * 4, static_cast<std::uint32_t>(x));
  }
  return out;
}

base::SecretBytes encode_phrase(const Seed16& seed) { return encode_words(seed.span(), true); }

Result<Seed16> decode_phrase(std::string_view phrase) {
  std::size_t count = 0;
  bool in_word = false;
  for (char c : phrase) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space && !in_word) ++count;
    in_word = !space;
  }
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
