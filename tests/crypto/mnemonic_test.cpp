// mnemonic.json and mnemonic_english.txt: the recovery phrase, both ways.

#include "crypto/mnemonic.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "crypto/account_id.hpp"
#include "support/vectors.hpp"

namespace sotto::crypto {
namespace {

using test::hex;

Seed16 seed16(const std::string& h) { return Seed16(std::span<const std::uint8_t, 16>(hex(h).data(), 16)); }

TEST(Mnemonic, EmbeddedWordListIsTheVectorFile) {
  std::ifstream in(test::vectors_path("mnemonic_english.txt"));
  std::string word;
  std::size_t i = 0;
  while (std::getline(in, word)) {
    if (word.empty()) continue;
    ASSERT_LT(i, kWordListSize);
    EXPECT_EQ(word_at(i), word) << "line " << i + 1;
    ++i;
  }
  EXPECT_EQ(i, kWordListSize);
}

TEST(Mnemonic, EveryVectorEncodesAndDecodes) {
  auto v = test::load_vectors("mnemonic.json");
  ASSERT_GE(v["cases"].size(), 12u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["phrase"].get<std::string>());
    Seed16 seed = seed16(c["seed16"]);
    EXPECT_EQ(encode_phrase(seed).view(), c["phrase"].get<std::string>());
    auto back = decode_phrase(c["phrase"].get<std::string>());
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(base::to_hex(back->span()), c["seed16"]);
    EXPECT_EQ(base::to_hex(session_seed(*back).span()), c["seed32"]);
    Keypair kp = Keypair::from_seed(session_seed(*back));
    EXPECT_EQ(account_id_of(kp).hex(), c["session_id"]);
    // Word indices and checksum position.
    std::vector<std::size_t> idx = c["word_indices"];
    std::string expect;
    for (std::size_t i = 0; i < idx.size(); ++i) expect += (i ? " " : "") + std::string(word_at(idx[i]));
    EXPECT_EQ(expect, c["phrase"].get<std::string>());
    EXPECT_EQ(idx.back(), idx[c["checksum_index"].get<std::size_t>()]);
  }
}

TEST(Mnemonic, AcceptsAlternateSpellingsThatShareThePrefix) {
  auto v = test::load_vectors("mnemonic.json");
  for (const auto& c : v["alternate_spelling_cases"]) {
    auto seed = decode_phrase(c["phrase"].get<std::string>());
    ASSERT_TRUE(seed) << c["phrase"];
    EXPECT_EQ(base::to_hex(seed->span()), c["seed16"]);
  }
}

TEST(Mnemonic, AcceptsAnyCaseAndExtraWhitespace) {
  std::string phrase = "  PUFFIN luxury\tannoyed  rustled memoir faxed smidgen puddle kiwi nylon utopia Zinger kiwi\n";
  auto seed = decode_phrase(phrase);
  ASSERT_TRUE(seed) << seed.error().message();
  EXPECT_EQ(base::to_hex(seed->span()), "39038c8988db02c1af44e8c847bd9713");
}

TEST(Mnemonic, EveryInvalidVectorIsRejectedWithItsReason) {
  auto v = test::load_vectors("mnemonic.json");
  ASSERT_GE(v["invalid_cases"].size(), 5u);
  for (const auto& c : v["invalid_cases"]) {
    SCOPED_TRACE(c["phrase"].get<std::string>());
    auto r = decode_phrase(c["phrase"].get<std::string>());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().token(), c["error"].get<std::string>());
  }
}

TEST(Mnemonic, ErrorMessagesSayWhatIsWrong) {
  auto unknown = decode_phrase("amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted zzzzz faxed");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("word 12 is not in the word list"), std::string::npos) << unknown.error().message();
  EXPECT_EQ(unknown.error().message().find("zzzzz"), std::string::npos);  // the typed word stays out of errors
  auto twelve = decode_phrase("amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed");
  ASSERT_FALSE(twelve);
  EXPECT_NE(twelve.error().message().find("12"), std::string::npos);
  EXPECT_NE(twelve.error().message().find("checksum"), std::string::npos);
  auto empty = decode_phrase("");
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().is(Errc::WrongWordCount));
  auto two_letters = decode_phrase("am buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed faxed");
  ASSERT_FALSE(two_letters);
  EXPECT_TRUE(two_letters.error().is(Errc::UnknownWord));
}

// "abbey abbey zoom" + nine "abbey" + checksum "abbey" decodes to a value over 2^32
// (vectors/README.md, "Where sources disagreed" 2): no encoder makes it; refuse it.
TEST(Mnemonic, RejectsATripleOverTwoToThe32) {
  std::string phrase = "abbey abbey zoom abbey abbey abbey abbey abbey abbey abbey abbey abbey abbey";
  auto r = decode_phrase(phrase);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::InvalidPhrase)) << r.error().message();
}

TEST(Mnemonic, LongPhrasesAndChunksMatchTheVectors) {
  auto v = test::load_vectors("mnemonic.json");
  for (const auto& c : v["long_phrase_cases"]) {
    Bytes seed = hex(c["seed"]);
    bool checksum = !c.contains("checksum") || c["checksum"].get<bool>();
    EXPECT_EQ(encode_words(seed, checksum).view(), c["phrase"].get<std::string>());
    auto back = decode_words(c["phrase"].get<std::string>());
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(base::to_hex(back->span()), c["seed"]);
    // An account phrase must have 13 words.
    EXPECT_FALSE(decode_phrase(c["phrase"].get<std::string>()));
  }
  for (const auto& c : v["chunk_cases"]) {
    std::vector<std::string> words = c["words"];
    EXPECT_EQ(encode_words(hex(c["bytes"]), false).view(), words[0] + " " + words[1] + " " + words[2]);
  }
}

TEST(Mnemonic, RandomSeedsRoundTrip) {
  base::SeededRng rng(7);
  for (int i = 0; i < 500; ++i) {
    Seed16 s;
    rng.fill(s.span());
    auto back = decode_phrase(encode_phrase(s).view());
    ASSERT_TRUE(back);
    EXPECT_EQ(base::to_hex(back->span()), base::to_hex(s.span()));
  }
}

}  // namespace
}  // namespace sotto::crypto
