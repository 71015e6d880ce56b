// libsotto's public API (include/sotto/messenger.hpp) over client::Messenger, with
// api::HttpsTransport and the system's clock and randomness.

#include "sotto/messenger.hpp"

#include <fstream>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "base/secret.hpp"
#include "client/errc.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "directory/network.hpp"
#include "api/https_transport.hpp"

namespace sotto {

namespace {

Failure failure_of(const Error& e) { return Failure{e.token(), e.message()}; }

Message message_of(const client::StoredMessage& m) {
  Message out;
  out.id = m.id;
  out.peer = m.peer;
  out.outgoing = m.direction == client::Direction::Outgoing;
  out.body = m.body;
  out.timestamp_ms = m.timestamp_ms;
  out.hash = m.hash;
  out.state = client::to_string(m.state);
  out.confirmations = m.confirmations;
  out.swarm_size = m.swarm_size;
  out.expires_ms = m.expires_ms;
  return out;
}

Outcome<Delivery> delivery_of(Result<client::SendReport> r) {
  if (!r) return failure_of(r.error());
  return Delivery{r->id, r->hash, r->confirmations, r->swarm_size, r->timestamp_ms};
}

Contact contact_of(const client::Contact& c) { return Contact{c.account, c.nickname, c.blocked}; }

// The contact as stored now (after a change to it).
Outcome<Contact> contact_now(client::LocalStore& store, const std::string& account) {
  auto c = store.contact(account);
  if (!c) return failure_of(c.error());
  if (!*c) return Failure{"io", "the contact is not in the profile's database"};
  return contact_of(**c);
}

}  // namespace

struct Messenger::Impl {
  base::SystemRng rng;
  base::SystemClock clock;
  api::HttpsTransport transport{std::chrono::seconds(40)};  // a retrieve may wait 25 s at its destination
  std::unique_ptr<client::Messenger> m;
};

Messenger::Messenger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Messenger::~Messenger() = default;

Outcome<std::unique_ptr<Messenger>> Messenger::open(const OpenOptions& options) {
  client::Profile profile(options.profile_dir);
  if (!options.network_json.empty())
    if (auto u = client::NetworkView::use_file(profile, options.network_json); !u) return failure_of(u.error());
  std::optional<base::SecretBytes> pass;
  if (options.passphrase) pass.emplace(std::string_view(*options.passphrase));
  auto keys = profile.load_keys(pass ? &*pass : nullptr);
  if (!keys) return failure_of(keys.error());
  auto impl = std::make_unique<Impl>();
  client::MessengerOptions o;
  o.onion = options.onion;
  auto m = client::Messenger::open(profile, std::move(*keys), impl->transport, impl->rng, impl->clock, o);
  if (!m) return failure_of(m.error());
  impl->m = std::move(*m);
  if (auto r = impl->m->refresh_consensus(3600); !r) return failure_of(r.error());
  return std::unique_ptr<Messenger>(new Messenger(std::move(impl)));
}

std::string Messenger::account_id() const { return impl_->m->me().hex(); }

Outcome<Delivery> Messenger::send(const std::string& to, const std::string& text, std::uint32_t disappear_after_s) {
  auto who = client::resolve_peer(impl_->m->store(), to);
  if (!who) return failure_of(who.error());
  return delivery_of(impl_->m->send(*who, text, disappear_after_s));
}

Outcome<Delivery> Messenger::retry(std::int64_t id) { return delivery_of(impl_->m->retry(id)); }

Outcome<std::vector<Message>> Messenger::receive(int wait_s) {
  auto r = impl_->m->receive(wait_s);
  if (!r) return failure_of(r.error());
  std::vector<Message> out;
  for (const auto& m : *r) out.push_back(message_of(m));
  return out;
}

Outcome<std::vector<Message>> Messenger::history(const std::string& peer, std::size_t limit) {
  auto& store = impl_->m->store();
  auto who = client::resolve_peer(store, peer);
  if (!who) return failure_of(who.error());
  if (auto p = store.purge(impl_->clock.now_ms()); !p) return failure_of(p.error());
  auto h = store.history(who->hex(), limit);
  if (!h) return failure_of(h.error());
  std::vector<Message> out;
  for (const auto& m : *h) out.push_back(message_of(m));
  return out;
}

Outcome<std::vector<Contact>> Messenger::contacts() {
  auto all = impl_->m->store().contacts();
  if (!all) return failure_of(all.error());
  std::vector<Contact> out;
  for (const auto& c : *all) out.push_back(contact_of(c));
  return out;
}

Outcome<Contact> Messenger::add_contact(const std::string& account_id, const std::string& nickname) {
  auto id = crypto::AccountId::parse(account_id);
  if (!id) return Failure{"bad_account_id", "'" + account_id.substr(0, 70) + "' is not an account ID (05 followed by 64 hex digits)"};
  if (!nickname.empty())
    if (auto ok = client::check_nickname(nickname); !ok) return failure_of(ok.error());
  auto& store = impl_->m->store();
  if (auto r = store.add_contact(id->hex(), nickname); !r) return failure_of(r.error());
  return contact_now(store, id->hex());
}

Outcome<Contact> Messenger::set_blocked(const std::string& peer, bool blocked) {
  auto& store = impl_->m->store();
  auto who = client::resolve_peer(store, peer);
  if (!who) return failure_of(who.error());
  if (auto r = store.set_blocked(who->hex(), blocked); !r) return failure_of(r.error());
  return contact_now(store, who->hex());
}

Outcome<Contact> Messenger::remove_contact(const std::string& peer) {
  auto& store = impl_->m->store();
  auto who = client::resolve_peer(store, peer);
  if (!who) return failure_of(who.error());
  auto c = store.contact(who->hex());
  if (!c) return failure_of(c.error());
  if (!*c) return Failure{"unknown_contact", peer + " is not a contact"};
  if (auto r = store.remove_contact(who->hex()); !r) return failure_of(r.error());
  return contact_of(**c);
}

}  // namespace sotto
