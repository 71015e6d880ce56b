#pragma once
// An authority's vote for one epoch: the nodes it vouches for, each as the descriptor the
// node signed (docs/wire/directory.md, "Vote"). Thread-safe, sans-IO.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "directory/descriptor.hpp"
#include "directory/network.hpp"

namespace sotto::directory {

struct Vote {
  std::string network_id;
  std::int64_t epoch = 0;
  crypto::Ed25519Public authority;
  std::vector<int> methods{1};          // ascending, unique, each >= 1
  std::string prev_digest;              // the previous consensus's digest (64 hex), or empty
  std::vector<SignedDescriptor> nodes;  // ascending by ed25519, unique
};

struct SignedVote {
  Vote vote;
  crypto::Signature signature{};
};

inline constexpr std::size_t kMaxVoteJson = 8 << 20;

std::string canonical_json(const Vote& v);
// "sotto-vote-v1" ‖ 0x00 ‖ canonical_json(v)
std::string signed_bytes(const Vote& v);
// BLAKE2b-256 of signed_bytes, lowercase hex: the name a consensus lists the vote by.
std::string digest_hex(const Vote& v);
// Sorts v.nodes by key before signing.
SignedVote sign_vote(Vote v, const crypto::Ed25519Secret& sk);
// {"signature": "<128 hex>", "vote": {...}}
std::string to_json(const SignedVote& s);

// Parses and checks a vote for `epoch` of `net`: refused whole if it is for another network
// (WrongNetwork) or epoch (OutOfWindow), not by an authority of net (NotAuthority), its list
// is unsorted or holds a key twice (Malformed), a descriptor fails (its own error), or the
// vote's signature fails (BadSignature).
Result<SignedVote> parse_vote(std::string_view json, const Network& net, std::int64_t epoch);

}  // namespace sotto::directory
