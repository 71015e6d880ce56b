#pragma once
// Randomness is injected: code that needs random bytes takes an Rng&, so tests can be
// deterministic. SystemRng is the only one fit for keys and nonces.

#include <cstdint>
#include <span>

namespace sotto::base {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

// The kernel's CSPRNG (getrandom(2)). Thread-safe. Aborts if the kernel cannot
// supply randomness: no key is ever made from anything weaker.
class SystemRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// The kernel's CSPRNG too, fetched 256 bytes at a time into a buffer per thread: one
// getrandom(2) per ~10 nonces instead of one per nonce, for hot paths (the node seals a
// reply for every onion layer). Every byte is served once and wiped from the buffer as it
// is served; a forked child starts with an empty buffer. Thread-safe.
class BufferedSystemRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// Deterministic, NOT cryptographic: for tests and simulations only.
// xoshiro256** seeded through splitmix64.
class SeededRng final : public Rng {
 public:
  explicit SeededRng(std::uint64_t seed);
  void fill(std::span<std::uint8_t> out) override;
  std::uint64_t next();

 private:
  std::uint64_t s_[4];
};

}  // namespace sotto::base
