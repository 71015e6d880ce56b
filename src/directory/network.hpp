#pragma once
// network.json: what names a sotto network (docs/wire/directory.md), and the one
// threshold every directory rule uses.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "directory/errc.hpp"

namespace sotto::directory {

struct Peer {
  crypto::Ed25519Public ed25519;
  std::string url;  // https://HOST:PORT
};

struct SwarmParams {
  int min = 5, ideal = 7, max = 10;
};

struct Network {
  std::string network_id;
  std::int64_t genesis = 0;        // unix seconds: epoch 0 starts here
  std::int64_t epoch_seconds = 60;
  SwarmParams swarm;
  std::int64_t tolerance_seconds = 259'200;
  int max_nodes_per_ip = 2;        // an authority votes for at most this many nodes of one IP
  std::vector<Peer> authorities;   // in the file's order; keys distinct
  std::vector<Peer> seed_nodes;
};

inline constexpr std::size_t kMaxNetworkJson = 1 << 20;

// Parses and checks network.json. Errors (Malformed) name the field at fault.
Result<Network> parse_network(std::string_view json);

// More than half of n: the number of votes, listings and signatures every rule needs,
// n being the number of authorities in network.json (not of those that answered).
constexpr std::size_t majority(std::size_t n) { return n / 2 + 1; }

// A network id: 1 to 64 of [a-z0-9-].
bool valid_network_id(std::string_view id);
// Exactly n lowercase hex digits (keys, digests and signatures in directory documents).
bool is_lower_hex(std::string_view s, std::size_t n);

}  // namespace sotto::directory
