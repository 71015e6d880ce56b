#pragma once
// The network of tests/directory/consensus_vectors.json ("small_genesis"): authorities with
// seeds of 32 bytes 0xa1, 0xa2, 0xa3, so that the seed corpora's votes and consensuses
// verify.

#include "crypto/keys.hpp"
#include "directory/network.hpp"

namespace sotto::fuzz {

inline const directory::Network& vector_network() {
  static const directory::Network n = [] {
    directory::Network x;
    x.network_id = "sotto-vectors";
    x.genesis = 1'795'700'000;
    x.epoch_seconds = 60;
    x.swarm = {2, 3, 4};
    for (int b : {0xa1, 0xa2, 0xa3}) {
      ByteArray<32> seed;
      seed.fill(static_cast<std::uint8_t>(b));
      x.authorities.push_back({crypto::Keypair::from_seed(crypto::Seed(seed)).ed25519_public(), "https://127.0.0.1:23001"});
    }
    return x;
  }();
  return n;
}

}  // namespace sotto::fuzz
