#pragma once
// The message database's schema (docs/storage/message-store.md): its version, and the
// migrations that bring an older database to it, run in order in one transaction.

#include <cstdint>

namespace sotto::node::storage {

inline constexpr std::int64_t kSchemaVersion = 3;
// The SQL that takes the schema from version `from` to `from + 1` (0 <= from < kSchemaVersion).
const char* migration(std::int64_t from);

}  // namespace sotto::node::storage
