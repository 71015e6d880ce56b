#pragma once
// A node's long-term identity: an Ed25519 key (and its X25519 form) from a 32-byte seed
// kept in DATA_DIR/node.key (mode 0600, created once with O_EXCL, never overwritten).

#include <filesystem>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"

namespace sotto::node {

// Loads the key, or creates it on first start. `created` says which.
Result<crypto::Keypair> load_or_create_identity(const std::filesystem::path& data_dir, base::Rng& rng, bool& created);

}  // namespace sotto::node
