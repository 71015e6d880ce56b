#include "client/messenger.hpp"

#include <algorithm>
#include <chrono>

#include "client/errc.hpp"
#include "proto/dm.hpp"
#include "proto/message_hash.hpp"
#include "proto/storage_rpc.hpp"

namespace sotto::client {

namespace rpc = proto::rpc;

Messenger::Messenger(crypto::Keypair keys, base::Rng& rng, const base::Clock& clock, MessengerOptions options, std::unique_ptr<LocalStore> store)
    : keys_(std::move(keys)), rng_(rng), clock_(clock), options_(std::move(options)), store_(std::move(store)) {}

Result<std::unique_ptr<Messenger>> Messenger::open(const Profile& profile, crypto::Keypair keys, Transport& transport, base::Rng& rng,
                                                   const base::Clock& clock, MessengerOptions options) {
  auto store = LocalStore::open(profile.dir());
  if (!store) return std::move(store).error();
  std::unique_ptr<Messenger> m(new Messenger(std::move(keys), rng, clock, options, std::move(*store)));
  auto nodes = SwarmClient::open(profile, m->keys_, *m->store_, transport, rng, clock, {options.onion, options.warn, options.sleep});
  if (!nodes) return std::move(nodes).error();
  m->nodes_ = std::move(*nodes);
  return m;
}

Result<Bytes> Messenger::encode_outgoing(const crypto::AccountId& to, const std::string& text, std::int64_t timestamp_ms,
                                         std::uint32_t disappear_after_s) {
  proto::Content content;
  content.body = text;
  content.timestamp_ms = static_cast<std::uint64_t>(timestamp_ms);
  if (disappear_after_s > 0) {
    content.expiration_type = proto::ExpirationType::DeleteAfterSend;
    content.expiration_timer_s = disappear_after_s;
  }
  return proto::encode_dm(keys_, to, content, static_cast<std::uint64_t>(timestamp_ms), rng_);
}

Result<SendReport> Messenger::send(const crypto::AccountId& to, const std::string& text, std::uint32_t disappear_after_s) {
  auto contact = store_->contact(to.hex());
  if (!contact) return std::move(contact).error();
  if (*contact && (*contact)->blocked) return Error(Errc::Blocked, "this contact is blocked: unblock it first (sotto contacts unblock)");
  std::int64_t now = nodes_->clock().now_ms();
  auto data = encode_outgoing(to, text, now, disappear_after_s);
  if (!data) return std::move(data).error();
  StoredMessage m;
  m.peer = to.hex();
  m.direction = Direction::Outgoing;
  m.body = text;
  m.timestamp_ms = now;
  m.local_ms = clock_.now_ms();  // when it was made, by this clock (the history's order)
  m.hash = proto::message_hash(to.bytes(), 0, *data);
  m.state = DeliveryState::Sending;
  m.ttl_ms = disappear_after_s > 0 ? std::int64_t{disappear_after_s} * 1000 : options_.default_ttl_ms;
  if (disappear_after_s > 0) m.expires_ms = now + m.ttl_ms;
  m.data = base::to_base64(*data);
  auto id = store_->add_outgoing(m);
  if (!id) return std::move(id).error();
  m.id = *id;
  return deliver(m, to);
}

Result<SendReport> Messenger::retry(std::int64_t id) {
  auto m = store_->message(id);
  if (!m) return std::move(m).error();
  if (!*m || (*m)->direction != Direction::Outgoing) return Error(Errc::Io, "no outgoing message " + std::to_string(id) + " in this profile");
  if ((*m)->state == DeliveryState::Sent) return Error(Errc::Io, "message " + std::to_string(id) + " was delivered already");
  if ((*m)->data.empty()) return Error(Errc::Io, "message " + std::to_string(id) + " has no data left to send");
  if ((*m)->local_ms + (*m)->ttl_ms <= clock_.now_ms() + proto::kStoreToleranceMs)  // both by this clock: no offset needed
    return Error(Errc::Refused, "message " + std::to_string(id) + " has expired (its time to live ran out): send it again as a new message");
  auto to = crypto::AccountId::parse((*m)->peer);
  if (!to) return std::move(to).error();
  return deliver(**m, *to);
}

Result<SendReport> Messenger::deliver(const StoredMessage& m, const crypto::AccountId& to) {
  auto members = nodes_->swarm_of(to);
  auto give_up = [&](Error e) -> Result<SendReport> {
    if (auto r = store_->set_outcome(m.id, DeliveryState::Failed, 0, static_cast<int>(members.size())); !r) return std::move(r).error();
    return Error(e.code(), e.message() + "; message " + std::to_string(m.id) + " is kept as failed (`sotto retry " + std::to_string(m.id) +
                               "` sends it again)");
  };
  if (members.empty()) return give_up(Error(Errc::NoNetwork, "the consensus has no swarm for this account (run `sotto network update`)"));
  auto hash = rpc::parse_hash(m.hash);
  auto data = base::from_base64(m.data);
  if (!hash || !data) return give_up(Error(Errc::Io, "the profile holds this message damaged"));
  rpc::Store store;
  store.pubkey = to.bytes();
  store.timestamp = m.timestamp_ms;  // the node's timestamp of the message (its expiry counts from it)
  store.ttl = m.ttl_ms;
  store.data = std::move(*data);
  std::string payload = rpc::encode(store);
  int syncs = 0;
  std::uint64_t start = 0;
  rng_.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&start), sizeof start));
  std::int64_t backoff = 200;
  std::string last = "no attempt";
  for (int attempt = 0; attempt < options_.send_attempts + syncs; ++attempt) {
    const auto& member = members[(start + static_cast<std::uint64_t>(attempt)) % members.size()];
    auto r = nodes_->call(member, payload);
    auto verdict = r ? rpc::verdict_of(r->status) : rpc::Verdict::Failed;
    if (!r) {
      if (r.error().is(Errc::NoPath)) return give_up(std::move(r).error());
      last = r.error().message();
    } else if (verdict == rpc::Verdict::WrongSwarm) {  // the swarm moved: a newer consensus says where
      last = "the swarm has moved (421)";
      (void)nodes_->refresh_consensus(0);
      if (auto moved = nodes_->view().swarm_of(to.bytes()); !moved.empty()) members = std::move(moved);
      continue;
    } else if (verdict == rpc::Verdict::Ok) {
      auto reply = rpc::decode_swarm_reply(r->body);  // the one reading of the reply
      if (reply) nodes_->learn_time(r->node, reply->t);
      auto receipts = reply ? count_receipts(*reply, *hash, members) : Receipts{};
      if (receipts.verified > 0) {
        int size = static_cast<int>(members.size());
        if (auto s = store_->set_outcome(m.id, DeliveryState::Sent, receipts.verified, size); !s) return std::move(s).error();
        return SendReport{m.id, m.hash, receipts.verified, size, m.timestamp_ms, attempt + 1, r->path};
      }
      last = "the answer held no receipt that verifies";
    } else if (verdict == rpc::Verdict::ClockOff && syncs < 3) {
      // This clock is off from the network's. Once two nodes agree on the network's time,
      // the store is stamped with the moment the message was made, by that time; its data
      // (and so its hash) stay as they are, so a copy some member took on an earlier
      // attempt merges with it. Then on to the next member at once. A 406 that moves
      // nothing leaves the message to the next member.
      ++syncs;
      last = "a member answered 406: " + r->body.substr(0, 200);
      if (nodes_->sync_clock(members, member)) {
        std::int64_t made = m.local_ms + nodes_->clock().offset_ms();
        std::int64_t offset = nodes_->clock().offset_ms();
        if (made + m.ttl_ms < nodes_->clock().now_ms() - proto::kStoreToleranceMs)  // what a node refuses as expired
          return give_up(Error(Errc::Refused, "the message has expired by the network's time (this machine's clock is " +
                                                  std::to_string(std::llabs(offset) / 1000) + " s " + (offset < 0 ? "ahead" : "behind") + ")"));
        store.timestamp = made;
        payload = rpc::encode(store);
        continue;  // to the next member; the sync adds an attempt (the bound counts syncs)
      }
    } else if (verdict == rpc::Verdict::Busy || verdict == rpc::Verdict::Failed) {
      last = "a member answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200);
    } else {  // the request itself is refused: another attempt would be too
      return give_up(Error(Errc::Refused, "the swarm refused the message (" + std::to_string(r->status) + "): " + r->body.substr(0, 200)));
    }
    if (attempt + 1 < options_.send_attempts) {
      nodes_->sleep_ms(backoff);
      backoff = std::min<std::int64_t>(backoff * 2, 4000);
    }
  }
  return give_up(Error(Errc::Unreachable, "no member of the recipient's swarm stored the message after " +
                                              std::to_string(options_.send_attempts) + " attempts (last: " + last + ")"));
}

Result<std::vector<StoredMessage>> Messenger::receive(int wait_s) {
  wait_s = std::clamp(wait_s, 0, 25);
  auto started = std::chrono::steady_clock::now();
  auto r = receive_once(wait_s);
  // A node that does not wait (Session's, or one at its bound, or one stopping) answers
  // at once: never faster than once a second then, instead of a loop of onion requests.
  if (r && r->empty() && wait_s > 0) {
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    if (spent < 1000) nodes_->sleep_ms(1000 - spent);
  }
  return r;
}

}  // namespace sotto::client

namespace sotto::client {

Result<BackupReport> Messenger::backup_now(const Progress& progress) { return client::backup_now(*nodes_, *store_, keys_, rng_, progress); }

Result<RestoreReport> Messenger::restore_backup(const Progress& progress) { return client::restore_backup(*nodes_, *store_, keys_, progress); }

}  // namespace sotto::client
