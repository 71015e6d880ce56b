#pragma once
// What the CLI's network commands share: the Messenger of the profile (its key unlocked,
// its network given once with --network), names for people, times, progress bars, and the
// automatic backup after a change.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "cli/commands.hpp"
#include "sotto/messenger.hpp"

namespace sotto::cli {

Outcome<std::unique_ptr<Messenger>> open_messenger(const Options& opt, const PassphraseOptions& pp, const MessageOptions& mo);
// The profile of --profile, for what needs no key (and says "no account" when it has none).
Outcome<std::unique_ptr<Profile>> open_local(const Options& opt);
// A contact's nickname (made printable), or the start of the account ID.
std::string name_of(Profile& p, const std::string& account);
// "2026-11-26 13:10:56" in local time.
std::string local_time(std::int64_t ms);
// A progress bar on stderr when it is a terminal (and not --json).
Progress progress_bar(const Options& opt, const std::string& what);
// The automatic backup, when one is due; a failure is said on stderr (under `out_mu` when
// given) and changes nothing else.
void maybe_backup(Messenger& m, std::mutex* out_mu = nullptr);
// Blocks SIGINT and SIGTERM in this thread and the threads it starts; waits for one.
void block_stop_signals();
int wait_for_stop_signal();

}  // namespace sotto::cli
