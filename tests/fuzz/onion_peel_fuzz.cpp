// A node peeling an onion request (onion::peel) and a client opening a reply
// (onion::open_reply). The first byte picks what the rest is:
//   0: the POST body a node receives, as is;
//   1: the plaintext of a layer, encrypted for the node (so the inner framing, routing JSON
//      and sealed refusals are reached);
//   2: an HTTP 200 reply body for a client's request, as is;
//   3: the plaintext of a reply, sealed with the request's destination key.
#include "fuzz_check.hpp"
#include "onion/layer.hpp"
#include "onion/peel.hpp"
#include "onion/request.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  if (size == 0) return 0;
  ByteView in(data + 1, size - 1);
  static base::SeededRng rng(5);
  static const auto node = crypto::Keypair::generate(rng);
  static const auto request = *onion::build_request({}, {node.ed25519_public(), node.x25519_public()}, "{}", onion::EncType::XChaCha20, rng);
  onion::NodeKeys nk{node.x25519_secret(), node.x25519_public(), node.ed25519_public()};
  onion::ReplayGuard replays(1000, 16);
  switch (data[0] % 4) {
    case 0:
      (void)onion::peel(nk, in, replays, 0, rng);
      break;
    case 1: {
      crypto::Keypair eph = crypto::Keypair::generate(rng);
      auto key = onion::client_hop_key(onion::EncType::XChaCha20, eph.x25519_secret(), eph.x25519_public(), node.x25519_public());
      FUZZ_CHECK(key);
      auto ct = onion::hop_encrypt(onion::EncType::XChaCha20, *key, in, rng);
      nlohmann::json j{{"ephemeral_key", eph.x25519_public().hex()}, {"enc_type", "xchacha20"}};
      auto step = onion::peel(nk, onion::join_layer(*ct, j.dump()), replays, 0, rng);
      if (auto* f = std::get_if<onion::Forward>(&step)) FUZZ_CHECK(onion::split_layer(f->body));
      if (auto* a = std::get_if<onion::Answer>(&step); a && a->http_status == 200) {
        // A sealed refusal opens with the key the client used.
        onion::BuiltRequest b;
        b.enc = onion::EncType::XChaCha20;
        b.layer_keys.push_back(key->clone());
        auto r = onion::open_reply(b, a->body);
        FUZZ_CHECK(r && r->status >= 400);
      }
      break;
    }
    case 2:
      (void)onion::open_reply(request, as_chars(in));
      (void)onion::open_reply(request, as_chars(in), false);
      break;
    case 3: {
      auto ct = onion::hop_encrypt(onion::EncType::XChaCha20, request.layer_keys.back(), in, rng);
      (void)onion::open_reply(request, base::to_base64(*ct));
      break;
    }
  }
  return 0;
}
