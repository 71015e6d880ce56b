#include "net/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace sotto::net {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, ABurstThenTheRate) {
  RateLimiter r(10, 5);
  auto t = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(r.allow("a", t));
  EXPECT_FALSE(r.allow("a", t));
  EXPECT_TRUE(r.allow("b", t));  // per client
  EXPECT_FALSE(r.allow("a", t + 50ms));
  EXPECT_TRUE(r.allow("a", t + 100ms));  // one token per 100 ms
  EXPECT_FALSE(r.allow("a", t + 150ms));
  // Never more than the burst, however long the pause.
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += r.allow("a", t + 1h) ? 1 : 0;
  EXPECT_EQ(allowed, 5);
}

TEST(RateLimiter, KeepsAtMostMaxClientsForgettingTheLeastRecent) {
  RateLimiter r(10, 2, 3);
  auto t = RateLimiter::Clock::time_point{} + 1h;
  for (const char* c : {"a", "b", "c"}) {
    EXPECT_TRUE(r.allow(c, t));
    EXPECT_TRUE(r.allow(c, t));
    EXPECT_FALSE(r.allow(c, t));  // every bucket is empty
  }
  EXPECT_FALSE(r.allow("a", t));  // a is now the most recent; b the least
  EXPECT_TRUE(r.allow("d", t));   // replaces b
  EXPECT_EQ(r.clients(), 3u);
  EXPECT_FALSE(r.allow("a", t));  // a and c kept their empty buckets
  EXPECT_FALSE(r.allow("c", t));
  EXPECT_TRUE(r.allow("b", t));   // b was forgotten: a full bucket again (and d goes)
  // A flood from many addresses never grows the table.
  for (int i = 0; i < 10'000; ++i) r.allow("flood-" + std::to_string(i), t);
  EXPECT_EQ(r.clients(), 3u);
}

}  // namespace
}  // namespace sotto::net
