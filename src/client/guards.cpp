#include "client/guards.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json.hpp"
#include "client/errc.hpp"

namespace sotto::client {

using nlohmann::json;

Result<std::vector<RememberedGuard>> parse_guards(std::string_view text) {
  auto bad = [](const std::string& why) { return Error(Errc::Io, "the remembered onion guards in the profile are unreadable: " + why); };
  auto parsed = base::read_json(text, {64 << 10, 3, 1024});
  if (!parsed || !parsed->is_array()) return bad("not a JSON array" + (parsed ? std::string() : " (" + parsed.error().message() + ")"));
  const json& j = *parsed;
  std::vector<RememberedGuard> out;
  for (const auto& e : j) {
    std::string at = "entry " + std::to_string(out.size() + 1);
    if (!e.is_object() || e.size() != 3 || !e.contains("ed25519") || !e["ed25519"].is_string() || !e.contains("since") ||
        !e["since"].is_number_integer() || !e.contains("until") || !e["until"].is_number_integer())
      return bad(at + " is not {\"ed25519\", \"since\", \"until\"}");
    auto key = crypto::Ed25519Public::from_hex(e["ed25519"].get<std::string>());
    if (!key) return bad(at + ": " + key.error().message());
    RememberedGuard g{*key, e["since"].get<std::int64_t>(), e["until"].get<std::int64_t>()};
    if (g.until_ms <= g.since_ms) return bad(at + " ends before it begins");
    if (std::any_of(out.begin(), out.end(), [&](const RememberedGuard& o) { return o.ed25519 == g.ed25519; }))
      return bad(at + " repeats a guard");
    out.push_back(g);
  }
  if (out.size() > kMaxRememberedGuards) return bad(std::to_string(out.size()) + " guards, more than " + std::to_string(kMaxRememberedGuards));
  return out;
}

std::string guards_text(const std::vector<RememberedGuard>& guards) {
  json j = json::array();
  for (const auto& g : guards) j.push_back({{"ed25519", g.ed25519.hex()}, {"since", g.since_ms}, {"until", g.until_ms}});
  return j.dump();
}

std::vector<RememberedGuard> unexpired(std::vector<RememberedGuard> guards, std::int64_t now_ms) {
  std::erase_if(guards, [&](const RememberedGuard& g) { return g.until_ms <= now_ms || g.until_ms - now_ms > kGuardLifetimeMaxMs; });
  return guards;
}

std::vector<RememberedGuard> remember(std::vector<RememberedGuard> record, const std::vector<crypto::Ed25519Public>& confirmed,
                                      const std::set<crypto::Ed25519Public>& listed, std::int64_t now_ms, base::Rng& rng) {
  for (const auto& k : confirmed) {
    if (std::any_of(record.begin(), record.end(), [&](const RememberedGuard& g) { return g.ed25519 == k; })) continue;
    std::uint64_t r = 0;
    rng.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&r), sizeof r));
    auto span = static_cast<std::uint64_t>(kGuardLifetimeMaxMs - kGuardLifetimeMinMs);
    record.push_back({k, now_ms, now_ms + kGuardLifetimeMinMs + static_cast<std::int64_t>(r % span)});
  }
  auto in_use = [&](const RememberedGuard& g) { return std::find(confirmed.begin(), confirmed.end(), g.ed25519) != confirmed.end(); };
  while (record.size() > kMaxRememberedGuards) {
    // The one to forget: unlisted before listed, then the least preferred; one in use only
    // when every other is gone (more guards in use than the cap: not with 2 paths).
    auto victim = record.end();
    auto unlisted = [&](const RememberedGuard& g) { return listed.count(g.ed25519) == 0; };
    for (bool spare_in_use : {true, false}) {
      for (auto it = record.begin(); it != record.end(); ++it) {
        if (spare_in_use && in_use(*it)) continue;
        // Later entries are less preferred: so `>=` takes the last of equals.
        if (victim == record.end() || unlisted(*it) >= unlisted(*victim)) victim = it;
      }
      if (victim != record.end()) break;
    }
    record.erase(victim);
  }
  return record;
}

}  // namespace sotto::client
