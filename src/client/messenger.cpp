#include "client/messenger.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/bytes.hpp"
#include "base/json.hpp"
#include "base/json_top.hpp"
#include "client/errc.hpp"
#include "directory/errc.hpp"
#include "proto/dm.hpp"
#include "proto/message_hash.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::client {

using nlohmann::json;

namespace {
// A node's reply (a retrieve holds up to 7.8 MB of data in base64), and the backup
// records this profile keeps in its settings.
constexpr base::JsonLimits kReplyJsonLimits{16 << 20, 16, std::size_t{1} << 20};
constexpr base::JsonLimits kSettingJsonLimits{16 << 20, 8, std::size_t{1} << 20};
}  // namespace

Result<TransportReply> Transport::get(const std::string& host, std::uint16_t port, std::string_view) {
  return Error(Errc::Unreachable, "this transport cannot fetch documents from " + host + ":" + std::to_string(port));
}

Result<std::pair<std::string, std::uint16_t>> parse_node_url(const std::string& url) {
  std::string rest = url.rfind("https://", 0) == 0 ? url.substr(8) : std::string();
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < rest.size() && rest.size() - colon - 1 <= 5 &&
            rest.find_first_not_of("0123456789", colon + 1) == std::string::npos;
  int port = ok ? std::stoi(rest.substr(colon + 1)) : 0;
  if (!ok || port < 1 || port > 65535) return Error(Errc::Io, "'" + url + "' is not https://HOST:PORT");
  std::string host = rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::pair<std::string, std::uint16_t>{host, static_cast<std::uint16_t>(port)};
}

Result<RetrieveReply> parse_retrieve_reply(std::string_view body, std::int64_t default_expiry_ms) {
  auto parsed = base::read_json_object(body, kReplyJsonLimits);
  if (!parsed || !parsed->contains("messages") || !(*parsed)["messages"].is_array())
    return Error(Errc::Io, "the node's retrieve reply is not the documented JSON" + (parsed ? std::string() : " (" + parsed.error().message() + ")"));
  const json& reply = *parsed;
  RetrieveReply out;
  auto more = reply.find("more");
  out.more = more != reply.end() && more->is_boolean() && more->get<bool>();
  for (const auto& item : reply["messages"]) {
    if (!item.is_object()) continue;
    auto h = item.find("hash");
    if (h == item.end() || !h->is_string()) continue;
    const auto& hash = h->get_ref<const std::string&>();
    auto raw = base::from_base64(hash);
    if (hash.size() != 43 || !raw || raw->size() != 32) continue;  // not a message hash: never a last_hash
    RetrievedItem it;
    it.hash = hash;
    auto e = item.find("expiration");
    it.expiration_ms = e != item.end() && e->is_number_integer() ? e->get<std::int64_t>() : default_expiry_ms;
    auto d = item.find("data");
    if (d != item.end() && d->is_string())
      if (auto bytes = base::from_base64(d->get_ref<const std::string&>())) it.data = std::move(*bytes);
    out.items.push_back(std::move(it));
  }
  return out;
}

bool looks_like_account_id(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos && (s.size() >= 16 || s.rfind("05", 0) == 0);
}

Result<crypto::AccountId> resolve_peer(LocalStore& store, const std::string& who) {
  if (looks_like_account_id(who)) {
    auto id = crypto::AccountId::parse(who);
    if (!id) return Error(Errc::BadAccountId, "'" + who.substr(0, 70) + "' is not an account ID (05 followed by 64 hex digits)");
    return *id;
  }
  auto c = store.contact_by_nickname(who);
  if (!c) return std::move(c).error();
  if (!*c)
    return Error(Errc::UnknownContact,
                 "no contact is called '" + who.substr(0, 64) + "' (add one: sotto contacts add ACCOUNT_ID " + who.substr(0, 64) + ")");
  return crypto::AccountId::parse((*c)->account);
}

Result<void> check_nickname(const std::string& nickname) {
  if (nickname.empty() || nickname.size() > 64 || nickname.find_first_of(" \t\n\r") != std::string::npos || looks_like_account_id(nickname))
    return Error(Errc::BadNickname, "a nickname is one word of at most 64 bytes that does not look like an account ID");
  return {};
}

Receipts count_receipts(const std::string& reply_json, const std::string& hash, const std::vector<directory::ConsensusNode>& members) {
  Receipts out;
  auto parsed = base::read_json_object(reply_json, kReplyJsonLimits);
  if (!parsed) return out;
  const json& reply = *parsed;
  auto swarm = reply.find("swarm");
  if (swarm == reply.end() || !swarm->is_object()) return out;
  std::set<crypto::Ed25519Public> named, verified;  // each member once, however its key is spelled
  for (const auto& [key, m] : swarm->items()) {
    auto pk = crypto::Ed25519Public::from_hex(key);
    // Only members of the recipient's swarm by the consensus count: the answering node
    // cannot make up receipts of its own invention.
    if (!pk || std::none_of(members.begin(), members.end(), [&](const auto& n) { return n.ed25519 == *pk; })) continue;
    named.insert(*pk);
    if (!m.is_object() || !m.contains("signature") || !m["signature"].is_string() || !m.contains("hash") || m["hash"] != hash) continue;
    auto sig = base::from_base64(m["signature"].get<std::string>());
    if (!sig || sig->size() != 64) continue;
    crypto::Signature s;
    std::copy(sig->begin(), sig->end(), s.begin());
    if (crypto::verify(s, as_bytes(hash), *pk)) verified.insert(*pk);
  }
  out.members = static_cast<int>(named.size());
  out.verified = static_cast<int>(verified.size());
  return out;
}

Messenger::Messenger(Profile profile, crypto::Keypair keys, Transport& transport, base::Rng& rng, const base::Clock& clock,
                     MessengerOptions options, std::unique_ptr<LocalStore> store, NetworkView view)
    : profile_(std::move(profile)),
      keys_(std::move(keys)),
      me_(crypto::account_id_of(keys_)),
      transport_(transport),
      rng_(rng),
      clock_(clock),
      options_(options),
      store_(std::move(store)),
      view_(std::move(view)),
      onion_(transport, rng) {
  if (view_.current()) onion_.set_nodes(view_.current()->nodes);
}

// The record as stored now, without the guards whose time is up.
// The record in the setting's text (none: no guards yet), without the guards whose time is up.
static Result<std::vector<RememberedGuard>> guards_in(const std::optional<std::string>& text, std::int64_t now_ms) {
  if (!text) return std::vector<RememberedGuard>{};
  auto g = parse_guards(*text);
  if (!g) return std::move(g).error();
  return unexpired(std::move(*g), now_ms);
}

static Result<std::vector<RememberedGuard>> stored_guards(LocalStore& store, std::int64_t now_ms) {
  auto text = store.setting(kGuardsSetting);
  if (!text) return std::move(text).error();
  return guards_in(*text, now_ms);
}

void Messenger::retire_expired_guards() {
  std::int64_t now = clock_.now_ms();
  for (const auto& g : guards_)
    if (g.until_ms <= now) onion_.pool().retire_guard(g.ed25519);
  guards_ = unexpired(std::move(guards_), now);
}

void Messenger::remember_guards() {
  auto confirmed = onion_.pool().confirmed_guards();
  bool news = std::any_of(confirmed.begin(), confirmed.end(), [&](const crypto::Ed25519Public& k) {
    return std::none_of(guards_.begin(), guards_.end(), [&](const RememberedGuard& g) { return g.ed25519 == k; });
  });
  if (!news) return;
  std::int64_t now = clock_.now_ms();
  std::set<crypto::Ed25519Public> listed;
  if (view_.current())
    for (const auto& n : view_.current()->nodes) listed.insert(n.ed25519);
  std::vector<RememberedGuard> record;
  // Read, merge and write in one transaction: what another process (a `listen` beside a
  // `send`) added meanwhile stays.
  auto saved = store_->update_setting(kGuardsSetting, [&](const std::optional<std::string>& text) -> Result<std::string> {
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

Result<std::unique_ptr<Messenger>> Messenger::open(const Profile& profile, crypto::Keypair keys, Transport& transport, base::Rng& rng,
                                                   const base::Clock& clock, MessengerOptions options) {
  auto store = LocalStore::open(profile.dir());
  if (!store) return std::move(store).error();
  auto view = NetworkView::open(profile, clock.now_ms() / 1000);
  if (!view) return std::move(view).error();
  auto guards = stored_guards(**store, clock.now_ms());
  if (!guards)
    return Error(guards.error().code(), guards.error().message() + " (to start over with new guards: sqlite3 " + (profile.dir() / "profile.db").string() +
                                            " \"DELETE FROM settings WHERE key = '" + kGuardsSetting + "'\")");
  std::unique_ptr<Messenger> m(new Messenger(profile, std::move(keys), transport, rng, clock, options, std::move(*store), std::move(*view)));
  std::vector<crypto::Ed25519Public> preferred;
  for (const auto& g : *guards) preferred.push_back(g.ed25519);
  m->onion_.pool().prefer_guards(std::move(preferred));
  m->guards_ = std::move(*guards);
  return m;
}

Result<void> Messenger::refresh_consensus(std::int64_t max_age_s) {
  std::int64_t now_s = clock_.now_ms() / 1000;
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

std::vector<directory::ConsensusNode> Messenger::swarm_of(const crypto::AccountId& who) {
  auto members = view_.swarm_of(who.bytes());
  if (members.empty() && refresh_consensus(0)) members = view_.swarm_of(who.bytes());
  return members;
}

void Messenger::sleep_ms(std::int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

Result<Messenger::Call> Messenger::rpc(const directory::ConsensusNode& member, const std::string& payload) {
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
    if (r->status == 200) learn_time(r->destination, r->body);
    return Call{r->status, std::move(r->body), std::move(r->path), r->destination};
  }
  auto r = transport_.post(member.ip, member.port_https, "/storage_rpc/v1", payload);
  if (!r) return Error(Errc::Unreachable, "cannot reach node " + member.ed25519.hex().substr(0, 8) + ": " + r.error().message());
  if (r->status == 200) learn_time(member.ed25519.hex(), r->body);
  return Call{r->status, std::move(r->body), {}, member.ed25519.hex()};
}

std::optional<std::int64_t> clock_offset(std::vector<std::int64_t> samples) {
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  // The median; of two middle ones, the one nearer this clock first. It counts only when a
  // second sample agrees with it (within kClockSlackMs): one node alone never sets this
  // client's time. Under kClockSlackMs it is noise (a reply's travel) and counts as none.
  std::int64_t a = samples[(samples.size() - 1) / 2], b = samples[samples.size() / 2];
  auto agreed = [&](std::int64_t m) {
    return std::count_if(samples.begin(), samples.end(), [&](std::int64_t x) { return std::llabs(x - m) <= kClockSlackMs; }) >= 2;
  };
  std::int64_t first = std::llabs(a) <= std::llabs(b) ? a : b, second = first == a ? b : a;
  for (std::int64_t m : {first, second})
    if (agreed(m)) return std::llabs(m) < kClockSlackMs ? 0 : m;
  return std::nullopt;
}

void Messenger::learn_time(const std::string& node_hex, const std::string& body) {
  auto top = base::JsonTop::parse(body);
  if (!top) return;
  const auto* t = top->find("t");
  if (!t || !t->unsigned_value || *t->unsigned_value > kLatestTimestampMs) return;
  auto node_ms = static_cast<std::int64_t>(*t->unsigned_value);
  // No node's time comes before the consensus it is listed in (a day of slack).
  if (view_.current() && node_ms < (view_.current()->valid_after - 86'400) * 1000) return;
  std::int64_t sample = node_ms - clock_.now_ms();
  std::erase_if(time_samples_, [&](const auto& e) { return e.first == node_hex; });
  time_samples_.emplace_back(node_hex, sample);
  if (time_samples_.size() > kTimeSamples) time_samples_.erase(time_samples_.begin());
  std::vector<std::int64_t> v;
  for (const auto& e : time_samples_) v.push_back(e.second);
  if (auto o = clock_offset(std::move(v))) offset_ms_ = *o;
}

bool Messenger::sync_clock(const std::vector<directory::ConsensusNode>& members, const directory::ConsensusNode& first) {
  std::int64_t before = offset_ms_;
  std::vector<const directory::ConsensusNode*> ask{&first};
  for (const auto& n : members)
    if (!(n.ed25519 == first.ed25519)) ask.push_back(&n);
  // The node that refused, then others, until two agree on a time that moves ours (at
  // most 3 asked: one liar among them is outvoted).
  for (std::size_t i = 0; i < ask.size() && i < 3 && offset_ms_ == before; ++i)
    (void)rpc(*ask[i], R"({"method":"info","params":{}})");  // rpc() learns from its "t"
  return offset_ms_ != before;
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
  std::int64_t now = network_now_ms();
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
  if ((*m)->local_ms + (*m)->ttl_ms <= clock_.now_ms() + kStoreFutureMs)  // both by this clock: no offset needed
    return Error(Errc::Refused, "message " + std::to_string(id) + " has expired (its time to live ran out): send it again as a new message");
  auto to = crypto::AccountId::parse((*m)->peer);
  if (!to) return std::move(to).error();
  return deliver(**m, *to);
}

Result<SendReport> Messenger::deliver(const StoredMessage& original, const crypto::AccountId& to) {
  StoredMessage m = original;
  auto members = swarm_of(to);
  auto give_up = [&](Error e) -> Result<SendReport> {
    if (auto r = store_->set_outcome(m.id, DeliveryState::Failed, 0, static_cast<int>(members.size())); !r) return std::move(r).error();
    return Error(e.code(), e.message() + "; message " + std::to_string(m.id) + " is kept as failed (`sotto retry " + std::to_string(m.id) +
                               "` sends it again)");
  };
  if (members.empty()) return give_up(Error(Errc::NoNetwork, "the consensus has no swarm for this account (run `sotto network update`)"));
  std::int64_t store_ts = m.timestamp_ms;  // the node's timestamp of the message (its expiry counts from it)
  auto store_payload = [&] {
    return json{{"method", "store"},
                {"params", {{"pubkey", to.hex()}, {"timestamp", store_ts}, {"ttl", m.ttl_ms}, {"namespace", 0}, {"data", m.data}}}}
        .dump();
  };
  std::string payload = store_payload();
  int syncs = 0;
  std::uint64_t start = 0;
  rng_.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&start), sizeof start));
  std::int64_t backoff = 200;
  std::string last = "no attempt";
  for (int attempt = 0; attempt < options_.send_attempts + syncs; ++attempt) {
    const auto& member = members[(start + static_cast<std::uint64_t>(attempt)) % members.size()];
    auto r = rpc(member, payload);
    if (!r) {
      if (r.error().is(Errc::NoPath)) return give_up(std::move(r).error());
      last = r.error().message();
    } else if (r->status == 421) {  // the swarm moved: a newer consensus says where
      last = "the swarm has moved (421)";
      (void)refresh_consensus(0);
      if (auto moved = view_.swarm_of(to.bytes()); !moved.empty()) members = std::move(moved);
      continue;
    } else if (r->status == 200) {
      auto receipts = count_receipts(r->body, m.hash, members);
      if (receipts.verified > 0) {
        int size = static_cast<int>(members.size());
        if (auto s = store_->set_outcome(m.id, DeliveryState::Sent, receipts.verified, size); !s) return std::move(s).error();
        return SendReport{m.id, m.hash, receipts.verified, size, m.timestamp_ms, attempt + 1, r->path};
      }
      last = "the answer held no receipt that verifies";
    } else if (r->status == 406 && syncs < 3) {
      // This clock is off from the network's. Once two nodes agree on the network's time,
      // the store is stamped with the moment the message was made, by that time; its data
      // (and so its hash) stay as they are, so a copy some member took on an earlier
      // attempt merges with it. Then on to the next member at once. A 406 that moves
      // nothing leaves the message to the next member.
      ++syncs;
      last = "a member answered 406: " + r->body.substr(0, 200);
      if (sync_clock(members, member)) {
        std::int64_t made = m.local_ms + offset_ms_;
        if (made + m.ttl_ms < network_now_ms() - kStoreFutureMs)  // what a node refuses as expired
          return give_up(Error(Errc::Refused, "the message has expired by the network's time (this machine's clock is " +
                                                  std::to_string(std::llabs(offset_ms_) / 1000) + " s " +
                                                  (offset_ms_ < 0 ? "ahead" : "behind") + ")"));
        store_ts = made;
        payload = store_payload();
        continue;  // to the next member; the sync adds an attempt (the bound counts syncs)
      }
    } else if (r->status == 429 || r->status >= 500) {
      last = "a member answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200);
    } else {  // the request itself is refused: another attempt would be too
      return give_up(Error(Errc::Refused, "the swarm refused the message (" + std::to_string(r->status) + "): " + r->body.substr(0, 200)));
    }
    if (attempt + 1 < options_.send_attempts) {
      sleep_ms(backoff);
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
    if (spent < 1000) sleep_ms(1000 - spent);
  }
  return r;
}

Result<std::vector<StoredMessage>> Messenger::receive_once(int wait_s) {
  if (auto p = store_->purge(network_now_ms()); !p) return std::move(p).error();
  auto members = swarm_of(me_);
  if (members.empty()) return Error(Errc::NoNetwork, "the consensus has no swarm for this account (run `sotto network update`)");
  std::string last_error;
  for (std::size_t tried = 0; tried < members.size();) {
    const auto& member = members[poll_member_ % members.size()];
    std::string node = member.ed25519.hex();
    std::vector<StoredMessage> out;
    int wait = wait_s;
    bool synced = false;
    for (int page = 0; page < 100; ++page) {  // every page there is, then back to the caller
      auto last = store_->last_hash(node, 0);
      if (!last) return std::move(last).error();
      std::int64_t ts = network_now_ms();
      auto sig = crypto::sign(keys_.ed25519_secret(), as_bytes(proto::signed_retrieve(0, ts)));
      json body{{"method", "retrieve"},
                {"params", {{"pubkey", me_.hex()}, {"pubkey_ed25519", keys_.ed25519_public().hex()}, {"namespace", 0}, {"timestamp", ts},
                            {"signature", base::to_base64(sig)}, {"last_hash", *last}, {"wait", wait}}}};
      auto r = rpc(member, body.dump());
      if (r && r->status == 406 && !synced && sync_clock(members, member)) {  // this clock is off: signed again by the network's
        synced = true;
        --page;
        continue;
      }
      if (!r) {
        if (r.error().is(Errc::NoPath) && out.empty()) return std::move(r).error();
        last_error = r.error().message();
        break;
      }
      if (r->status == 421) {
        (void)refresh_consensus(0);
        last_error = "the swarm has moved (421)";
        break;
      }
      // Expiries are the network's time (the nodes' and the senders'); local_ms is this clock.
      std::int64_t now = clock_.now_ms(), net = network_now_ms();
      auto reply = r->status == 200 ? parse_retrieve_reply(r->body, net + options_.default_ttl_ms) : Result<RetrieveReply>(Error(Errc::Io, ""));
      if (!reply) {
        last_error = "node " + node.substr(0, 8) + " answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200);
        break;
      }
      std::vector<StoredMessage> incoming;
      std::vector<LocalStore::Seen> seen;
      std::string new_last;
      for (const auto& item : reply->items) {
        new_last = item.hash;  // the node's own index, for its next page
        // A hash that is not this data's (Session's storage hash) is a node's invention:
        // neither shown nor remembered, so it can neither replay a message under a new
        // hash nor hide a real one by claiming its hash.
        if (!item.data || proto::message_hash(me_.bytes(), 0, *item.data) != item.hash) continue;
        // Remembered until no node keeps it, as the node says, within what a TTL allows.
        seen.push_back({item.hash, std::clamp(item.expiration_ms, net, net + options_.default_ttl_ms + 86'400'000)});
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
        m.hash = item.hash;
        m.state = DeliveryState::Received;
        if (dm->content.expiration_type != proto::ExpirationType::Unknown && dm->content.expiration_timer_s > 0) {
          std::int64_t after = std::int64_t{dm->content.expiration_timer_s} * 1000;
          m.expires_ms = dm->content.expiration_type == proto::ExpirationType::DeleteAfterSend ? m.timestamp_ms + after : net + after;
        }
        incoming.push_back(std::move(m));
      }
      auto kept = store_->add_incoming(incoming, seen, node, 0, new_last);
      if (!kept) return std::move(kept).error();
      out.insert(out.end(), std::make_move_iterator(kept->begin()), std::make_move_iterator(kept->end()));
      if (!reply->more || new_last.empty()) {
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.timestamp_ms < b.timestamp_ms; });
        return out;
      }
      wait = 0;  // more is there: fetch it at once
    }
    if (!out.empty()) return out;  // what came before a failure is kept and shown
    ++tried;
    ++poll_member_;  // the next member, next time too
    members = view_.swarm_of(me_.bytes());
    if (members.empty()) break;
  }
  return Error(Errc::Unreachable, "no member of this account's swarm answered (last: " + last_error + ")");
}

}  // namespace sotto::client

namespace sotto::client {

namespace {
constexpr const char* kBackupSetting = "backup.manifests";  // [{seq, hash, manifest}], newest first, at most 2
constexpr const char* kHighestSetting = "backup.highest_seq";  // the highest seq made, restored or seen in the swarm
constexpr const char* kChangesSetting = "backup.changes";  // LocalStore::changes() when the last backup began
constexpr const char* kAttemptSetting = "backup.last_attempt_ms";
constexpr std::int64_t kRefreshAfterMs = 90LL * 86'400'000;
}  // namespace

Result<Messenger::Call> Messenger::own_swarm_call(const std::function<std::string()>& payload, std::size_t start) {
  auto members = swarm_of(me_);
  if (members.empty()) return Error(Errc::NoNetwork, "the consensus has no swarm for this account (run `sotto network update`)");
  std::string last = "no attempt";
  std::int64_t backoff = 200;
  int syncs = 0;
  for (std::size_t attempt = 0; attempt < members.size() + 2; ++attempt) {
    const auto& member = members[(poll_member_ + start + attempt) % members.size()];
    auto r = rpc(member, payload());
    if (r && r->status == 406 && syncs < 3) {
      // This clock is off: made again, stamped with the network's time; a member whose
      // time does not move ours leaves it to the next member.
      ++syncs;
      if (sync_clock(members, member)) r = rpc(member, payload());
      if (r && r->status == 406) {
        last = "a member answered 406: " + r->body.substr(0, 200);
        continue;
      }
    }
    if (r && r->status == 200) return r;
    if (!r && r.error().is(Errc::NoPath)) return std::move(r).error();
    if (r && r->status != 421 && r->status != 429 && r->status < 500)
      return Error(Errc::Refused, "this account's swarm refused (" + std::to_string(r->status) + "): " + r->body.substr(0, 200));
    if (r && r->status == 500) {  // a store no member could keep (a quota, a full disk): final, with their reason
      auto j = base::read_json_object(r->body, kReplyJsonLimits).value_or(json());
      if (j.is_object() && j.contains("swarm") && j["swarm"].is_object())
        for (const auto& [key, m] : j["swarm"].items())
          if (m.is_object() && m.value("failed", false))
            return Error(Errc::Refused, "this account's swarm could not store it: " + m.value("reason", std::string("no reason given")));
    }
    last = r ? "a member answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200) : r.error().message();
    if (r && r->status == 421) (void)refresh_consensus(0);
    sleep_ms(backoff);
    backoff = std::min<std::int64_t>(backoff * 2, 2000);
  }
  return Error(Errc::Unreachable, "no member of this account's swarm answered (last: " + last + ")");
}

Result<std::string> Messenger::store_own(std::int64_t ns, ByteView data, std::int64_t ttl_ms) {
  std::string data64 = base::to_base64(data);
  auto r = own_swarm_call([&] {
    std::int64_t ts = network_now_ms();
    auto sig = crypto::sign(keys_.ed25519_secret(), as_bytes(proto::signed_store(static_cast<proto::Namespace>(ns), ts)));
    return json{{"method", "store"},
                {"params", {{"pubkey", me_.hex()}, {"pubkey_ed25519", keys_.ed25519_public().hex()}, {"namespace", ns}, {"timestamp", ts},
                            {"ttl", ttl_ms}, {"data", data64}, {"signature", base::to_base64(sig)}}}}
        .dump();
  });
  if (!r) return std::move(r).error();
  std::string hash = proto::message_hash(me_.bytes(), static_cast<proto::Namespace>(ns), data);
  if (count_receipts(r->body, hash, view_.swarm_of(me_.bytes())).verified == 0)
    return Error(Errc::Unreachable, "no member of this account's swarm confirmed a backup part");
  return hash;
}

Result<std::vector<std::pair<std::string, Bytes>>> Messenger::retrieve_all(std::int64_t ns, std::size_t start) {
  constexpr std::size_t kMaxItems = 100'000;
  constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
  std::vector<std::pair<std::string, Bytes>> out;
  std::set<std::string> seen;
  std::size_t bytes = 0;
  std::string last;
  for (;;) {
    auto r = own_swarm_call(
        [&] {
          std::int64_t ts = network_now_ms();
          auto sig = crypto::sign(keys_.ed25519_secret(), as_bytes(proto::signed_retrieve(static_cast<proto::Namespace>(ns), ts)));
          return json{{"method", "retrieve"},
                      {"params", {{"pubkey", me_.hex()}, {"pubkey_ed25519", keys_.ed25519_public().hex()}, {"namespace", ns}, {"timestamp", ts},
                                  {"signature", base::to_base64(sig)}, {"last_hash", last}}}}
              .dump();
        },
        start);
    if (!r) return std::move(r).error();
    auto reply = parse_retrieve_reply(r->body, 0);
    if (!reply) return std::move(reply).error();
    bool anything_new = false;
    for (auto& item : reply->items) {
      last = item.hash;
      if (!seen.insert(item.hash).second) continue;  // a page again: not counted twice
      anything_new = true;
      if (item.data && proto::message_hash(me_.bytes(), static_cast<proto::Namespace>(ns), *item.data) == item.hash) {
        bytes += item.data->size();
        out.emplace_back(item.hash, std::move(*item.data));
      }
      if (seen.size() > kMaxItems || bytes > kMaxBytes)
        return Error(Errc::Refused, "a member of this account's swarm sent more than a node may hold for it (" + std::to_string(seen.size()) +
                                        " items, " + std::to_string(bytes) + " bytes)");
    }
    if (!reply->more || !anything_new) return out;
  }
}

Result<std::int64_t> Messenger::highest_backup_seq() {
  auto keys = backup::derive_keys(keys_.seed());
  auto items = retrieve_all(backup::kNamespace);
  if (!items) return std::move(items).error();
  std::int64_t top = 0;
  for (const auto& [hash, data] : *items) {
    if (!backup::is_manifest(data)) continue;
    auto text = backup::open_manifest(keys, keys_.ed25519_public(), data);
    if (!text) continue;
    if (auto m = backup::parse_manifest(*text); m && m->account == me_.hex()) top = std::max(top, m->seq);
  }
  return top;
}

Result<std::size_t> Messenger::delete_own(const std::vector<std::string>& hashes) {
  std::size_t deleted = 0;
  for (std::size_t start = 0; start < hashes.size(); start += 1000) {
    std::vector<std::string> batch(hashes.begin() + static_cast<std::ptrdiff_t>(start),
                                   hashes.begin() + static_cast<std::ptrdiff_t>(std::min(hashes.size(), start + 1000)));
    auto sig = crypto::sign(keys_.ed25519_secret(), as_bytes(proto::signed_delete(batch)));
    json body{{"method", "delete"},
              {"params", {{"pubkey", me_.hex()}, {"pubkey_ed25519", keys_.ed25519_public().hex()}, {"messages", batch},
                          {"signature", base::to_base64(sig)}}}};
    std::string payload = body.dump();
    auto r = own_swarm_call([&] { return payload; });
    if (!r) return std::move(r).error();
    deleted += batch.size();
  }
  return deleted;
}

Result<std::optional<backup::Manifest>> Messenger::last_backup() { return client::last_backup(*store_); }

Result<bool> Messenger::backup_due(std::int64_t every_ms) {
  auto attempt = store_->setting(kAttemptSetting);
  if (!attempt) return std::move(attempt).error();
  if (*attempt && clock_.now_ms() - std::atoll((*attempt)->c_str()) < every_ms) return false;  // tried not long ago
  auto changes = store_->changes();
  if (!changes) return std::move(changes).error();
  auto recorded = store_->setting(kChangesSetting);
  if (!recorded) return std::move(recorded).error();
  return !*recorded || std::atoll((*recorded)->c_str()) != *changes;
}

Result<std::optional<backup::Manifest>> last_backup(LocalStore& store) {
  auto held = store.setting(kBackupSetting);
  if (!held) return std::move(held).error();
  if (!*held) return std::optional<backup::Manifest>();
  json list = base::read_json(**held, kSettingJsonLimits).value_or(json());
  if (!list.is_array() || list.empty() || !list[0].contains("manifest")) return std::optional<backup::Manifest>();
  auto m = backup::parse_manifest(list[0]["manifest"].get<std::string>());
  if (!m) return std::move(m).error();
  return std::optional<backup::Manifest>(std::move(*m));
}

Result<BackupReport> Messenger::backup_now(const Progress& progress) {
  auto keys = backup::derive_keys(keys_.seed());
  std::int64_t started = clock_.now_ms();
  if (auto a = store_->set_setting(kAttemptSetting, std::to_string(started)); !a) return std::move(a).error();
  if (auto p = store_->purge(network_now_ms()); !p) return std::move(p).error();  // what has disappeared is not backed up
  auto changes = store_->changes();
  if (!changes) return std::move(changes).error();
  backup::State state;
  auto contacts = store_->contacts();
  if (!contacts) return std::move(contacts).error();
  state.contacts = std::move(*contacts);
  auto convs = store_->conversations();
  if (!convs) return std::move(convs).error();
  for (auto& [peer, when] : *convs) state.conversations.push_back({peer, when});
  auto msgs = store_->all_messages();
  if (!msgs) return std::move(msgs).error();
  state.messages = std::move(*msgs);
  auto chunks = backup::make_chunks(keys, state);

  json held = json::array();
  if (auto h = store_->setting(kBackupSetting); !h) return std::move(h).error();
  else if (*h) held = base::read_json(**h, kSettingJsonLimits).value_or(json());
  if (!held.is_array()) held = json::array();
  std::optional<backup::Manifest> prev;
  if (!held.empty())
    if (auto m = backup::parse_manifest(held[0].value("manifest", "")); m) prev = std::move(*m);

  // seq continues from the highest this profile knows; a profile that never made or
  // restored a backup asks the swarm first (another device of the account may have).
  std::int64_t known = prev ? prev->seq : 0;
  if (auto h = store_->setting(kHighestSetting); h && *h) known = std::max<std::int64_t>(known, std::atoll((*h)->c_str()));
  if (!prev) {
    auto top = highest_backup_seq();
    if (!top) return Error(top.error().code(), "backup: " + top.error().message());
    known = std::max(known, *top);
  }
  std::int64_t now = clock_.now_ms();
  BackupReport report;
  backup::Manifest next;
  next.account = me_.hex();
  next.seq = known + 1;
  next.created_ms = now;
  next.contacts = static_cast<std::int64_t>(state.contacts.size());
  next.conversations = static_cast<std::int64_t>(state.conversations.size());
  next.messages = static_cast<std::int64_t>(state.messages.size());
  std::map<std::string, const backup::ManifestChunk*> reusable;
  if (prev)
    for (const auto& c : prev->chunks)
      if (now - c.stored_ms < kRefreshAfterMs) reusable[c.id_hex] = &c;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const auto& chunk = chunks[i];
    std::string id_hex = base::to_hex(chunk.id);
    if (auto it = reusable.find(id_hex); it != reusable.end()) {
      next.chunks.push_back(*it->second);
      report.bytes += it->second->size;
    } else {
      Bytes c = backup::seal_chunk(keys, chunk.id, backup::compress(chunk.plaintext), rng_);
      backup::ManifestChunk entry{id_hex, chunk.kind, c.size(), {}, now};
      for (const auto& part : backup::split_parts(chunk.id, c)) {
        auto h = store_own(backup::kNamespace, part, backup::kMaxTtlMs);
        if (!h) {  // what this attempt uploaded goes (best effort): nothing will list it
          std::vector<std::string> orphans = entry.parts;
          for (const auto& done : next.chunks)
            if (done.stored_ms == now) orphans.insert(orphans.end(), done.parts.begin(), done.parts.end());
          if (!orphans.empty()) (void)delete_own(orphans);
          return Error(h.error().code(), "backup: " + h.error().message());
        }
        entry.parts.push_back(*h);
        ++report.parts_uploaded;
      }
      report.bytes += c.size();
      report.new_bytes += c.size();
      ++report.new_chunks;
      next.chunks.push_back(std::move(entry));
    }
    if (progress) progress(i + 1, chunks.size() + 1);
  }
  std::string text = backup::manifest_json(next);
  auto mhash = store_own(backup::kNamespace, backup::seal_manifest(keys, keys_, text, rng_), backup::kMaxTtlMs);
  if (!mhash) return Error(mhash.error().code(), "backup: the manifest: " + mhash.error().message());
  if (progress) progress(chunks.size() + 1, chunks.size() + 1);

  // Keep this backup and the previous one; what only older ones used goes.
  json kept = json::array({{{"seq", next.seq}, {"hash", *mhash}, {"manifest", text}}});
  if (!held.empty()) kept.push_back(held[0]);
  std::set<std::string> live;
  for (const auto& entry : kept) {
    live.insert(entry.value("hash", ""));
    if (auto m = backup::parse_manifest(entry.value("manifest", "")); m)
      for (const auto& c : m->chunks) live.insert(c.parts.begin(), c.parts.end());
  }
  std::vector<std::string> gone;
  for (std::size_t k = 1; k < held.size(); ++k) {
    if (!live.count(held[k].value("hash", ""))) gone.push_back(held[k].value("hash", ""));
    if (auto m = backup::parse_manifest(held[k].value("manifest", "")); m)
      for (const auto& c : m->chunks)
        for (const auto& p : c.parts)
          if (!live.count(p)) gone.push_back(p);
  }
  std::sort(gone.begin(), gone.end());
  gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
  gone.erase(std::remove(gone.begin(), gone.end(), std::string()), gone.end());
  if (!gone.empty()) {
    if (auto d = delete_own(gone); d) report.deleted = *d;
    else report.cleanup_error = d.error().message();
  }
  if (auto s = store_->set_setting(kBackupSetting, kept.dump()); !s) return std::move(s).error();
  if (auto s = store_->set_setting(kHighestSetting, std::to_string(next.seq)); !s) return std::move(s).error();
  if (auto s = store_->set_setting(kChangesSetting, std::to_string(*changes)); !s) return std::move(s).error();
  report.seq = next.seq;
  report.chunks = next.chunks.size();
  report.contacts = next.contacts;
  report.conversations = next.conversations;
  report.messages = next.messages;
  return report;
}

Result<RestoreReport> Messenger::restore_backup(const Progress& progress) {
  auto keys = backup::derive_keys(keys_.seed());
  // From two members, so that one cannot hide the newest backup by itself.
  auto items = retrieve_all(backup::kNamespace, 0);
  if (!items) return std::move(items).error();
  if (view_.swarm_of(me_.bytes()).size() > 1)
    if (auto more = retrieve_all(backup::kNamespace, 1); more)
      for (auto& item : *more) items->push_back(std::move(item));
  std::map<std::string, const Bytes*> by_hash;
  struct Found {
    backup::Manifest m;
    std::string hash, text;
  };
  std::vector<Found> manifests;
  RestoreReport report;
  for (const auto& [hash, data] : *items) {
    if (!by_hash.emplace(hash, &data).second) continue;  // from both members
    if (!backup::is_manifest(data)) continue;
    auto text = backup::open_manifest(keys, keys_.ed25519_public(), data);
    if (!text) {
      report.skipped.push_back("the manifest stored as " + hash + ": " + text.error().message());
      continue;
    }
    auto m = backup::parse_manifest(*text);
    if (!m || m->account != me_.hex()) {
      report.skipped.push_back("the manifest stored as " + hash + ": " + (m ? "for another account" : m.error().message()));
      continue;
    }
    manifests.push_back({std::move(*m), hash, std::move(*text)});
  }
  std::sort(manifests.begin(), manifests.end(),
            [](const auto& a, const auto& b) { return a.m.seq != b.m.seq ? a.m.seq > b.m.seq : a.m.created_ms > b.m.created_ms; });
  std::int64_t highest = manifests.empty() ? 0 : manifests.front().m.seq;
  for (const auto& found : manifests) {
    const auto& m = found.m;
    std::vector<std::string> plaintexts;
    std::string failure;
    for (std::size_t i = 0; i < m.chunks.size() && failure.empty(); ++i) {
      const auto& chunk = m.chunks[i];
      std::string name = "chunk " + chunk.id_hex.substr(0, 16);
      auto id_bytes = base::from_hex(chunk.id_hex);
      ByteArray<32> id{};
      std::copy(id_bytes->begin(), id_bytes->end(), id.begin());
      Bytes c;
      for (std::size_t k = 0; k < chunk.parts.size() && failure.empty(); ++k) {
        auto it = by_hash.find(chunk.parts[k]);
        if (it == by_hash.end()) {
          failure = name + ": part " + std::to_string(k + 1) + " of " + std::to_string(chunk.parts.size()) +
                    " is missing from the swarm, or was altered (its data does not hash to its listed hash)";
          break;
        }
        auto part = backup::parse_part(*it->second);
        if (!part || part->id != id || part->index != k || part->count != chunk.parts.size()) {
          failure = name + ": part " + std::to_string(k + 1) + " is not the one the manifest lists";
          break;
        }
        c.insert(c.end(), part->bytes.begin(), part->bytes.end());
      }
      if (!failure.empty()) break;
      if (c.size() != chunk.size) {
        failure = name + ": its parts hold " + std::to_string(c.size()) + " bytes, not " + std::to_string(chunk.size);
        break;
      }
      auto z = backup::open_chunk(keys, id, c);
      if (!z) {
        failure = name + ": " + z.error().message();
        break;
      }
      auto p = backup::inflate(*z);
      if (!p || backup::chunk_id(keys, *p) != id) {
        failure = name + ": " + (p ? std::string("its content does not match its fingerprint") : p.error().message());
        break;
      }
      plaintexts.push_back(std::move(*p));
      if (progress) progress(i + 1, m.chunks.size());
    }
    if (failure.empty()) {
      auto state = backup::read_chunks(plaintexts);
      if (!state) {
        failure = state.error().message();
      } else {
        std::vector<std::pair<std::string, std::int64_t>> convs;
        for (const auto& c : state->conversations) convs.emplace_back(c.peer, c.updated_ms);
        auto added = store_->import(state->contacts, convs, state->messages);
        if (!added) return std::move(added).error();
        json kept = json::array({{{"seq", m.seq}, {"hash", found.hash}, {"manifest", found.text}}});
        if (auto s = store_->set_setting(kBackupSetting, kept.dump()); !s) return std::move(s).error();
        // The next backup goes above every backup seen, even one that did not restore.
        if (auto s = store_->set_setting(kHighestSetting, std::to_string(highest)); !s) return std::move(s).error();
        report.seq = m.seq;
        report.created_ms = m.created_ms;
        report.contacts = m.contacts;
        report.conversations = m.conversations;
        report.messages = m.messages;
        report.added = *added;
        return report;
      }
    }
    report.skipped.push_back("backup " + std::to_string(m.seq) + ": " + failure);
  }
  std::string why;
  for (const auto& s : report.skipped) why += (why.empty() ? "" : "; ") + s;
  if (manifests.empty() && report.skipped.empty()) return Error(Errc::NoBackup, "this account has no backup in the network");
  return Error(Errc::NoBackup, "no intact backup of this account in the network (" + why + ")");
}

}  // namespace sotto::client
