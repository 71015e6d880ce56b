#pragma once
// BLAKE2b (libsodium crypto_generichash): one-shot and streaming. Thread-safe; a
// Blake2b object is not.

#include <memory>

#include "base/bytes.hpp"

namespace sotto::crypto {

// out_len in [16, 64]; key empty or [16, 64] bytes (anything else aborts: sizes come from
// code, not from input).
Bytes blake2b(std::size_t out_len, ByteView data, ByteView key = {});
ByteArray<32> blake2b_256(ByteView data);

class Blake2b {
 public:
  explicit Blake2b(std::size_t out_len, ByteView key = {});
  ~Blake2b();
  Blake2b(const Blake2b&) = delete;
  Blake2b& operator=(const Blake2b&) = delete;
  Blake2b& update(ByteView data);
  Bytes final();

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::size_t out_len_;
};

}  // namespace sotto::crypto
