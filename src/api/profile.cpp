// A profile's local side (include/sotto/profile.hpp): contacts, history and backup
// settings, over client::LocalStore. The network's part is profile_network.cpp.

#include "api/profile_impl.hpp"
#include "base/clock.hpp"
#include "client/backup_flow.hpp"
#include "client/errc.hpp"
#include "client/peers.hpp"
#include "crypto/account_id.hpp"

namespace sotto {

namespace api {

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

}  // namespace api

namespace {

Contact contact_of(const client::Contact& c) { return Contact{c.account, c.nickname, c.blocked}; }

// The contact as stored now (after a change to it).
Outcome<Contact> contact_now(client::LocalStore& store, const std::string& account) {
  auto c = store.contact(account);
  if (!c) return api::failure_of(c.error());
  if (!*c) return Failure{"io", "the contact is not in the profile's database"};
  return contact_of(**c);
}

}  // namespace

Result<client::LocalStore*> Profile::Impl::local() {
  if (borrowed) return borrowed;
  if (store) return store.get();
  if (!profile.has_account()) return Error(client::Errc::NoAccount, "this profile has no account yet: run `sotto init` first");
  auto s = client::LocalStore::open(profile.dir());
  if (!s) return std::move(s).error();
  store = std::move(*s);
  return store.get();
}

Profile::Profile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Profile::~Profile() = default;

Outcome<std::unique_ptr<Profile>> Profile::open(const std::string& dir) {
  auto impl = std::make_unique<Impl>(dir);
  return std::unique_ptr<Profile>(new Profile(std::move(impl)));
}

const std::string& Profile::dir() const { return impl_->dir_text; }

Outcome<std::vector<Contact>> Profile::contacts() {
  auto store = impl_->local();
  if (!store) return api::failure_of(store.error());
  auto all = (*store)->contacts();
  if (!all) return api::failure_of(all.error());
  std::vector<Contact> out;
  for (const auto& c : *all) out.push_back(contact_of(c));
  return out;
}

Outcome<Contact> Profile::add_contact(const std::string& account_id, const std::string& nickname) {
  auto store = impl_->local();
  if (!store) return api::failure_of(store.error());
  auto id = crypto::AccountId::parse(account_id);
  if (!id) return Failure{"bad_account_id", "'" + account_id.substr(0, 70) + "' is not an account ID (05 followed by 64 hex digits)"};
  if (!nickname.empty())
    if (auto ok = client::check_nickname(nickname); !ok) return api::failure_of(ok.error());
  if (auto r = (*store)->add_contact(id->hex(), nickname); !r) return api::failure_of(r.error());
  return contact_now(**store, id->hex());
}

Outcome<std::string> Profile::resolve(const std::string& peer) {
  auto store = impl_->local();
  if (!store) return api::failure_of(store.error());
  auto who = client::resolve_peer(**store, peer);
  if (!who) return api::failure_of(who.error());
  return who->hex();
}

Outcome<Contact> Profile::set_blocked(const std::string& peer, bool blocked) {
  auto who = resolve(peer);
  if (!who) return who.failure();
  auto& store = **impl_->local();
  if (auto r = store.set_blocked(*who, blocked); !r) return api::failure_of(r.error());
  return contact_now(store, *who);
}

Outcome<Contact> Profile::remove_contact(const std::string& peer) {
  auto who = resolve(peer);
  if (!who) return who.failure();
  auto& store = **impl_->local();
  auto c = store.contact(*who);
  if (!c) return api::failure_of(c.error());
  if (!*c) return Failure{"unknown_contact", peer + " is not a contact"};
  if (auto r = store.remove_contact(*who); !r) return api::failure_of(r.error());
  return contact_of(**c);
}

std::optional<std::string> Profile::nickname_of(const std::string& account_id) {
  auto store = impl_->local();
  if (!store) return std::nullopt;
  auto c = (*store)->contact(account_id);
  if (!c || !*c || (*c)->nickname.empty()) return std::nullopt;
  return (*c)->nickname;
}

Outcome<std::vector<Message>> Profile::history(const std::string& peer, std::size_t limit) {
  auto who = resolve(peer);
  if (!who) return who.failure();
  auto& store = **impl_->local();
  if (auto p = store.purge(base::SystemClock().now_ms()); !p) return api::failure_of(p.error());
  auto h = store.history(*who, limit);
  if (!h) return api::failure_of(h.error());
  std::vector<Message> out;
  for (const auto& m : *h) out.push_back(api::message_of(m));
  return out;
}

Outcome<Message> Profile::message(std::int64_t id) {
  auto store = impl_->local();
  if (!store) return api::failure_of(store.error());
  auto m = (*store)->message(id);
  if (!m) return api::failure_of(m.error());
  if (!*m) return Failure{"io", "no message " + std::to_string(id) + " in this profile"};
  return api::message_of(**m);
}

Outcome<BackupStatus> Profile::backup_status() {
  auto store = impl_->local();
  if (!store) return api::failure_of(store.error());
  BackupStatus out;
  auto last = client::last_backup(**store);
  if (!last) return api::failure_of(last.error());
  if (*last)
    out.last = LastBackup{(*last)->seq,      (*last)->created_ms, (*last)->contacts, (*last)->conversations,
                          (*last)->messages, (*last)->chunks.size()};
  auto every = (*store)->setting(api::kAutoBackupSetting);
  if (!every) return api::failure_of(every.error());
  out.auto_minutes = *every ? std::atoll((*every)->c_str()) : api::kAutoBackupDefaultMinutes;
  auto msgs = (*store)->all_messages();
  if (!msgs) return api::failure_of(msgs.error());
  out.messages_here = msgs->size();
  return out;
}

Outcome<Ok> Profile::set_auto_backup(std::int64_t minutes) {
  auto store = impl_->local();
  if (!store) return api::failure_of(store.error());
  if (minutes < 0) return Failure{"io", "minutes between automatic backups cannot be negative"};
  if (auto r = (*store)->set_setting(api::kAutoBackupSetting, std::to_string(minutes)); !r) return api::failure_of(r.error());
  return Ok{};
}

}  // namespace sotto
