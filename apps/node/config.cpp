#include "config.hpp"

#include <set>
#include <toml++/toml.h>

#include "base/errc.hpp"

namespace sotto::apps {

Result<void> load_toml(const std::string& path, NodeConfig& cfg) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Error(base::Errc::Io, "config " + path + ": " + std::string(e.description()) + " (line " +
                                     std::to_string(e.source().begin.line) + ")");
  }
  static const std::set<std::string> known{"data_dir", "listen", "admin_listen", "public_ip", "threads", "log_level",
                                           "max_connections", "max_connections_per_ip", "max_connections_per_net", "reserved_connections", "header_timeout_ms", "sweep_seconds", "commit_interval_ms", "rate_limit", "limits", "network", "record_onion"};
  for (const auto& [k, v] : t)
    if (!known.count(std::string(k.str()))) return Error(base::Errc::Io, "config " + path + ": unknown key '" + std::string(k.str()) + "'");
  auto str = [&](const char* key, std::string& out) -> Result<void> {
    if (auto n = t[key]; n) {
      auto v = n.value<std::string>();
      if (!v) return Error(base::Errc::Io, std::string("config: ") + key + " must be a string");
      out = *v;
    }
    return {};
  };
  auto num = [&](toml::node_view<toml::node> n, const char* key, auto& out) -> Result<void> {
    if (!n) return {};
    auto v = n.value<double>();
    if (!v || *v < 0) return Error(base::Errc::Io, std::string("config: ") + key + " must be a non-negative number");
    out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
    return {};
  };
  std::string listen, admin;
  for (auto r : {str("data_dir", cfg.data_dir), str("listen", listen), str("admin_listen", admin), str("public_ip", cfg.public_ip),
                 str("log_level", cfg.log_level), str("network", cfg.network), str("record_onion", cfg.record_onion), num(t["threads"], "threads", cfg.threads),
                 num(t["max_connections"], "max_connections", cfg.max_connections),
                 num(t["max_connections_per_ip"], "max_connections_per_ip", cfg.max_connections_per_ip),
                 num(t["max_connections_per_net"], "max_connections_per_net", cfg.max_connections_per_net),
                 num(t["reserved_connections"], "reserved_connections", cfg.reserved_connections),
                 num(t["header_timeout_ms"], "header_timeout_ms", cfg.header_timeout_ms),
                 num(t["sweep_seconds"], "sweep_seconds", cfg.sweep_seconds),
                 num(t["commit_interval_ms"], "commit_interval_ms", cfg.commit_interval_ms),
                 num(t["rate_limit"]["per_second"], "rate_limit.per_second", cfg.rate_per_second),
                 num(t["rate_limit"]["burst"], "rate_limit.burst", cfg.rate_burst),
                 num(t["limits"]["max_db_bytes"], "limits.max_db_bytes", cfg.limits.max_db_bytes),
                 num(t["limits"]["max_account_messages"], "limits.max_account_messages", cfg.limits.max_account_messages),
                 num(t["limits"]["max_account_bytes"], "limits.max_account_bytes", cfg.limits.max_account_bytes),
                 num(t["limits"]["unsigned_share_percent"], "limits.unsigned_share_percent", cfg.limits.unsigned_share_percent)})
    if (!r) return r;
  if (cfg.limits.unsigned_share_percent > 100) return Error(base::Errc::Io, "config: limits.unsigned_share_percent must be 0 to 100");
  if (cfg.header_timeout_ms < 100) return Error(base::Errc::Io, "config: header_timeout_ms must be at least 100");
  if (cfg.reserved_connections >= cfg.max_connections) return Error(base::Errc::Io, "config: reserved_connections must be less than max_connections");
  if (!listen.empty()) {
    auto hp = net::parse_host_port(listen);
    if (!hp) return std::move(hp).error();
    cfg.listen = *hp;
  }
  if (!admin.empty()) {
    auto hp = net::parse_host_port(admin);
    if (!hp) return std::move(hp).error();
    cfg.admin = *hp;
  }
  return {};
}

}  // namespace sotto::apps
