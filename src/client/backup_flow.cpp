#include "client/backup_flow.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json.hpp"
#include "client/errc.hpp"

namespace sotto::client {

using nlohmann::json;

namespace {

constexpr const char* kChangesSetting = "backup.changes";  // LocalStore::changes() when the last backup began
constexpr const char* kAttemptSetting = "backup.last_attempt_ms";
constexpr std::int64_t kRefreshAfterMs = 90LL * 86'400'000;
constexpr base::JsonLimits kSettingJsonLimits{16 << 20, 8, std::size_t{1} << 20};

// The backup records this profile keeps (none or unreadable: an empty list).
json held_manifests(LocalStore& store) {
  auto h = store.setting(kBackupSetting);
  if (!h || !*h) return json::array();
  json held = base::read_json(**h, kSettingJsonLimits).value_or(json());
  return held.is_array() ? held : json::array();
}

// The highest seq of the account's backups that verify, in the swarm (0: none).
Result<std::int64_t> highest_backup_seq(SwarmClient& nodes, const crypto::Keypair& keys) {
  auto bkeys = backup::derive_keys(keys.seed());
  auto items = nodes.retrieve_all(backup::kNamespace);
  if (!items) return std::move(items).error();
  std::int64_t top = 0;
  for (const auto& [hash, data] : *items) {
    if (!backup::is_manifest(data)) continue;
    auto text = backup::open_manifest(bkeys, keys.ed25519_public(), data);
    if (!text) continue;
    if (auto m = backup::parse_manifest(*text); m && m->account == nodes.me().hex()) top = std::max(top, m->seq);
  }
  return top;
}

// The hashes of every part that only the manifests after the first two of `held` use.
std::vector<std::string> superseded(const json& kept, const json& held) {
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
  return gone;
}

// The profile's state as a backup holds it (what has disappeared first purged).
Result<backup::State> current_state(LocalStore& store, std::int64_t network_now_ms) {
  if (auto p = store.purge(network_now_ms); !p) return std::move(p).error();
  backup::State state;
  auto contacts = store.contacts();
  if (!contacts) return std::move(contacts).error();
  state.contacts = std::move(*contacts);
  auto convs = store.conversations();
  if (!convs) return std::move(convs).error();
  for (auto& [peer, when] : *convs) state.conversations.push_back({peer, when});
  auto msgs = store.all_messages();
  if (!msgs) return std::move(msgs).error();
  state.messages = std::move(*msgs);
  return state;
}

}  // namespace

Result<std::optional<backup::Manifest>> last_backup(LocalStore& store) {
  auto held = store.setting(kBackupSetting);
  if (!held) return std::move(held).error();
  if (!*held) return std::optional<backup::Manifest>();
  json list = base::read_json(**held, kSettingJsonLimits).value_or(json());
  if (!list.is_array() || list.empty() || !list[0].contains("manifest") || !list[0]["manifest"].is_string())
    return std::optional<backup::Manifest>();
  auto m = backup::parse_manifest(list[0]["manifest"].get<std::string>());
  if (!m) return std::move(m).error();
  return std::optional<backup::Manifest>(std::move(*m));
}

Result<bool> backup_due(LocalStore& store, const base::Clock& clock, std::int64_t every_ms) {
  auto attempt = store.setting(kAttemptSetting);
  if (!attempt) return std::move(attempt).error();
  if (*attempt && clock.now_ms() - std::atoll((*attempt)->c_str()) < every_ms) return false;  // tried not long ago
  auto changes = store.changes();
  if (!changes) return std::move(changes).error();
  auto recorded = store.setting(kChangesSetting);
  if (!recorded) return std::move(recorded).error();
  return !*recorded || std::atoll((*recorded)->c_str()) != *changes;
}

Result<BackupReport> backup_now(SwarmClient& nodes, LocalStore& store, const crypto::Keypair& keys, base::Rng& rng, const Progress& progress) {
  auto bkeys = backup::derive_keys(keys.seed());
  std::int64_t started = nodes.clock().local_ms();
  if (auto a = store.set_setting(kAttemptSetting, std::to_string(started)); !a) return std::move(a).error();
  auto state = current_state(store, nodes.clock().now_ms());
  if (!state) return std::move(state).error();
  auto changes = store.changes();
  if (!changes) return std::move(changes).error();
  auto chunks = backup::make_chunks(bkeys, *state);

  json held = held_manifests(store);
  std::optional<backup::Manifest> prev;
  if (!held.empty())
    if (auto m = backup::parse_manifest(held[0].value("manifest", "")); m) prev = std::move(*m);
  // seq continues from the highest this profile knows; a profile that never made or
  // restored a backup asks the swarm first (another device of the account may have).
  std::int64_t known = prev ? prev->seq : 0;
  if (auto h = store.setting(kHighestSetting); h && *h) known = std::max<std::int64_t>(known, std::atoll((*h)->c_str()));
  if (!prev) {
    auto top = highest_backup_seq(nodes, keys);
    if (!top) return Error(top.error().code(), "backup: " + top.error().message());
    known = std::max(known, *top);
  }
  const std::int64_t now = nodes.clock().local_ms();
  BackupReport report;
  backup::Manifest next{nodes.me().hex(), known + 1, now, static_cast<std::int64_t>(state->contacts.size()),
                        static_cast<std::int64_t>(state->conversations.size()), static_cast<std::int64_t>(state->messages.size()), {}};
  std::map<std::string, const backup::ManifestChunk*> reusable;
  if (prev)
    for (const auto& c : prev->chunks)
      if (now - c.stored_ms < kRefreshAfterMs) reusable[c.id_hex] = &c;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const auto& chunk = chunks[i];
    if (auto it = reusable.find(base::to_hex(chunk.id)); it != reusable.end()) {
      next.chunks.push_back(*it->second);
      report.bytes += it->second->size;
    } else {
      Bytes c = backup::seal_chunk(bkeys, chunk.id, backup::compress(chunk.plaintext), rng);
      backup::ManifestChunk entry{base::to_hex(chunk.id), chunk.kind, c.size(), {}, now};
      for (const auto& part : backup::split_parts(chunk.id, c)) {
        auto h = nodes.store_own(backup::kNamespace, part, backup::kMaxTtlMs);
        if (!h) {  // what this attempt uploaded goes (best effort): nothing will list it
          std::vector<std::string> orphans = entry.parts;
          for (const auto& done : next.chunks)
            if (done.stored_ms == now) orphans.insert(orphans.end(), done.parts.begin(), done.parts.end());
          if (!orphans.empty()) (void)nodes.delete_own(orphans);
          return Error(h.error().code(), "backup: " + h.error().message());
        }
        entry.parts.push_back(proto::rpc::hash_text(*h));
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
  auto mhash = nodes.store_own(backup::kNamespace, backup::seal_manifest(bkeys, keys, text, rng), backup::kMaxTtlMs);
  if (!mhash) return Error(mhash.error().code(), "backup: the manifest: " + mhash.error().message());
  if (progress) progress(chunks.size() + 1, chunks.size() + 1);

  // Keep this backup and the previous one; what only older ones used goes.
  json kept = json::array({{{"seq", next.seq}, {"hash", proto::rpc::hash_text(*mhash)}, {"manifest", text}}});
  if (!held.empty()) kept.push_back(held[0]);
  if (auto gone = superseded(kept, held); !gone.empty()) {
    if (auto d = nodes.delete_own(gone); d) report.deleted = *d;
    else report.cleanup_error = d.error().message();
  }
  if (auto s = store.set_setting(kBackupSetting, kept.dump()); !s) return std::move(s).error();
  if (auto s = store.set_setting(kHighestSetting, std::to_string(next.seq)); !s) return std::move(s).error();
  if (auto s = store.set_setting(kChangesSetting, std::to_string(*changes)); !s) return std::move(s).error();
  report.seq = next.seq;
  report.chunks = next.chunks.size();
  report.contacts = next.contacts;
  report.conversations = next.conversations;
  report.messages = next.messages;
  return report;
}

}  // namespace sotto::client
