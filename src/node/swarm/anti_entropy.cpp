#include "node/swarm/anti_entropy.hpp"

#include <algorithm>
#include <set>

#include "crypto/hash.hpp"

namespace sotto::node {

std::string digest_of(const std::vector<storage::MessageHash>& hashes) {
  Bytes all;
  for (const auto& h : hashes) all.insert(all.end(), h.begin(), h.end());
  return base::to_hex(crypto::blake2b_256(all));
}

Result<Summary> summary_of(storage::MessageStore& reader, const std::function<bool(const storage::AccountKey&)>& ours, std::int64_t now_ms) {
  auto accounts = reader.accounts();
  if (!accounts) return std::move(accounts).error();
  Summary out;
  for (const auto& a : *accounts) {
    if (!ours(a)) continue;
    auto by_ns = reader.hashes_of(a, now_ms);
    if (!by_ns) return std::move(by_ns).error();
    if (by_ns->empty()) continue;
    auto& d = out[a];
    for (const auto& [ns, hs] : *by_ns) d[ns] = digest_of(hs);
  }
  return out;
}

Result<PeerReply> AntiEntropy::call(const NodeAddress& peer, const std::string& path, const std::string& body) {
  auto r = signed_call(link_, keys_, clock_, peer, path, body);
  if (r && r->status != 200) return Error(PeerErrc::Malformed, path + ": " + std::to_string(r->status) + " " + r->body.substr(0, 200));
  return r;
}

SyncStats AntiEntropy::sync_with(const NodeAddress& peer, storage::MessageStore& reader,
                                 const std::function<bool(const storage::AccountKey&)>& ours, const std::function<bool()>& stopping) {
  SyncStats stats;
  auto reply = call(peer, "/sotto/v1/summary", "{}");
  auto theirs = reply ? decode_summary(reply->body) : Result<Summary>(reply.error());
  if (!theirs) return stats.failure = theirs.error().message(), stats;
  const std::int64_t now = clock_.now_ms();
  auto mine = summary_of(reader, ours, now);
  if (!mine) return stats.failure = mine.error().message(), stats;
  // The (account, namespace) pairs whose digests differ, or that one side lacks.
  auto digest = [](const Summary& side, const storage::AccountKey& a, proto::Namespace ns) -> std::string {
    auto it = side.find(a);
    if (it == side.end()) return "";
    auto d = it->second.find(ns);
    return d == it->second.end() ? "" : d->second;
  };
  std::set<std::pair<storage::AccountKey, proto::Namespace>> differ;
  for (const Summary* side : {&*mine, &*theirs})
    for (const auto& [a, by_ns] : *side)
      for (const auto& [ns, d] : by_ns)
        if (digest(*mine, a, ns) != digest(*theirs, a, ns)) differ.insert({a, ns});
  // Each account's hashes and messages, read once for all its namespaces (`differ` is
  // ordered by account).
  std::optional<storage::AccountKey> cached;
  Result<std::map<proto::Namespace, std::vector<storage::MessageHash>>> my_by_ns = Error(PeerErrc::Malformed, "");
  Result<std::vector<storage::Message>> my_msgs = Error(PeerErrc::Malformed, "");
  for (const auto& [a, ns] : differ) {
    if (stopping()) break;
    if (!ours(a)) continue;
    if (cached != a) {
      cached = a;
      my_by_ns = reader.hashes_of(a, now);
      my_msgs = reader.messages_of(a, now);
    }
    if (!my_by_ns || !my_msgs) {  // never as if this node held nothing
      if (stats.failure.empty()) stats.failure = !my_by_ns ? my_by_ns.error().message() : my_msgs.error().message();
      continue;
    }
    static const std::vector<storage::MessageHash> kNone;
    auto it = my_by_ns->find(ns);
    sync_one(peer, a, ns, !digest(*theirs, a, ns).empty(), it == my_by_ns->end() ? kNone : it->second, *my_msgs, stats, stopping);
  }
  return stats;
}

void AntiEntropy::sync_one(const NodeAddress& peer, const storage::AccountKey& account, proto::Namespace ns, bool peer_has_it,
                           const std::vector<storage::MessageHash>& mine, const std::vector<storage::Message>& messages, SyncStats& stats,
                           const std::function<bool()>& stopping) {
  auto fail = [&](const std::string& why) {
    if (stats.failure.empty()) stats.failure = why;
  };
  std::set<storage::MessageHash> their_hashes;
  if (peer_has_it) {
    auto r = call(peer, "/sotto/v1/hashes", encode_hashes_request({account, ns}));
    auto hashes = r ? decode_hashes(r->body) : Result<std::vector<storage::MessageHash>>(r.error());
    if (!hashes) return fail(hashes.error().message());
    their_hashes.insert(hashes->begin(), hashes->end());
  }
  // What the peer lacks: pushed to it, in batches of about kPushBatchBytes.
  std::vector<const storage::Message*> missing;
  std::size_t bytes = 0;
  auto flush = [&] {
    if (!missing.empty()) {
      auto r = call(peer, "/sotto/v1/push", encode_push(account, std::nullopt, missing));
      auto took = r ? decode_stored(r->body) : Result<Stored>(r.error());
      if (!took) fail(took.error().message());
      else {
        stats.sent += took->stored;
        stats.refused += took->refused;
        if (!took->refusals.empty() && stats.first_refusal.empty()) stats.first_refusal = "pushed: " + took->refusals.front().why;
      }
    }
    missing.clear();
    bytes = 0;
  };
  for (const auto& m : messages)
    if (m.ns == ns && !their_hashes.contains(m.hash)) {
      missing.push_back(&m);
      if ((bytes += m.data.size()) > kPushBatchBytes) flush();
    }
  flush();
  // What this node lacks: fetched, checked, stored.
  std::set<storage::MessageHash> my_hashes(mine.begin(), mine.end());
  std::vector<storage::MessageHash> want;
  for (const auto& h : their_hashes)
    if (!my_hashes.contains(h)) want.push_back(h);
  for (std::size_t i = 0; i < want.size() && !stopping(); i += kFetchMax) {
    FetchRequest f{account, {want.begin() + static_cast<std::ptrdiff_t>(i), want.begin() + static_cast<std::ptrdiff_t>(std::min(want.size(), i + kFetchMax))}};
    auto r = call(peer, "/sotto/v1/fetch", encode_fetch_request(f));
    auto got = r ? decode_messages(r->body) : Result<std::vector<PeerMessage>>(r.error());
    if (!got) return fail(got.error().message());
    auto keep = std::make_shared<std::vector<PeerMessage>>(std::move(*got));
    auto checked = to_store(account, *keep, clock_.now_ms());  // now: a long sync sees newer messages
    stats.refused += checked.refused.size();
    if (!checked.refused.empty() && stats.first_refusal.empty()) stats.first_refusal = "fetched: " + checked.refused.front().why;
    stats.fetched += checked.store.size();
    store_(keep, std::move(checked.store), [](Result<void>) {});
  }
}

}  // namespace sotto::node
