#pragma once
// An encrypted backup of the profile in the account's own swarm, and its restore
// (docs/wire/backup.md; the format is backup.hpp's): which chunks changed and are
// uploaded, what the last two backups do not use and is deleted, the newest intact backup
// found and brought back. Over a SwarmClient. Blocking; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "client/backup.hpp"
#include "client/local_store.hpp"
#include "client/swarm_client.hpp"
#include "crypto/keys.hpp"

namespace sotto::client {

// The profile settings (LocalStore) the backup keeps between runs.
inline constexpr const char* kBackupSetting = "backup.manifests";    // [{seq, hash, manifest}], newest first, at most 2
inline constexpr const char* kHighestSetting = "backup.highest_seq";  // the highest seq made, restored or seen in the swarm

struct BackupReport {
  std::int64_t seq = 0;
  std::size_t chunks = 0, new_chunks = 0;
  std::size_t bytes = 0, new_bytes = 0;  // of encrypted chunks: in all, and uploaded now
  std::size_t parts_uploaded = 0, deleted = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;
  std::string cleanup_error;  // superseded parts that could not be deleted (they expire anyway)
};

struct RestoreReport {
  std::int64_t seq = 0;           // the manifest restored
  std::int64_t created_ms = 0;
  std::int64_t contacts = 0, conversations = 0, messages = 0;  // in the backup
  std::size_t added = 0;          // messages new to this profile
  std::vector<std::string> skipped;  // newer manifests that failed, and why
};

// Progress of a long operation: `done` of `total` steps (chunks).
using Progress = std::function<void(std::size_t done, std::size_t total)>;

// Backs up `store` in the account's swarm: only the chunks that changed are uploaded; what
// the last two backups do not use is deleted.
Result<BackupReport> backup_now(SwarmClient& nodes, LocalStore& store, const crypto::Keypair& keys, base::Rng& rng,
                                const Progress& progress = {});
// Restores the newest intact backup from the swarm into `store` (a chunk that fails names
// itself, and the previous backup is tried). NoBackup if there is none, BackupDamaged if
// none is intact (the error says why for each).
Result<RestoreReport> restore_backup(SwarmClient& nodes, LocalStore& store, const crypto::Keypair& keys, const Progress& progress = {});
// The last backup made or restored in this profile, if any.
Result<std::optional<backup::Manifest>> last_backup(LocalStore& store);
// True when contacts or messages changed since the last backup began, and no backup was
// attempted in the last `every_ms` (a failed one counts, so failures back off).
Result<bool> backup_due(LocalStore& store, const base::Clock& clock, std::int64_t every_ms);

}  // namespace sotto::client
