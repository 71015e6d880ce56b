#pragma once
// The consensus: consensus method 1 computed from the authorities' votes, its signatures,
// and the checks every node and client makes before it believes one
// (docs/wire/directory.md, "Consensus" and "Fetching and validity"). Thread-safe, sans-IO.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "directory/network.hpp"
#include "directory/swarms.hpp"
#include "directory/vote.hpp"

namespace sotto::directory {

struct ConsensusNode {
  crypto::Ed25519Public ed25519;
  crypto::X25519Public x25519;
  std::string ip;
  std::uint16_t port_https = 0;
  std::string software;
  std::uint64_t swarm_id = kUnassigned;
};

struct Consensus {
  std::string network_id;
  std::int64_t epoch = 0;
  int method = 1;
  std::int64_t valid_after = 0, fresh_until = 0, valid_until = 0;  // unix seconds
  std::int64_t prev_epoch = -1;
  std::string prev_digest;  // 64 hex, or empty at genesis
  SwarmParams params;
  std::vector<std::string> votes;     // digests of the votes it was computed from, ascending
  std::vector<ConsensusNode> nodes;   // ascending by ed25519

  // The assignment it makes (node key -> swarm id).
  Assignment assignment() const;
  // The assigned swarm ids, ascending and unique (not kUnassigned).
  std::vector<std::uint64_t> swarm_ids() const;
};

struct ConsensusSignature {
  std::int64_t epoch = 0;
  std::string digest;  // 64 hex: the digest of the consensus signed
  crypto::Ed25519Public authority;
  crypto::Signature signature{};
};

inline constexpr std::size_t kMaxConsensusJson = 8 << 20;
inline constexpr int kConsensusMethod = 1;  // the highest method this code computes

std::string canonical_json(const Consensus& c);
// "sotto-consensus-v1" ‖ 0x00 ‖ canonical_json(c)
std::string signed_bytes(const Consensus& c);
std::string digest_hex(const Consensus& c);

// Epoch E's consensus from the votes held for it (already checked by parse_vote; at most
// one per authority) and the previous consensus, or NoConsensus when fewer than
// majority(N) votes are held, no method is shared by more than 2/3 of them, or no node is
// listed by a majority.
Result<Consensus> compute_consensus(const Network& net, std::int64_t epoch, std::span<const SignedVote> votes,
                                    const Consensus* previous);

ConsensusSignature sign_consensus(const Consensus& c, const crypto::Ed25519Secret& sk, const crypto::Ed25519Public& pk);
// {"consensus": {...}, "signatures": [{"epoch", "digest", "authority", "signature"}, ...]}
std::string to_json(const Consensus& c, std::span<const ConsensusSignature> signatures);
std::string to_json(const ConsensusSignature& s);
// A detached signature as an authority sends it to the others.
Result<ConsensusSignature> parse_signature(std::string_view json);

// What a node or client believes: the consensus in `json` if it is of net's network, well
// formed, signed by majority(N) distinct authorities of net over its digest, newer than
// `held_epoch`, and current at now_s (unix seconds). Errors: Malformed, WrongNetwork,
// UnderSigned, Forged (an authority's signature failed and too few held), Replayed, Stale.
Result<Consensus> accept_consensus(std::string_view json, const Network& net, std::optional<std::int64_t> held_epoch,
                                   std::int64_t now_s);

}  // namespace sotto::directory
