#pragma once
// Private to crypto/: makes sure sodium_init() ran (it picks the fastest implementation
// of each primitive for this CPU). Cheap after the first call; thread-safe.

namespace sotto::crypto::detail {
void ensure_sodium();
}
