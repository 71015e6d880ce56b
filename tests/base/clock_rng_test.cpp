#include <gtest/gtest.h>

#include <set>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/rng.hpp"

namespace sotto::base {
namespace {

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock c(1000);
  EXPECT_EQ(c.now_ms(), 1000);
  c.advance(std::chrono::milliseconds(250));
  EXPECT_EQ(c.now_ms(), 1250);
  c.set_ms(5);
  EXPECT_EQ(c.now_ms(), 5);
}

TEST(SystemClock, IsNearTheRealTime) {
  SystemClock c;
  auto real = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(std::abs(c.now_ms() - real), 5000);
  EXPECT_GT(c.now_ms(), 1'700'000'000'000);
}

TEST(SeededRng, IsDeterministicPerSeed) {
  SeededRng a(42), b(42), c(43);
  ByteArray<37> x{}, y{}, z{};
  a.fill(x);
  b.fill(y);
  c.fill(z);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
}

TEST(SystemRng, GivesDistinctOutputs) {
  SystemRng r;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    ByteArray<16> b{};
    r.fill(b);
    seen.insert(to_hex(b));
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace sotto::base
