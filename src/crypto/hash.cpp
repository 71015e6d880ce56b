#include "crypto/hash.hpp"

#include <sodium.h>

#include <cstdlib>

#include "crypto/sodium_init.hpp"

namespace sotto::crypto {

namespace {
// Output and key sizes are fixed by the calling code, never by input: a wrong one is a
// programming error, and a silent all-zero "hash" would be worse than stopping.
void check(int rc) {
  if (rc != 0) std::abort();
}
void check_sizes(std::size_t out_len, std::size_t key_len) {
  if (out_len < crypto_generichash_BYTES_MIN || out_len > crypto_generichash_BYTES_MAX ||
      (key_len != 0 && (key_len < crypto_generichash_KEYBYTES_MIN || key_len > crypto_generichash_KEYBYTES_MAX)))
    std::abort();
}
}  // namespace

Bytes blake2b(std::size_t out_len, ByteView data, ByteView key) {
  detail::ensure_sodium();
  check_sizes(out_len, key.size());
  Bytes out(out_len);
  check(crypto_generichash(out.data(), out_len, data.data(), data.size(), key.empty() ? nullptr : key.data(), key.size()));
  return out;
}

ByteArray<32> blake2b_256(ByteView data) {
  detail::ensure_sodium();
  ByteArray<32> out;
  check(crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0));
  return out;
}

struct Blake2b::State {
  crypto_generichash_state s;
};

Blake2b::Blake2b(std::size_t out_len, ByteView key) : state_(std::make_unique<State>()), out_len_(out_len) {
  detail::ensure_sodium();
  check_sizes(out_len, key.size());
  check(crypto_generichash_init(&state_->s, key.empty() ? nullptr : key.data(), key.size(), out_len));
}
Blake2b::~Blake2b() { sodium_memzero(&state_->s, sizeof(state_->s)); }

Blake2b& Blake2b::update(ByteView data) {
  check(crypto_generichash_update(&state_->s, data.data(), data.size()));
  return *this;
}

Bytes Blake2b::final() {
  Bytes out(out_len_);
  check(crypto_generichash_final(&state_->s, out.data(), out_len_));
  return out;
}

}  // namespace sotto::crypto
