#pragma once
// A directory in a test: three authorities with fixed keys, nodes with fixed keys and
// descriptors, votes, the consensus they agree on, and that consensus signed by any of the
// authorities. For tests of the directory and of its users (nodes, clients).

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "directory/consensus.hpp"
#include "support/keys.hpp"

namespace sotto::test {

using namespace sotto::directory;

inline constexpr std::int64_t kGenesis = 1'795'700'000;

inline std::string seed_hex(int byte) {
  char b[3];
  std::snprintf(b, sizeof b, "%02x", byte);
  std::string out;
  for (int i = 0; i < 32; ++i) out += b;
  return out;
}

struct World {
  Network net;
  std::vector<crypto::Keypair> authorities;
  explicit World(SwarmParams p = {5, 7, 10}) {
    net.network_id = "sotto-test";
    net.genesis = kGenesis;
    net.epoch_seconds = 60;
    net.swarm = p;
    for (int i = 0; i < 3; ++i) {
      authorities.push_back(test::keypair(seed_hex(0xa1 + i)));
      net.authorities.push_back({authorities.back().ed25519_public(), "https://127.0.0.1:" + std::to_string(23001 + i)});
    }
  }
  static crypto::Keypair node_keys(int n) { return test::keypair(seed_hex(n)); }
  // Node n (1..255): in /24 10.0.(n/4).x, so every four nodes share one.
  SignedDescriptor descriptor(int n, std::uint16_t port = 22021, std::int64_t published = kGenesis * 1000) const {
    auto k = node_keys(n);
    Descriptor d{net.network_id, k.ed25519_public(), k.x25519_public(), "10.0." + std::to_string(n / 4) + "." + std::to_string(n),
                 port, "0.1.0", published};
    return sign_descriptor(d, k.ed25519_secret());
  }
  SignedVote vote(int authority, std::int64_t epoch, const std::vector<SignedDescriptor>& nodes, const Consensus* prev = nullptr) const {
    Vote v;
    v.network_id = net.network_id;
    v.epoch = epoch;
    v.authority = authorities[static_cast<std::size_t>(authority)].ed25519_public();
    v.prev_digest = prev ? digest_hex(*prev) : "";
    v.nodes = nodes;
    return sign_vote(std::move(v), authorities[static_cast<std::size_t>(authority)].ed25519_secret());
  }
  std::vector<SignedDescriptor> nodes(int from, int to) const {  // [from, to]
    std::vector<SignedDescriptor> out;
    for (int n = from; n <= to; ++n) out.push_back(descriptor(n));
    return out;
  }
  // The consensus of epoch e when all three authorities vote `nodes`.
  Consensus agree(std::int64_t e, const std::vector<SignedDescriptor>& nodes, const Consensus* prev) const {
    std::vector<SignedVote> votes;
    for (int a = 0; a < 3; ++a) votes.push_back(vote(a, e, nodes, prev));
    auto c = compute_consensus(net, e, votes, prev);
    if (!c) throw std::runtime_error(c.error().message());
    return *c;
  }
  std::string signed_json(const Consensus& c, std::vector<int> signers) const {
    std::vector<ConsensusSignature> sigs;
    for (int a : signers)
      sigs.push_back(sign_consensus(c, authorities[static_cast<std::size_t>(a)].ed25519_secret(), authorities[static_cast<std::size_t>(a)].ed25519_public()));
    return to_json(c, sigs);
  }
  // This world's network.json (docs/wire/directory.md), as `sotto network use` reads it.
  std::string network_json(const std::string& id = "sotto-test") const {
    nlohmann::json auths = nlohmann::json::array();
    for (const auto& a : net.authorities) auths.push_back({{"ed25519", a.ed25519.hex()}, {"url", a.url}});
    return nlohmann::json{{"network_id", id},
                          {"genesis", net.genesis},
                          {"epoch_seconds", net.epoch_seconds},
                          {"swarm", {{"min", net.swarm.min}, {"ideal", net.swarm.ideal}, {"max", net.swarm.max}}},
                          {"authorities", auths},
                          {"seed_nodes", nlohmann::json::array()}}
        .dump();
  }
};

}  // namespace sotto::test
