#pragma once
// A client's view of the network (docs/client.md, "The network"): the network.json it was
// given and the newest consensus it accepted, both kept in the profile, so that a later
// run never goes back to an older epoch (a replayed or older consensus is refused even
// after the one held has expired). Sans-IO: the caller fetches documents and offers them.
// Not thread-safe: one process owns a profile at a time.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "client/profile.hpp"
#include "directory/consensus.hpp"
#include "directory/network.hpp"

namespace sotto::client {

class NetworkView {
 public:
  static constexpr const char* kNetworkFile = "network.json";
  static constexpr const char* kConsensusFile = "consensus.json";

  // Checks `network_json` and keeps it in the profile. A different network (another
  // network_id or other authorities) also forgets the consensus held for the old one.
  static Result<directory::Network> use(const Profile& profile, std::string_view network_json);
  // `use` with the network.json at `path` (NoNetwork if it cannot be read or exceeds
  // kMaxNetworkJson); the file the profile holds already changes nothing.
  static Result<void> use_file(const Profile& profile, const std::string& path);

  // The profile's network and held consensus. NoNetwork if `use` never ran. A held
  // consensus is used while accept_consensus would still take it (until its valid_until +
  // the network's tolerance_seconds); after that current() is null, but its epoch still
  // is the floor for the next one.
  static Result<NetworkView> open(const Profile& profile, std::int64_t now_s);

  // A consensus fetched from a node or an authority: accepted (and saved) if it is well
  // formed, signed by a majority of the authorities, current at now_s and newer than the
  // epoch held. Anything else changes nothing and says why (accept_consensus's errors).
  Result<const directory::Consensus*> offer(std::string_view consensus_json, std::int64_t now_s);

  const directory::Network& network() const { return net_; }
  const directory::Consensus* current() const { return current_ ? &*current_ : nullptr; }
  std::optional<std::int64_t> held_epoch() const { return floor_; }

  // The members of the swarm of `account` (33 bytes) in the current consensus; empty when
  // there is none, or no swarm.
  std::vector<directory::ConsensusNode> swarm_of(std::span<const std::uint8_t, 33> account) const;

 private:
  NetworkView(const Profile& profile, directory::Network net) : profile_(profile), net_(std::move(net)) {}
  Profile profile_;
  directory::Network net_;
  std::optional<directory::Consensus> current_;
  std::optional<std::int64_t> floor_;
};

}  // namespace sotto::client
