#include "client/swarm_client.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "client/errc.hpp"
#include "client/peers.hpp"
#include "directory/errc.hpp"
#include "proto/message_hash.hpp"
#include "proto/signed_strings.hpp"
#include "proto/storage_rpc.hpp"

namespace sotto::client {

namespace rpc = proto::rpc;

Result<TransportReply> Transport::get(const std::string& host, std::uint16_t port, std::string_view) {
  return Error(Errc::Unreachable, "this transport cannot fetch documents from " + host + ":" + std::to_string(port));
}

Receipts count_receipts(const rpc::SwarmReply& reply, const rpc::Hash& hash, const std::vector<directory::ConsensusNode>& members) {
  std::set<crypto::Ed25519Public> named, verified;  // each member once, however its key is spelled
  const std::string text = rpc::hash_text(hash);
  for (const auto& [key, entry] : reply.members) {
    auto pk = crypto::Ed25519Public::from_hex(key);
    // Only members of the account's swarm by the consensus count: the answering node
    // cannot make up receipts of its own invention.
    if (!pk || std::none_of(members.begin(), members.end(), [&](const auto& n) { return n.ed25519 == *pk; })) continue;
    named.insert(*pk);
    auto m = rpc::decode_store_member(entry);
    const auto* receipt = std::get_if<rpc::StoreReceipt>(&m);
    if (receipt && receipt->hash == hash && crypto::verify(receipt->signature, as_bytes(text), *pk)) verified.insert(*pk);
  }
  return {static_cast<int>(verified.size()), static_cast<int>(named.size())};
}

namespace {

// The record in the setting's text (none: no guards yet), without the guards whose time is up.
Result<std::vector<RememberedGuard>> guards_in(const std::optional<std::string>& text, std::int64_t now_ms) {
  if (!text) return std::vector<RememberedGuard>{};
  auto g = parse_guards(*text);
  if (!g) return std::move(g).error();
  return unexpired(std::move(*g), now_ms);
}

}  // namespace

SwarmClient::SwarmClient(Profile profile, const crypto::Keypair& keys, LocalStore& store, Transport& transport, base::Rng& rng,
                         const base::Clock& clock, SwarmClientOptions options, NetworkView view)
    : profile_(std::move(profile)),
      keys_(keys),
      me_(crypto::account_id_of(keys)),
      store_(store),
      transport_(transport),
      rng_(rng),
      clock_(clock),
      options_(std::move(options)),
      view_(std::move(view)),
      onion_(transport, rng) {
  if (view_.current()) onion_.set_nodes(view_.current()->nodes);
}

Result<std::unique_ptr<SwarmClient>> SwarmClient::open(const Profile& profile, const crypto::Keypair& keys, LocalStore& store,
                                                       Transport& transport, base::Rng& rng, const base::Clock& clock,
                                                       SwarmClientOptions options) {
  auto view = NetworkView::open(profile, clock.now_ms() / 1000);
  if (!view) return std::move(view).error();
  auto text = store.setting(kGuardsSetting);
  if (!text) return std::move(text).error();
  auto guards = guards_in(*text, clock.now_ms());
  if (!guards)
    return Error(guards.error().code(), guards.error().message() + " (to start over with new guards: sqlite3 " + (profile.dir() / "profile.db").string() +
                                            " \"DELETE FROM settings WHERE key = '" + kGuardsSetting + "'\")");
  std::unique_ptr<SwarmClient> c(new SwarmClient(profile, keys, store, transport, rng, clock, std::move(options), std::move(*view)));
  std::vector<crypto::Ed25519Public> preferred;
  for (const auto& g : *guards) preferred.push_back(g.ed25519);
  c->onion_.pool().prefer_guards(std::move(preferred));
  c->guards_ = std::move(*guards);
  return c;
}

void SwarmClient::sleep_ms(std::int64_t ms) {
  if (options_.sleep) return options_.sleep(ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void SwarmClient::retire_expired_guards() {
  std::int64_t now = clock_.local_ms();
  for (const auto& g : guards_)
    if (g.until_ms <= now) onion_.pool().retire_guard(g.ed25519);
  guards_ = unexpired(std::move(guards_), now);
}

void SwarmClient::remember_guards() {
  auto confirmed = onion_.pool().confirmed_guards();
  bool news = std::any_of(confirmed.begin(), confirmed.end(), [&](const crypto::Ed25519Public& k) {
    return std::none_of(guards_.begin(), guards_.end(), [&](const RememberedGuard& g) { return g.ed25519 == k; });
  });
  if (!news) return;
  std::int64_t now = clock_.local_ms();
  std::set<crypto::Ed25519Public> listed;
  if (view_.current())
    for (const auto& n : view_.current()->nodes) listed.insert(n.ed25519);
  std::vector<RememberedGuard> record;
  // Read, merge and write in one transaction: what another process (a `listen` beside a
  // `send`) added meanwhile stays.
  auto saved = store_.update_setting(kGuardsSetting, [&](const std::optional<std::string>& text) -> Result<std::string> {
    auto stored = guards_in(text, now);
    if (!stored) return std::move(stored).error();
    record = remember(std::move(*stored), confirmed, listed, now, rng_);
    return guards_text(record);
  });
  if (!saved) {
    // The request itself succeeded: it is not failed for this. Tried again after the next
    // request (guards_ is unchanged), and said.
    if (options_.warn) options_.warn("the onion guards could not be saved in the profile (tried again after the next request): " + saved.error().message());
    return;
  }
  guards_ = std::move(record);
}

Result<void> SwarmClient::refresh_consensus(std::int64_t max_age_s) {
  std::int64_t now_s = clock_.local_ms() / 1000;
  if (view_.current() && max_age_s > 0 && now_s - view_.current()->valid_after < max_age_s) return {};
  std::vector<std::string> urls;
  for (const auto& a : view_.network().authorities) urls.push_back(a.url);
  for (const auto& s : view_.network().seed_nodes) urls.push_back(s.url);
  std::string why;
  for (const auto& url : urls) {
    auto at = parse_node_url(url);
    if (!at) continue;
    auto r = transport_.get(at->first, at->second, "/directory/v1/consensus");
    if (!r || r->status != 200 || r->body.size() > directory::kMaxConsensusJson) {
      why = url + ": " + (!r ? r.error().message() : "answered " + std::to_string(r->status));
      continue;
    }
    auto got = view_.offer(r->body, now_s);
    if (got) {
      onion_.set_nodes(view_.current()->nodes);
      return {};
    }
    if (got.error().is(directory::Errc::Replayed) && view_.current()) return {};  // the newest already
    why = url + ": " + got.error().message();
  }
  if (view_.current()) return {};  // the one held is still current: use it
  return Error(Errc::NoNetwork, "no current consensus of the network, and none could be fetched" + (why.empty() ? "" : " (" + why + ")"));
}

std::vector<directory::ConsensusNode> SwarmClient::swarm_of(const crypto::AccountId& who) {
  auto members = view_.swarm_of(who.bytes());
  if (members.empty() && refresh_consensus(0)) members = view_.swarm_of(who.bytes());
  return members;
}

Result<Answer> SwarmClient::call(const directory::ConsensusNode& member, const std::string& payload) {
  if (options_.onion) {
    retire_expired_guards();
    auto r = onion_.rpc(member, payload);
    if (!r && r.error().is(Errc::NoPath) && view_.current() && onion_.pool().usable_nodes() < view_.current()->nodes.size()) {
      // Nodes struck out until too few were left: after an outage of the network (or of
      // this machine's connection) that says little about the nodes. Start over with a
      // clean slate instead of giving up for good.
      onion_.set_nodes({});
      onion_.set_nodes(view_.current()->nodes);
      r = onion_.rpc(member, payload);
    }
    if (!r) return std::move(r).error();
    remember_guards();
    return Answer{r->status, std::move(r->body), std::move(r->path), r->destination};
  }
  auto r = transport_.post(member.ip, member.port_https, "/storage_rpc/v1", payload);
  if (!r) return Error(Errc::Unreachable, "cannot reach node " + member.ed25519.hex().substr(0, 8) + ": " + r.error().message());
  return Answer{r->status, std::move(r->body), {}, member.ed25519.hex()};
}

void SwarmClient::learn_time(const std::string& node_hex, std::optional<std::int64_t> t) {
  if (!t) return;
  // No node's time comes before the consensus it is listed in (a day of slack).
  std::int64_t floor = view_.current() ? (view_.current()->valid_after - 86'400) * 1000 : 0;
  clock_.learn(node_hex, *t, floor);
}

bool SwarmClient::sync_clock(const std::vector<directory::ConsensusNode>& members, const directory::ConsensusNode& first) {
  std::int64_t before = clock_.offset_ms();
  std::vector<const directory::ConsensusNode*> ask{&first};
  for (const auto& n : members)
    if (!(n.ed25519 == first.ed25519)) ask.push_back(&n);
  // The node that refused, then others, until two agree on a time that moves ours (at
  // most 3 asked: one liar among them is outvoted).
  for (std::size_t i = 0; i < ask.size() && i < 3 && clock_.offset_ms() == before; ++i)
    if (auto r = call(*ask[i], rpc::encode(rpc::Info{})); r && r->status == 200) learn_time(r->node, rpc::reply_time(r->body));
  return clock_.offset_ms() != before;
}

std::string SwarmClient::signed_retrieve(proto::Namespace ns, const std::string& last_hash, std::optional<std::int64_t> wait_s) {
  rpc::Retrieve r;
  r.pubkey = me_.bytes();
  r.ns = ns;
  r.timestamp = clock_.now_ms();
  if (!last_hash.empty())
    if (auto h = rpc::parse_hash(last_hash)) r.last_hash = *h;
  r.wait = wait_s;
  r.auth.pubkey_ed25519 = keys_.ed25519_public();
  r.auth.signature = crypto::sign(keys_.ed25519_secret(), as_bytes(proto::signed_retrieve(ns, *r.timestamp)));
  return rpc::encode(r);
}

}  // namespace sotto::client
