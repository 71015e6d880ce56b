// SwarmClient's calls to this account's own swarm (docs/client.md): what a backup stores,
// reads back and deletes. Each reply is decoded once (proto/storage_rpc_replies.hpp).

#include <set>

#include "client/errc.hpp"
#include "client/swarm_client.hpp"
#include "proto/message_hash.hpp"
#include "proto/signed_strings.hpp"
#include "proto/storage_rpc.hpp"

namespace sotto::client {

namespace rpc = proto::rpc;

Result<Answer> SwarmClient::own_swarm_call(const std::function<std::string()>& payload, std::size_t start) {
  auto members = swarm_of(me_);
  if (members.empty()) return Error(Errc::NoNetwork, "the consensus has no swarm for this account (run `sotto network update`)");
  std::string last = "no attempt";
  std::int64_t backoff = 200;
  int syncs = 0;
  for (std::size_t attempt = 0; attempt < members.size() + 2; ++attempt) {
    const auto& member = members[(next_member_ + start + attempt) % members.size()];
    auto r = call(member, payload());
    if (r && rpc::verdict_of(r->status) == rpc::Verdict::ClockOff && syncs < 3) {
      // This clock is off: made again, stamped with the network's time; a member whose
      // time does not move ours leaves it to the next member.
      ++syncs;
      if (sync_clock(members, member)) r = call(member, payload());
      if (r && rpc::verdict_of(r->status) == rpc::Verdict::ClockOff) {
        last = "a member answered 406: " + r->body.substr(0, 200);
        continue;
      }
    }
    if (!r && r.error().is(Errc::NoPath)) return std::move(r).error();
    auto verdict = r ? rpc::verdict_of(r->status) : rpc::Verdict::Failed;
    if (verdict == rpc::Verdict::Ok) return r;
    if (verdict == rpc::Verdict::Refused || verdict == rpc::Verdict::ClockOff)
      return Error(Errc::Refused, "this account's swarm refused (" + std::to_string(r->status) + "): " + r->body.substr(0, 200));
    if (r && r->status == 500)  // a store no member could keep (a quota, a full disk): final, with their reason
      if (auto reply = rpc::decode_swarm_reply(r->body))
        for (const auto& [key, entry] : reply->members) {
          auto m = rpc::decode_store_member(entry);
          if (const auto* f = std::get_if<rpc::MemberFailure>(&m))
            return Error(Errc::Refused, "this account's swarm could not store it: " + f->reason.value_or("no reason given"));
        }
    last = r ? "a member answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200) : r.error().message();
    if (verdict == rpc::Verdict::WrongSwarm) (void)refresh_consensus(0);
    sleep_ms(backoff);
    backoff = std::min<std::int64_t>(backoff * 2, 2000);
  }
  return Error(Errc::Unreachable, "no member of this account's swarm answered (last: " + last + ")");
}

Result<rpc::Hash> SwarmClient::store_own(proto::Namespace ns, ByteView data, std::int64_t ttl_ms) {
  rpc::Store s;
  s.pubkey = me_.bytes();
  s.ns = ns;
  s.ttl = ttl_ms;
  s.data.assign(data.begin(), data.end());
  s.auth.pubkey_ed25519 = keys_.ed25519_public();
  auto r = own_swarm_call([&] {
    s.timestamp = clock_.now_ms();
    s.auth.signature = crypto::sign(keys_.ed25519_secret(), as_bytes(proto::signed_store(ns, s.timestamp)));
    return rpc::encode(s);
  });
  if (!r) return std::move(r).error();
  rpc::Hash hash = proto::message_hash_raw(me_.bytes(), ns, data);
  auto reply = rpc::decode_swarm_reply(r->body);
  if (reply) learn_time(r->node, reply->t);
  if (!reply || count_receipts(*reply, hash, view_.swarm_of(me_.bytes())).verified == 0)
    return Error(Errc::Unreachable, "no member of this account's swarm confirmed a backup part");
  return hash;
}

Result<std::vector<std::pair<std::string, Bytes>>> SwarmClient::retrieve_all(proto::Namespace ns, std::size_t start) {
  constexpr std::size_t kMaxItems = 100'000;
  constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
  std::vector<std::pair<std::string, Bytes>> out;
  std::set<std::string> seen;
  std::size_t bytes = 0;
  std::string last;
  for (;;) {
    auto r = own_swarm_call([&] { return signed_retrieve(ns, last, std::nullopt); }, start);
    if (!r) return std::move(r).error();
    auto reply = rpc::decode_retrieve_reply(r->body);
    if (!reply) return Error(Errc::Io, "the node's retrieve reply is not the documented JSON (" + reply.error().message() + ")");
    learn_time(r->node, reply->t);
    bool anything_new = false;
    for (auto& item : reply->items) {
      last = rpc::hash_text(item.hash);
      if (!seen.insert(last).second) continue;  // a page again: not counted twice
      anything_new = true;
      if (item.data && proto::message_hash_raw(me_.bytes(), ns, *item.data) == item.hash) {
        bytes += item.data->size();
        out.emplace_back(last, std::move(*item.data));
      }
      if (seen.size() > kMaxItems || bytes > kMaxBytes)
        return Error(Errc::Refused, "a member of this account's swarm sent more than a node may hold for it (" + std::to_string(seen.size()) +
                                        " items, " + std::to_string(bytes) + " bytes)");
    }
    if (!reply->more || !anything_new) return out;
  }
}

Result<std::size_t> SwarmClient::delete_own(const std::vector<std::string>& hashes) {
  std::size_t deleted = 0;
  for (std::size_t start = 0; start < hashes.size(); start += proto::kMaxHashesPerRequest) {
    rpc::Delete d;
    d.pubkey = me_.bytes();
    for (std::size_t i = start; i < std::min(hashes.size(), start + proto::kMaxHashesPerRequest); ++i) {
      auto h = rpc::parse_hash(hashes[i]);
      if (!h) return Error(Errc::Io, "not a message hash: " + hashes[i].substr(0, 64));
      d.messages.push_back(*h);
    }
    d.auth.pubkey_ed25519 = keys_.ed25519_public();
    d.auth.signature = crypto::sign(keys_.ed25519_secret(), as_bytes(proto::signed_delete(rpc::hash_texts(d.messages))));
    std::string payload = rpc::encode(d);
    auto r = own_swarm_call([&] { return payload; });
    if (!r) return std::move(r).error();
    learn_time(r->node, rpc::reply_time(r->body));
    deleted += d.messages.size();
  }
  return deleted;
}

}  // namespace sotto::client
