// Restoring the newest intact backup of the account from its swarm (docs/wire/backup.md,
// "Restore"): every manifest that verifies, newest first; each chunk rebuilt from its
// parts and checked before anything is imported; a backup that fails names its chunk, and
// the previous one is tried.

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "client/backup_flow.hpp"
#include "client/errc.hpp"

namespace sotto::client {

namespace {

using nlohmann::json;

struct Found {
  backup::Manifest m;
  std::string hash, text;
};

// The manifests among `items` (hash -> data) that open with this account's keys, newest
// first; the others are said in `skipped`.
std::vector<Found> manifests_in(const std::map<std::string, const Bytes*>& by_hash, const backup::Keys& bkeys, const crypto::Keypair& keys,
                                const std::string& me, std::vector<std::string>& skipped) {
  std::vector<Found> out;
  for (const auto& [hash, data] : by_hash) {
    if (!backup::is_manifest(*data)) continue;
    auto text = backup::open_manifest(bkeys, keys.ed25519_public(), *data);
    if (!text) {
      skipped.push_back("the manifest stored as " + hash + ": " + text.error().message());
      continue;
    }
    auto m = backup::parse_manifest(*text);
    if (!m || m->account != me) {
      skipped.push_back("the manifest stored as " + hash + ": " + (m ? "for another account" : m.error().message()));
      continue;
    }
    out.push_back({std::move(*m), hash, std::move(*text)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.m.seq != b.m.seq ? a.m.seq > b.m.seq : a.m.created_ms > b.m.created_ms; });
  return out;
}

// One chunk's plaintext, rebuilt from its parts and checked: each part is the one the
// manifest lists, the size is the size listed, it decrypts, inflates and matches its
// fingerprint. The error names the chunk and what failed.
Result<std::string> rebuild_chunk(const backup::ManifestChunk& chunk, const std::map<std::string, const Bytes*>& by_hash, const backup::Keys& bkeys) {
  std::string name = "chunk " + chunk.id_hex.substr(0, 16);
  auto fail = [&](const std::string& why) { return Error(Errc::NoBackup, name + ": " + why); };
  auto id_bytes = base::from_hex(chunk.id_hex);
  ByteArray<32> id{};
  if (!id_bytes || id_bytes->size() != id.size()) return fail("its id is not 64 hex digits");
  std::copy(id_bytes->begin(), id_bytes->end(), id.begin());
  Bytes c;
  for (std::size_t k = 0; k < chunk.parts.size(); ++k) {
    auto it = by_hash.find(chunk.parts[k]);
    if (it == by_hash.end())
      return fail("part " + std::to_string(k + 1) + " of " + std::to_string(chunk.parts.size()) +
                  " is missing from the swarm, or was altered (its data does not hash to its listed hash)");
    auto part = backup::parse_part(*it->second);
    if (!part || part->id != id || part->index != k || part->count != chunk.parts.size())
      return fail("part " + std::to_string(k + 1) + " is not the one the manifest lists");
    c.insert(c.end(), part->bytes.begin(), part->bytes.end());
  }
  if (c.size() != chunk.size) return fail("its parts hold " + std::to_string(c.size()) + " bytes, not " + std::to_string(chunk.size));
  auto z = backup::open_chunk(bkeys, id, c);
  if (!z) return fail(z.error().message());
  auto p = backup::inflate(*z);
  if (!p) return fail(p.error().message());
  if (backup::chunk_id(bkeys, *p) != id) return fail("its content does not match its fingerprint");
  return p;
}

}  // namespace

Result<RestoreReport> restore_backup(SwarmClient& nodes, LocalStore& store, const crypto::Keypair& keys, const Progress& progress) {
  auto bkeys = backup::derive_keys(keys.seed());
  // From two members, so that one cannot hide the newest backup by itself.
  auto items = nodes.retrieve_all(backup::kNamespace, 0);
  if (!items) return std::move(items).error();
  if (nodes.view().swarm_of(nodes.me().bytes()).size() > 1)
    if (auto more = nodes.retrieve_all(backup::kNamespace, 1); more)
      for (auto& item : *more) items->push_back(std::move(item));
  std::map<std::string, const Bytes*> by_hash;
  for (const auto& [hash, data] : *items) by_hash.emplace(hash, &data);  // the first of each (from both members)
  RestoreReport report;
  auto manifests = manifests_in(by_hash, bkeys, keys, nodes.me().hex(), report.skipped);
  const std::int64_t highest = manifests.empty() ? 0 : manifests.front().m.seq;
  for (const auto& found : manifests) {
    const auto& m = found.m;
    std::vector<std::string> plaintexts;
    std::string failure;
    for (std::size_t i = 0; i < m.chunks.size(); ++i) {
      auto p = rebuild_chunk(m.chunks[i], by_hash, bkeys);
      if (!p) {
        failure = p.error().message();
        break;
      }
      plaintexts.push_back(std::move(*p));
      if (progress) progress(i + 1, m.chunks.size());
    }
    auto state = failure.empty() ? backup::read_chunks(plaintexts) : Result<backup::State>(Error(Errc::NoBackup, failure));
    if (!state) {
      report.skipped.push_back("backup " + std::to_string(m.seq) + ": " + state.error().message());
      continue;
    }
    std::vector<std::pair<std::string, std::int64_t>> convs;
    for (const auto& c : state->conversations) convs.emplace_back(c.peer, c.updated_ms);
    auto added = store.import(state->contacts, convs, state->messages);
    if (!added) return std::move(added).error();
    json kept = json::array({{{"seq", m.seq}, {"hash", found.hash}, {"manifest", found.text}}});
    if (auto s = store.set_setting(kBackupSetting, kept.dump()); !s) return std::move(s).error();
    // The next backup goes above every backup seen, even one that did not restore.
    if (auto s = store.set_setting(kHighestSetting, std::to_string(highest)); !s) return std::move(s).error();
    report.seq = m.seq;
    report.created_ms = m.created_ms;
    report.contacts = m.contacts;
    report.conversations = m.conversations;
    report.messages = m.messages;
    report.added = *added;
    return report;
  }
  std::string why;
  for (const auto& s : report.skipped) why += (why.empty() ? "" : "; ") + s;
  if (by_hash.empty()) return Error(Errc::NoBackup, "this account has no backup in the network");
  if (report.skipped.empty())  // parts, but no manifest (or only altered ones, which do not hash to their hash)
    why = std::to_string(by_hash.size()) + " parts of backups are stored, but no manifest that verifies";
  return Error(Errc::BackupDamaged, "no intact backup of this account in the network (" + why + ")");
}

}  // namespace sotto::client
