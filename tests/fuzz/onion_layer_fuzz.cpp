// Onion layer framing and the routing JSON of a decrypted layer; and hop decryption of
// the blob with a fixed node key.
#include "fuzz_check.hpp"
#include "onion/layer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  ByteView in(data, size);
  auto layer = onion::split_layer(in);
  if (!layer) return 0;
  FUZZ_CHECK(onion::join_layer(layer->blob, layer->json) == Bytes(in.begin(), in.end()));
  (void)onion::route_of(*layer);
  if (auto h = onion::parse_hop_header(layer->json)) {
    static const auto node = [] {
      base::SeededRng rng(3);
      return crypto::Keypair::generate(rng);
    }();
    if (auto k = onion::node_hop_key(onion::EncType::XChaCha20, node.x25519_secret(), node.x25519_public(), h->ephemeral_key))
      (void)onion::hop_decrypt(onion::EncType::XChaCha20, *k, layer->blob);
  }
  return 0;
}
