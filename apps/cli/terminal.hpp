#pragma once
// Terminal helpers: hidden prompts, reading secrets from files or stdin, QR codes.

#include <optional>
#include <string>

#include "sotto/outcome.hpp"
#include "sotto/secret.hpp"

namespace sotto::cli {

bool stdin_is_terminal();
bool stdout_is_terminal();
// Prompts on /dev/tty with echo off; nullopt when there is no terminal.
std::optional<Secret> prompt_hidden(const std::string& prompt);
// Reads a whole file (at most 64 KiB) and strips one trailing newline.
Outcome<Secret> read_secret_file(const std::string& path, const std::string& what);
// Reads all of standard input (at most 64 KiB).
Outcome<Secret> read_stdin_secret(const std::string& what);
// A QR code of `text` in Unicode half blocks, with a quiet zone; empty on failure.
std::string qr_code(const std::string& text);

}  // namespace sotto::cli
