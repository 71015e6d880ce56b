#include "node/swarm/peer_service.hpp"

#include <set>

#include "node/swarm/peer_wire.hpp"

namespace sotto::node {

namespace {
PeerAnswer text(int status, std::string why) { return {status, std::move(why), false}; }
// A sender over its bounds may try again later (503); any other refusal is about who sent it.
int refusal_status(const Error& e) { return e.is(PeerErrc::Busy) ? 503 : 401; }
}  // namespace

Result<crypto::Ed25519Public> PeerService::verify(std::string_view target, const std::string& body, std::string_view auth,
                                                  const std::optional<storage::AccountKey>& holder_of) {
  return verifier_.verify(auth, "POST", target, body, clock_.now_ms(), [&](const crypto::Ed25519Public& k) {
    if (target != "/sotto/v1/push") return hooks_.is_swarm_member(k);
    return holder_of && hooks_.held_account(k, *holder_of);  // a push: from a node that holds or held the account
  });
}

bool PeerService::handle(std::string_view target, const std::string& body, std::string_view auth, std::function<void(PeerAnswer)> reply) {
  if (target == "/sotto/v1/replicate") {
    auto from = verify(target, body, auth, std::nullopt);
    if (!from) return reply(text(refusal_status(from.error()), from.error().detail())), true;
    hooks_.replicated(body, std::move(reply));  // stored here; never forwarded again
    return true;
  }
  if (target == "/sotto/v1/push") {
    push(body, auth, reply);
    return true;
  }
  if (target == "/sotto/v1/summary" || target == "/sotto/v1/hashes" || target == "/sotto/v1/fetch") {
    auto from = verify(target, body, auth, std::nullopt);
    if (!from) return reply(text(refusal_status(from.error()), from.error().detail())), true;
    reply(anti_entropy(target, body));
    return true;
  }
  return false;
}

void PeerService::push(const std::string& body, std::string_view auth, const std::function<void(PeerAnswer)>& reply) {
  // The account first, read from the top level alone: the sender is checked against it
  // before the body is read.
  auto account = account_of(body);
  auto from = verify("/sotto/v1/push", body, auth, account ? std::optional<storage::AccountKey>(*account) : std::nullopt);
  if (!from) return reply(text(refusal_status(from.error()), from.error().detail()));
  auto p = decode_push(body);
  if (!p) return reply(text(400, "push: " + p.error().detail()));
  if (!hooks_.is_ours(p->account)) {
    // The sender may be ahead: a consensus that puts this node in the account's swarm.
    // Only an epoch that can exist by the clock (the current one or the next) counts, and
    // each new one makes this node fetch once: a peer cannot make it fetch on and on.
    std::int64_t theirs = p->epoch.value_or(-1);
    if (theirs > hooks_.epoch() && theirs <= hooks_.clock_epoch() + 1) {
      bool fetch = false;
      {
        std::lock_guard lock(mu_);
        if (theirs > fetch_now_epoch_) fetch_now_epoch_ = theirs, fetch = true;
      }
      if (fetch) hooks_.newer_epoch(theirs);
      return reply(text(503, "push: this node has not seen the consensus of epoch " + std::to_string(theirs) + " yet"));
    }
    return reply(text(421, "push: that account is not this node's swarm's"));
  }
  auto keep = std::make_shared<std::vector<PeerMessage>>(std::move(p->messages));
  // Each message on its own: one the rules refuse is named in the reply, the rest stored.
  auto checked = to_store(p->account, *keep, clock_.now_ms());
  std::size_t n = checked.store.size();
  hooks_.store(keep, std::move(checked.store), [reply, n, refused = std::move(checked.refused)](Result<void> r) {
    if (!r) reply(text(500, "push: " + r.error().message()));
    else reply({200, encode_stored(n, refused), true});
  });
}

PeerAnswer PeerService::anti_entropy(std::string_view target, const std::string& body) {
  auto reader = hooks_.open_reader();
  if (!reader) return text(500, "the node could not open its database");
  const std::int64_t now = clock_.now_ms();
  if (target == "/sotto/v1/summary") {
    auto out = summary_of(**reader, hooks_.is_ours, now);
    if (!out) return text(500, out.error().message());
    return {200, encode_summary(*out), true};
  }
  if (target == "/sotto/v1/hashes") {
    auto r = decode_hashes_request(body);
    if (!r) return text(400, r.error().detail());
    auto by_ns = (*reader)->hashes_of(r->account, now);
    if (!by_ns) return text(500, by_ns.error().message());
    auto it = by_ns->find(r->ns);
    return {200, encode_hashes(it == by_ns->end() ? std::vector<storage::MessageHash>{} : it->second), true};
  }
  auto r = decode_fetch_request(body);
  if (!r) return text(400, r.error().detail());
  std::set<storage::MessageHash> want(r->hashes.begin(), r->hashes.end());
  auto msgs = (*reader)->messages_of(r->account, now);
  if (!msgs) return text(500, msgs.error().message());
  std::vector<const storage::Message*> out;
  for (const auto& m : *msgs)
    if (want.contains(m.hash)) out.push_back(&m);
  return {200, encode_messages(out), true};
}

}  // namespace sotto::node
