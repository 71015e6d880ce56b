// Key file decoding of arbitrary bytes. Argon2id runs only when the file's parameters are
// tiny, so the fuzzer spends its time on parsing, not on hashing.
#include "client/key_file.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  ByteView in(data, size);
  auto enc = client::key_file_encrypted(in);
  (void)client::decode_key_file(in, nullptr);
  if (enc && *enc) {
    std::uint32_t ops = base::load_le<std::uint32_t>(data + 11), mem = base::load_le<std::uint32_t>(data + 15);
    if (ops <= 1 && mem <= 64) {
      base::SecretBytes pw(std::string_view("fuzz"));
      (void)client::decode_key_file(in, &pw);
    }
  }
  return 0;
}
