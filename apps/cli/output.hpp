#pragma once
// How the CLI reports: human text by default, one JSON object per result with --json.
// Errors go to stderr as "sotto: <sentence>" or {"error": ..., "code": ...}.

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "sotto/outcome.hpp"

namespace sotto::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Options {
  std::string profile;  // empty: the default profile
  bool json = false;
};

// `s` for a terminal: control characters (which could forge lines or drive the terminal)
// become \xNN; everything else is kept.
std::string printable(const std::string& s);
// Prints `j` as one line of JSON on stdout (invalid UTF-8 replaced by U+FFFD).
void print_json(const nlohmann::json& j);
// The same for JSON that holds a secret: the text is wiped after writing.
void print_secret_json(const nlohmann::json& j);
// Flushes stdout; false if anything written to it was lost (a closed pipe, a full disk).
bool output_ok();
// Prints the failure and returns kExitFailure.
int fail(const Options& opt, const Failure& f);
int fail(const Options& opt, const std::string& code, const std::string& sentence);

}  // namespace sotto::cli
