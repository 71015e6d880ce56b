#include <pthread.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "base/clock.hpp"
#include "base/rng.hpp"

namespace sotto::base {

SystemTime SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

void SystemRng::fill(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("sotto: getrandom failed");
      std::abort();
    }
    done += static_cast<std::size_t>(n);
  }
}

namespace {

struct RandomBuffer {
  std::uint8_t bytes[256];
  std::size_t left = 0;  // unserved bytes at the end of `bytes`
};
thread_local RandomBuffer random_buffer;

void wipe(std::uint8_t* p, std::size_t n) {
  volatile std::uint8_t* v = p;
  for (std::size_t k = 0; k < n; ++k) v[k] = 0;
}

}  // namespace

void BufferedSystemRng::fill(std::span<std::uint8_t> out) {
  RandomBuffer& b = random_buffer;
  if (out.size() > sizeof b.bytes / 2) return SystemRng().fill(out);  // large requests: straight from the kernel
  // A fork's child must not serve the bytes its parent serves next: the child's one thread
  // (the one that forked) empties its copy of the buffer.
  static std::once_flag registered;
  std::call_once(registered, [] {
    pthread_atfork(nullptr, nullptr, [] {
      wipe(random_buffer.bytes, sizeof random_buffer.bytes);
      random_buffer.left = 0;
    });
  });
  if (b.left < out.size()) {
    SystemRng().fill(b.bytes);
    b.left = sizeof b.bytes;
  }
  std::uint8_t* from = b.bytes + (sizeof b.bytes - b.left);
  std::copy(from, from + out.size(), out.begin());
  wipe(from, out.size());
  b.left -= out.size();
}

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

SeededRng::SeededRng(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t SeededRng::next() {
  std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void SeededRng::fill(std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); i += 8) {
    std::uint64_t v = next();
    for (std::size_t j = 0; j < 8 && i + j < out.size(); ++j) out[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
}

}  // namespace sotto::base
