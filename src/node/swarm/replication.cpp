#include "node/swarm/replication.hpp"

#include <memory>
#include <mutex>

#include "base/json.hpp"
#include "node/swarm/peer_auth.hpp"
#include "node/swarm/peer_wire.hpp"

namespace sotto::node {

namespace {
// A member's entry: a signed result of a few hundred bytes, or a delete's list of up to
// 1,000 hashes. Read with limits before it goes into the reply the client reads.
constexpr base::JsonLimits kEntryLimits{256 << 10, 4, 1 << 14};
}  // namespace

std::string peer_entry(const std::string& peer_hex, const Result<PeerReply>& answer) {
  using proto::rpc::MemberFailure;
  if (!answer) {
    if (answer.error().is(PeerErrc::NoConnection)) return proto::rpc::encode_member(MemberFailure{true, "no connection", std::nullopt, false});
    return proto::rpc::encode_member(MemberFailure{true, std::nullopt, std::nullopt, true});
  }
  if (answer->status == 200)
    if (auto reply = proto::rpc::decode_swarm_reply(answer->body))
      for (const auto& [key, entry] : reply->members)
        if (key == peer_hex && base::read_json_object(entry, kEntryLimits)) return entry;
  return proto::rpc::encode_member(MemberFailure{answer->status != 200, answer->body.substr(0, 200), answer->status, false});
}

void replicate(PeerLink& link, const crypto::Keypair& keys, const base::Clock& clock, const std::vector<NodeAddress>& peers,
               const std::string& body, std::function<void(Entries)> done) {
  if (peers.empty()) return done({});
  struct State {
    std::mutex mu;
    Entries entries;
    std::size_t left = 0;
    std::function<void(Entries)> done;
  };
  auto st = std::make_shared<State>();
  st->left = peers.size();
  st->done = std::move(done);
  const std::string path = "/sotto/v1/replicate";
  for (const auto& p : peers) {
    std::string key = p.ed25519.hex();
    link.post(p, path, body, sign_peer_request(keys, "POST", path, body, clock.now_ms()), [st, key](Result<PeerReply> r) {
      std::string entry = peer_entry(key, r);
      {
        std::lock_guard lock(st->mu);
        st->entries.emplace_back(key, std::move(entry));
        if (--st->left > 0) return;
      }
      st->done(std::move(st->entries));
    });
  }
}

}  // namespace sotto::node
