#pragma once
// Structured logs: an event name and key=value fields, one line each, on stderr. Only
// LogSafe values can become fields (base/log_safe.hpp), so keys, message data and full
// account IDs cannot be logged by accident. Thread-safe.

#include <initializer_list>
#include <string>
#include <string_view>

#include "base/log_safe.hpp"

namespace sotto::log {

enum class Level { Debug, Info, Warn, Error };

struct Field {
  std::string_view key;
  std::string value;
};

template <base::LogSafe T>
Field kv(std::string_view key, const T& value) {
  return {key, base::to_log(value)};
}

void set_level(Level level);
// "debug", "info", "warn", "error"; false for anything else.
bool set_level(std::string_view name);
void write(Level level, std::string_view event, std::initializer_list<Field> fields);
inline void debug(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::Debug, e, f); }
inline void info(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::Info, e, f); }
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::Warn, e, f); }
inline void error(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::Error, e, f); }

}  // namespace sotto::log
