#include "node/swarm/replication.hpp"

#include "base/json.hpp"

namespace sotto::node {

namespace {
// A member's entry: a signed result of a few hundred bytes, or a delete's list of up to
// 1,000 hashes. Read with limits before it goes into the reply the client reads.
constexpr base::JsonLimits kEntryLimits{256 << 10, 4, 1 << 14};
}  // namespace

std::string peer_entry(const std::string& peer_hex, const Result<PeerAnswer>& answer) {
  if (!answer) return proto::rpc::encode_member(proto::rpc::MemberFailure{true, std::nullopt, std::nullopt, true});
  if (answer->status == 200)
    if (auto reply = proto::rpc::decode_swarm_reply(answer->body))
      for (const auto& [key, entry] : reply->members)
        if (key == peer_hex) {
          auto checked = base::read_json_object(entry, kEntryLimits);
          if (checked) return entry;
        }
  return proto::rpc::encode_member(
      proto::rpc::MemberFailure{answer->status != 200, answer->body.substr(0, 200), answer->status, false});
}

std::string unreachable_entry() { return proto::rpc::encode_member(proto::rpc::MemberFailure{true, "no connection", std::nullopt, false}); }

}  // namespace sotto::node
