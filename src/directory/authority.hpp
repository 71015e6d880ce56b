#pragma once
// A directory authority's state, sans-IO (docs/wire/directory.md): the nodes that
// registered and whether they answer, its vote for an epoch, the votes of the other
// authorities, the consensus it computes and signs, and the signatures that make it valid.
// The daemon (apps/authority) drives it from HTTP requests and a clock; the simulation
// (tests/sim) drives it in memory. Not thread-safe: one owner.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "directory/consensus.hpp"

namespace sotto::directory {

class Authority {
 public:
  Authority(Network net, crypto::Keypair keys);

  const crypto::Ed25519Public& key() const { return keys_.ed25519_public(); }
  const Network& network() const { return net_; }

  // POST /directory/v1/register: a signed descriptor, sent from `from_ip` (the
  // connection's address), which must be the descriptor's own (WrongAddress). Refused too:
  // as parse_descriptor, an older descriptor than the one held for the key (Replayed), a
  // second registration of one key within 10 s, a new key when its address already has
  // registrations_per_ip() of them, or when kMaxUntested registrations are not passing
  // tests and none of them has failed one yet (TooFrequent; else the one that failed most
  // is forgotten to make room): a flood of registrations cannot crowd out honest nodes.
  Result<void> register_node(std::string_view descriptor_json, std::string_view from_ip, std::int64_t now_ms);
  static constexpr std::size_t kMaxRegistered = 20'000;
  static constexpr std::size_t kMaxUntested = 1'000;
  std::size_t registrations_per_ip() const { return 4 * static_cast<std::size_t>(std::max(net_.max_nodes_per_ip, 1)); }
  // A reachability test of `node` passed or failed (the daemon's tester, or a simulation).
  // Ignored when the node registered another address since the test began. Sets when the
  // node is due again (docs/authority.md, "Reachability"): a passing node once an epoch; a
  // failing one after epoch/8, epoch/4, epoch/2, then 1, 2 and at most 4 epochs (back-off).
  void tested(const crypto::Ed25519Public& node, const std::string& ip, std::uint16_t port, bool passed, std::int64_t now_ms);
  // At most `limit` of the nodes whose next test is due at `now_ms` (a new or moved
  // registration at once): those passing first, then the longest overdue. The tester asks
  // again each round, so the order is decided anew as tests finish and nodes register.
  std::vector<Descriptor> due_for_test(std::int64_t now_ms, std::size_t limit = SIZE_MAX) const;
  // A node is dropped from the votes after this many failed tests in a row (one failure,
  // a timeout on a busy machine, does not drop it).
  static constexpr int kDropAfterFailures = 3;

  // This authority's signed vote for `epoch`: every registered node whose descriptor is at
  // most 3 epochs old, that passed a test within the last 2 epochs and has not failed
  // kDropAfterFailures in a row since, at most max_nodes_per_ip per IP (those reachable
  // longest). It is also held as this authority's own vote.
  SignedVote vote(std::int64_t epoch, std::int64_t now_ms);
  // Another authority's vote for `epoch` (POST /directory/v1/vote). Errors as parse_vote;
  // a second, different vote from one authority for one epoch is refused (Replayed).
  Result<void> receive_vote(std::string_view vote_json, std::int64_t epoch);
  // The same in two steps, so that the parsing and the signature checks (the costly part)
  // can run outside the owner's lock: check_vote is a pure function of the network.
  Result<SignedVote> check_vote(std::string_view vote_json, std::int64_t epoch) const { return parse_vote(vote_json, net_, epoch); }
  Result<void> add_vote(SignedVote vote);
  // The vote of `authority` for `epoch`, if held (GET /directory/v1/vote/E/<authority>).
  std::optional<std::string> vote_json(std::int64_t epoch, const crypto::Ed25519Public& authority) const;

  // Computes epoch's consensus from the votes held and the consensus held before it, and
  // signs it. NoConsensus when it cannot (too few votes, ...).
  Result<ConsensusSignature> sign(std::int64_t epoch);
  // Another authority's signature (POST /directory/v1/signature): kept if it verifies over
  // the document this authority computed for that epoch; anything else is refused.
  Result<void> receive_signature(std::string_view signature_json);
  // The signature of `authority` for `epoch`, if held (GET /directory/v1/signature/E).
  std::optional<std::string> signature_json(std::int64_t epoch, const crypto::Ed25519Public& authority) const;
  // The newest consensus holding majority(N) signatures, and its JSON with them
  // (GET /directory/v1/consensus).
  const Consensus* current() const { return current_ ? &*current_ : nullptr; }
  // A newer valid consensus fetched from another authority (after this one missed an
  // epoch or restarted), so that its next document chains on the same one as theirs.
  Result<void> adopt(std::string_view consensus_json, std::int64_t now_s);
  std::optional<std::string> current_json() const { return current_json_; }
  // The consensus of `epoch` with its signatures, while this authority keeps that epoch
  // (GET /directory/v1/consensus/E): a node that joins fetches the one before the current
  // one, to know which nodes held an account's swarm when they push it.
  std::optional<std::string> consensus_json(std::int64_t epoch) const;

 private:
  struct Registered {
    SignedDescriptor descriptor;
    std::int64_t registered_ms = 0;
    std::int64_t last_pass_ms = -1;   // -1: never passed
    std::int64_t first_pass_ms = -1;  // start of the current run of passes
    int failures = 0;                 // failed tests in a row
    std::int64_t next_test_ms = 0;    // due at or after this
  };
  struct Epoch {
    std::map<crypto::Ed25519Public, SignedVote> votes;
    std::optional<Consensus> computed;
    std::map<crypto::Ed25519Public, ConsensusSignature> signatures;  // verified
    std::vector<ConsensusSignature> early;  // before computing: checked then (bounded)
  };
  void publish_if_signed(std::int64_t epoch);

  Network net_;
  crypto::Keypair keys_;
  std::map<crypto::Ed25519Public, Registered> nodes_;
  // Counts over nodes_, kept as it changes: registrations by address, and those not passing.
  std::map<std::string, std::size_t> per_ip_;
  std::size_t untested_ = 0;
  void count(const Registered& r, int delta);
  std::size_t held_at(const std::string& ip) const;
  std::map<std::int64_t, Epoch> epochs_;  // the last few only
  std::optional<Consensus> current_;
  std::optional<std::string> current_json_;
};

// What a node or a client holds: the newest consensus that accept_consensus() accepted.
// Never goes back to an older epoch; a refused offer changes nothing.
class ConsensusHolder {
 public:
  explicit ConsensusHolder(Network net) : net_(std::move(net)) {}
  // Accepts `json` if it is valid at now_s and newer than the one held.
  Result<const Consensus*> offer(std::string_view json, std::int64_t now_s);
  const Consensus* current() const { return current_ ? &*current_ : nullptr; }
  // A newer valid consensus fetched from another authority (after this one missed an
  // epoch or restarted), so that its next document chains on the same one as theirs.
  Result<void> adopt(std::string_view consensus_json, std::int64_t now_s);
  const std::string& current_json() const { return json_; }

 private:
  Network net_;
  std::optional<Consensus> current_;
  std::string json_;
};

}  // namespace sotto::directory
