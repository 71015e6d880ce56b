// message_hash.json: the storage server's message hash.

#include "proto/message_hash.hpp"

#include <gtest/gtest.h>

#include "support/vectors.hpp"

namespace sotto::proto {
namespace {

TEST(MessageHash, EveryVectorMatches) {
  auto v = test::load_vectors("message_hash.json");
  ASSERT_GE(v["cases"].size(), 10u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    auto pk = test::hex_array<33>(c["pubkey"]);
    auto ns = static_cast<Namespace>(c["namespace"].get<int>());
    EXPECT_EQ(namespace_string(ns), c["namespace_bytes_hashed"].get<std::string>());
    Bytes data = test::hex(c["data_hex"]);
    // The exact bytes that go into the hash.
    Bytes hashed(pk.begin(), pk.end());
    append(hashed, namespace_string(ns));
    append(hashed, data);
    EXPECT_EQ(base::to_hex(hashed), c["hashed_bytes"]);
    auto from_b64 = base::from_base64(c["data_base64"].get<std::string>());
    ASSERT_TRUE(from_b64);
    EXPECT_EQ(*from_b64, data);
    std::string h = message_hash(pk, ns, data);
    EXPECT_EQ(h.size(), kMessageHashLength);
    EXPECT_EQ(h, c["expected_hash"]);
  }
}

TEST(MessageHash, DependsOnNamespaceAndPrefix) {
  ByteArray<33> pk{};
  pk[0] = 0x05;
  Bytes data = to_bytes("x");
  std::string h0 = message_hash(pk, 0, data), h1 = message_hash(pk, 1, data), hm1 = message_hash(pk, -1, data);
  EXPECT_NE(h0, h1);
  EXPECT_NE(h1, hm1);
  pk[0] = 0x03;
  EXPECT_NE(message_hash(pk, 0, data), h0);
}

}  // namespace
}  // namespace sotto::proto
