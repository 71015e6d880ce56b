// libsotto's Messenger (include/sotto/messenger.hpp) over client::Messenger, with
// libsotto's HTTPS transport (or the program's own) and the system's clock and randomness.

#include "sotto/messenger.hpp"

#include "api/https_transport.hpp"
#include "api/profile_impl.hpp"
#include "base/clock.hpp"
#include "base/rng.hpp"
#include "client/errc.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "client/peers.hpp"

namespace sotto {

namespace {

Outcome<Delivery> delivery_of(Result<client::SendReport> r) {
  if (!r) return api::failure_of(r.error());
  return Delivery{r->id, r->hash, r->confirmations, r->swarm_size, r->timestamp_ms, r->attempts, r->path};
}

}  // namespace

struct Messenger::Impl {
  base::SystemRng rng;
  base::SystemClock clock;
  std::shared_ptr<Transport> user;  // the program's transport, if it gave one
  std::unique_ptr<client::Transport> transport;
  std::unique_ptr<client::Messenger> m;
  std::unique_ptr<Profile> profile;  // on m's LocalStore
};

Messenger::Messenger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Messenger::~Messenger() = default;

Outcome<std::unique_ptr<Messenger>> Messenger::open(const OpenOptions& options) {
  client::Profile profile(options.profile_dir);
  if (!options.network_json.empty())
    if (auto u = client::NetworkView::use_file(profile, options.network_json); !u) return api::failure_of(u.error());
  auto pw = api::secret_bytes(options.passphrase ? &*options.passphrase : nullptr);
  auto keys = profile.load_keys(pw ? &*pw : nullptr);
  if (!keys) return api::failure_of(keys.error());
  auto impl = std::make_unique<Impl>();
  impl->user = options.transport;
  if (impl->user) impl->transport = std::make_unique<api::TransportBridge>(*impl->user);
  else impl->transport = std::make_unique<api::HttpsTransport>(std::chrono::seconds(40));  // a retrieve may wait 25 s at its destination
  client::MessengerOptions o;
  o.onion = options.onion;
  o.warn = options.warn;
  auto m = client::Messenger::open(profile, std::move(*keys), *impl->transport, impl->rng, impl->clock, o);
  if (!m) return api::failure_of(m.error());
  impl->m = std::move(*m);
  auto pimpl = std::make_unique<Profile::Impl>(options.profile_dir);
  pimpl->borrowed = &impl->m->store();
  impl->profile.reset(new Profile(std::move(pimpl)));
  if (auto r = impl->m->refresh_consensus(3600); !r) return api::failure_of(r.error());
  return std::unique_ptr<Messenger>(new Messenger(std::move(impl)));
}

std::string Messenger::account_id() const { return impl_->m->me().hex(); }

Profile& Messenger::profile() { return *impl_->profile; }

Outcome<Ok> check_message(const std::string& text, std::uint32_t disappear_after_s) {
  if (text.empty()) return Failure{"empty_message", "the message is empty"};
  if (text.size() > kMaxMessageText) return Failure{"too_long", "the message is longer than 60,000 bytes"};
  if (disappear_after_s > kMaxDisappearSeconds) return Failure{"bad_disappear", "a message can disappear after 14 days at most (the nodes keep none longer)"};
  return Ok{};
}

Outcome<Delivery> Messenger::send(const std::string& to, const std::string& text, std::uint32_t disappear_after_s) {
  if (auto ok = check_message(text, disappear_after_s); !ok) return ok.failure();
  auto who = client::resolve_peer(impl_->m->store(), to);
  if (!who) return api::failure_of(who.error());
  return delivery_of(impl_->m->send(*who, text, disappear_after_s));
}

Outcome<Delivery> Messenger::retry(std::int64_t id) { return delivery_of(impl_->m->retry(id)); }

Outcome<std::vector<Message>> Messenger::receive(int wait_s) {
  auto r = impl_->m->receive(wait_s);
  if (!r) return api::failure_of(r.error());
  std::vector<Message> out;
  for (const auto& m : *r) out.push_back(api::message_of(m));
  return out;
}

namespace {
BackupResult result_of(const client::BackupReport& r) {
  return BackupResult{r.seq,     r.chunks,   r.new_chunks, r.bytes,         r.new_bytes, r.parts_uploaded,
                      r.deleted, r.contacts, r.conversations, r.messages, r.cleanup_error};
}
}  // namespace

Outcome<BackupResult> Messenger::backup_now(const Progress& progress) {
  auto r = impl_->m->backup_now(progress);
  if (!r) return api::failure_of(r.error());
  return result_of(*r);
}

Outcome<RestoreResult> Messenger::restore_backup(const Progress& progress) {
  auto r = impl_->m->restore_backup(progress);
  if (!r) return api::failure_of(r.error());
  return RestoreResult{r->seq, r->created_ms, r->contacts, r->conversations, r->messages, r->added, r->skipped};
}

Outcome<std::optional<BackupResult>> Messenger::backup_if_due() {
  auto& store = impl_->m->store();
  auto every = store.setting(api::kAutoBackupSetting);
  if (!every) return api::failure_of(every.error());
  std::int64_t minutes = *every ? std::atoll((*every)->c_str()) : api::kAutoBackupDefaultMinutes;
  if (minutes <= 0) return std::optional<BackupResult>();
  auto due = impl_->m->backup_due(minutes * 60'000);
  if (!due) return api::failure_of(due.error());
  if (!*due) return std::optional<BackupResult>();
  auto r = impl_->m->backup_now();
  if (!r) return api::failure_of(r.error());
  return std::optional<BackupResult>(result_of(*r));
}

}  // namespace sotto
