// Messenger's side of receiving (docs/client.md, "Receive"): a signed retrieve of the own
// swarm that waits for a message (sotto's long-poll extension), every page there is, and
// each item checked (its hash is its data's), decrypted, deduplicated and kept in the
// LocalStore before it is shown.

#include <algorithm>

#include "client/errc.hpp"
#include "client/messenger.hpp"
#include "proto/dm.hpp"
#include "proto/message_hash.hpp"
#include "proto/storage_rpc.hpp"

namespace sotto::client {

namespace rpc = proto::rpc;

Result<std::vector<StoredMessage>> Messenger::take(const rpc::RetrieveReply& reply, const std::string& node) {
  // Expiries are the network's time (the nodes' and the senders'); local_ms is this clock.
  std::int64_t now = clock_.now_ms(), net = nodes_->clock().now_ms();
  std::vector<StoredMessage> incoming;
  std::vector<LocalStore::Seen> seen;
  std::string new_last;
  for (const auto& item : reply.items) {
    std::string hash = rpc::hash_text(item.hash);
    new_last = hash;  // the node's own index, for its next page
    // A hash that is not this data's (Session's storage hash) is a node's invention:
    // neither shown nor remembered, so it can neither replay a message under a new hash
    // nor hide a real one by claiming its hash.
    if (!item.data || proto::message_hash_raw(me().bytes(), 0, *item.data) != item.hash) continue;
    // Remembered until no node keeps it, as the node says, within what a TTL allows.
    std::int64_t expiration = item.expiration.value_or(net + options_.default_ttl_ms);
    seen.push_back({hash, std::clamp(expiration, net, net + options_.default_ttl_ms + 86'400'000)});
    auto dm = proto::decode_dm(keys_, *item.data);
    if (!dm) continue;  // not for us, or forged: dropped (its hash is seen, so never tried again)
    auto from = store_->contact(dm->sender.hex());
    if (!from) return std::move(from).error();
    if (*from && (*from)->blocked) continue;
    StoredMessage m;
    m.peer = dm->sender.hex();
    m.direction = Direction::Incoming;
    m.body = dm->content.body;
    // The sender's clock, bounded (year 2096) so that no sum with it can overflow.
    m.timestamp_ms = static_cast<std::int64_t>(std::min<std::uint64_t>(dm->content.timestamp_ms, kLatestTimestampMs));
    m.local_ms = now;
    m.hash = hash;
    m.state = DeliveryState::Received;
    if (dm->content.expiration_type != proto::ExpirationType::Unknown && dm->content.expiration_timer_s > 0) {
      std::int64_t after = std::int64_t{dm->content.expiration_timer_s} * 1000;
      m.expires_ms = dm->content.expiration_type == proto::ExpirationType::DeleteAfterSend ? m.timestamp_ms + after : net + after;
    }
    incoming.push_back(std::move(m));
  }
  return store_->add_incoming(incoming, seen, node, 0, new_last);
}

Result<std::vector<StoredMessage>> Messenger::receive_once(int wait_s) {
  if (auto p = store_->purge(nodes_->clock().now_ms()); !p) return std::move(p).error();
  auto members = nodes_->swarm_of(me());
  if (members.empty()) return Error(Errc::NoNetwork, "the consensus has no swarm for this account (run `sotto network update`)");
  std::string last_error;
  for (std::size_t tried = 0; tried < members.size();) {
    const auto& member = members[nodes_->first_member() % members.size()];
    std::string node = member.ed25519.hex();
    std::vector<StoredMessage> out;
    int wait = wait_s;
    bool synced = false;
    for (int page = 0; page < 100; ++page) {  // every page there is, then back to the caller
      auto last = store_->last_hash(node, 0);
      if (!last) return std::move(last).error();
      auto r = nodes_->call(member, nodes_->signed_retrieve(0, *last, wait));
      if (r && rpc::verdict_of(r->status) == rpc::Verdict::ClockOff && !synced && nodes_->sync_clock(members, member)) {
        synced = true;  // this clock is off: signed again by the network's
        --page;
        continue;
      }
      if (!r) {
        if (r.error().is(Errc::NoPath) && out.empty()) return std::move(r).error();
        last_error = r.error().message();
        break;
      }
      if (rpc::verdict_of(r->status) == rpc::Verdict::WrongSwarm) {
        (void)nodes_->refresh_consensus(0);
        last_error = "the swarm has moved (421)";
        break;
      }
      auto reply = r->status == 200 ? rpc::decode_retrieve_reply(r->body) : Result<rpc::RetrieveReply>(Error(Errc::Io, ""));
      if (!reply) {
        last_error = "node " + node.substr(0, 8) + " answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200);
        break;
      }
      nodes_->learn_time(r->node, reply->t);
      auto kept = take(*reply, node);
      if (!kept) return std::move(kept).error();
      out.insert(out.end(), std::make_move_iterator(kept->begin()), std::make_move_iterator(kept->end()));
      if (!reply->more || reply->items.empty()) {
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.timestamp_ms < b.timestamp_ms; });
        return out;
      }
      wait = 0;  // more is there: fetch it at once
    }
    if (!out.empty()) return out;  // what came before a failure is kept and shown
    ++tried;
    nodes_->pass_over_member();  // the next member, next time too
    members = nodes_->view().swarm_of(me().bytes());
    if (members.empty()) break;
  }
  return Error(Errc::Unreachable, "no member of this account's swarm answered (last: " + last_error + ")");
}

}  // namespace sotto::client
