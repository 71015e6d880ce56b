#pragma once
// The onion guards a client remembers across runs (docs/client.md, "Guards"): the guards
// on which its requests succeeded, each kept for a lifetime drawn at random between 30
// and 60 days, at most 8. The text is kept in the profile's settings under kGuardsSetting;
// the profile is this client's own data, so a record that does not parse is an error to
// report, never replaced in silence. Sans-IO.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"

namespace sotto::client {

inline constexpr const char* kGuardsSetting = "onion_guards";
inline constexpr std::int64_t kGuardLifetimeMinMs = 30LL * 86'400'000;
inline constexpr std::int64_t kGuardLifetimeMaxMs = 60LL * 86'400'000;
inline constexpr std::size_t kMaxRememberedGuards = 8;

struct RememberedGuard {
  crypto::Ed25519Public ed25519;
  std::int64_t since_ms = 0;  // first success through it
  std::int64_t until_ms = 0;  // forgotten from then on
  bool operator==(const RememberedGuard&) const = default;
};

// `[{"ed25519":"<64 hex>","since":ms,"until":ms}, ...]`, first preferred first. Errors
// (Io): anything else, naming what is wrong.
Result<std::vector<RememberedGuard>> parse_guards(std::string_view text);
std::string guards_text(const std::vector<RememberedGuard>& guards);

// The record without the guards whose lifetime is over at `now_ms`, and without any that
// ends further ahead than a lifetime can (written while the clock was ahead: they would
// otherwise stay for as long as the clock had been wrong).
std::vector<RememberedGuard> unexpired(std::vector<RememberedGuard> guards, std::int64_t now_ms);

// `record` with every guard of `confirmed` (the guards the client's paths use now, each
// with a success) it lacks added at its end (since now, a random lifetime from `rng`).
// Never more than kMaxRememberedGuards: past it, guards not in `listed` (the current
// consensus) go first, then the least preferred (the last); one of `confirmed` only when
// nothing else is left to go.
std::vector<RememberedGuard> remember(std::vector<RememberedGuard> record, const std::vector<crypto::Ed25519Public>& confirmed,
                                      const std::set<crypto::Ed25519Public>& listed, std::int64_t now_ms, base::Rng& rng);

}  // namespace sotto::client
