// Message decryption of arbitrary bytes, both as a whole DM (layers + crypto) and as a
// raw ciphertext. Half of the inputs are first turned into a valid message to this
// account with the input's bytes as the body, so the fuzzer also reaches the parts
// after a successful decryption.
#include "fuzz_check.hpp"
#include "proto/dm.hpp"
#include "proto/message_crypto.hpp"

namespace {
const sotto::crypto::Keypair& me() {
  static const auto kp = [] {
    sotto::base::SeededRng rng(1);
    return sotto::crypto::Keypair::generate(rng);
  }();
  return kp;
}
const sotto::crypto::Keypair& sender() {
  static const auto kp = [] {
    sotto::base::SeededRng rng(2);
    return sotto::crypto::Keypair::generate(rng);
  }();
  return kp;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  ByteView in(data, size);
  (void)proto::decode_dm(me(), in);
  (void)proto::decrypt_incoming(me(), in);
  if (size > 0 && data[0] & 1) {
    base::SeededRng rng(size);
    proto::Content c;
    c.body.assign(reinterpret_cast<const char*>(data), size);
    c.timestamp_ms = size;
    auto dm = proto::encode_dm(sender(), crypto::account_id_of(me()), c, 1, rng);
    FUZZ_CHECK(dm.has_value());
    auto back = proto::decode_dm(me(), *dm);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(back->content == c);
    FUZZ_CHECK(back->sender == crypto::account_id_of(sender()));
  }
  return 0;
}
