#pragma once
// sotto-node's configuration: a TOML file (packaging/sotto-node.toml shows every key), then
// command-line flags over it.

#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "daemon/node_options.hpp"

namespace sotto::apps {


using NodeConfig = daemon::NodeOptions;

// Reads the keys present in the TOML file over `cfg`; unknown keys are errors, so a typo
// is not silently ignored.
Result<void> load_toml(const std::string& path, NodeConfig& cfg);

}  // namespace sotto::apps
