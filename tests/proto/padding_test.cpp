// padding.json: libsession's 160-byte padding, and unpadding of every layout.

#include "proto/padding.hpp"

#include <gtest/gtest.h>

#include "support/vectors.hpp"

namespace sotto::proto {
namespace {

TEST(Padding, EveryVectorPadsAndUnpads) {
  auto v = test::load_vectors("padding.json");
  ASSERT_GE(v["cases"].size(), 6u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE("input_length " + std::to_string(c["input_length"].get<int>()));
    Bytes in = test::hex(c["input"]);
    Bytes padded = pad(in);
    EXPECT_EQ(padded.size(), c["padded_length"].get<std::size_t>());
    EXPECT_EQ(base::to_hex(padded), c["padded"]);
    EXPECT_TRUE(equal(unpad(padded), in));
    // The legacy layout (160k - 1 bytes) unpads to the same input.
    Bytes legacy = in;
    legacy.push_back(0x80);
    legacy.resize(c["legacy_padded_length"].get<std::size_t>(), 0);
    EXPECT_TRUE(equal(unpad(legacy), in));
  }
}

TEST(Padding, UnpadFollowsLibsessionOnOddInputs) {
  EXPECT_TRUE(equal(unpad(Bytes{0x41, 0x42}), Bytes{0x41, 0x42}));            // unpadded
  EXPECT_TRUE(equal(unpad(Bytes{0x41, 0x00, 0x00}), Bytes{0x41}));            // zeros, no marker
  EXPECT_TRUE(unpad(Bytes{0x00, 0x00, 0x00}).empty());                        // all zero
  EXPECT_TRUE(unpad(Bytes{}).empty());
  EXPECT_TRUE(equal(unpad(Bytes{0x80, 0x80, 0x00}), Bytes{0x80}));            // only one marker goes
}

TEST(Padding, LengthsAreMultiplesOf160) {
  for (std::size_t n = 0; n < 700; ++n) {
    Bytes p = pad(Bytes(n, 0x41));
    EXPECT_EQ(p.size() % 160, 0u) << n;
    EXPECT_GT(p.size(), n);
  }
}

}  // namespace
}  // namespace sotto::proto
