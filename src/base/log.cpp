#include "base/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace sotto::log {

namespace {
spdlog::logger& logger() {
  static auto l = [] {
    auto lg = spdlog::stderr_logger_mt("sotto");
    lg->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
    lg->set_level(spdlog::level::info);
    return lg;
  }();
  return *l;
}

// Values with spaces or quotes are quoted, so a line splits unambiguously into fields.
std::string quoted(const std::string& v) {
  if (!v.empty() && v.find_first_of(" \"=\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + '"';
}
}  // namespace

void set_level(Level level) {
  static const spdlog::level::level_enum map[] = {spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
                                                  spdlog::level::err};
  logger().set_level(map[static_cast<int>(level)]);
}

bool set_level(std::string_view name) {
  if (name == "debug") set_level(Level::Debug);
  else if (name == "info") set_level(Level::Info);
  else if (name == "warn") set_level(Level::Warn);
  else if (name == "error") set_level(Level::Error);
  else return false;
  return true;
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  static const spdlog::level::level_enum map[] = {spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
                                                  spdlog::level::err};
  auto lv = map[static_cast<int>(level)];
  if (!logger().should_log(lv)) return;
  std::string line(event);
  for (const auto& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    line += quoted(f.value);
  }
  logger().log(lv, line);
  if (level >= Level::Warn) logger().flush();
}

}  // namespace sotto::log
