#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST(BufferedSystemRng, NeverServesAByteTwiceAcrossRefills) {
  BufferedSystemRng r;
  std::set<std::string> seen;
  ByteArray<24> zero{};
  for (int i = 0; i < 5000; ++i) {  // 24-byte nonces: refills every 10, leaving 16 unserved
    ByteArray<24> b{};
    r.fill(b);
    EXPECT_NE(b, zero);  // a wiped byte served would show as zeros
    seen.insert(to_hex(b));
  }
  EXPECT_EQ(seen.size(), 5000u);
  Bytes big(1000);  // larger than the buffer: straight from the kernel
  r.fill(big);
  EXPECT_NE(big, Bytes(1000, 0));
}

TEST(BufferedSystemRng, AForkedChildDoesNotServeItsParentsBytes) {
  BufferedSystemRng r;
  ByteArray<24> warm{};
  r.fill(warm);  // the buffer now holds bytes both processes would serve next
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ByteArray<24> b{};
    r.fill(b);
    _exit(write(fds[1], b.data(), b.size()) == static_cast<ssize_t>(b.size()) ? 0 : 1);
  }
  ByteArray<24> mine{}, theirs{};
  r.fill(mine);
  ASSERT_EQ(read(fds[0], theirs.data(), theirs.size()), static_cast<ssize_t>(theirs.size()));
  int status = 0;
  waitpid(child, &status, 0);
  close(fds[0]);
  close(fds[1]);
  EXPECT_NE(mine, theirs);
}

}  // namespace
}  // namespace sotto::base
