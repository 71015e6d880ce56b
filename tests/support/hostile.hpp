#pragma once
// Hostile JSON for the tests that attack parsers (issue 19, "the crash class"): nesting
// bombs, and every storage RPC method with a valid set of params whose fields can be
// swapped, one at a time, for a bomb. Header-only, for tests.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/signed_strings.hpp"
#include "support/account.hpp"

namespace sotto::test {

// About `bytes` of nested arrays and objects, closed, so that a parser without a depth
// limit takes all of it: [{"a":[{"a":[ … 1 … ]}]}].
inline std::string nesting_bomb(std::size_t bytes) {
  const std::string open = R"([{"a":)", close = "}]";
  std::size_t n = bytes / (open.size() + close.size());
  std::string s;
  s.reserve(n * (open.size() + close.size()) + 1);
  for (std::size_t i = 0; i < n; ++i) s += open;
  s += "1";
  for (std::size_t i = 0; i < n; ++i) s += close;
  return s;
}

// About `bytes` of arrays each nested 12 deep: within any sane depth limit, so the reader
// takes it and what reads the document must check types before it copies or uses values.
inline std::string wide_bomb(std::size_t bytes) {
  const std::string one = "[[[[[[[[[[[[0]]]]]]]]]]]]";
  std::string s = "[";
  while (s.size() + one.size() + 2 < bytes) s += (s.size() > 1 ? "," : "") + one;
  return s + "]";
}

// A request body with `field` of params (or "params" itself, or "method") replaced by
// `bomb` as raw JSON text; `field` may name a subrequest's param as "requests.0.<name>".
inline std::string with_bomb(const std::string& method, nlohmann::json params, const std::string& field, const std::string& bomb) {
  const std::string marker = "\x01bomb\x01";
  nlohmann::json body{{"method", method}, {"params", params}};
  if (field == "method" || field == "params") body[field] = marker;
  else if (field.rfind("requests.0.", 0) == 0) body["params"]["requests"][0]["params"][field.substr(11)] = marker;
  else body["params"][field] = marker;
  std::string text = body.dump();
  std::string quoted = nlohmann::json(marker).dump();
  return text.replace(text.find(quoted), quoted.size(), bomb);
}

// Every storage RPC method with params that a node would take from `a` at `now_ms` (the
// signatures are real; stores go to `a`'s own account).
inline std::vector<std::pair<std::string, nlohmann::json>> every_storage_rpc_method(const TestAccount& a, std::int64_t now_ms) {
  using nlohmann::json;
  const std::string ed = a.keys.ed25519_public().hex();
  const std::string hash(43, 'A');
  const std::vector<std::string> hashes{hash};
  const std::vector<std::int64_t> expiries{now_ms + 60'000};
  auto signed_params = [&](const std::string& s) { return json{{"pubkey", a.id}, {"pubkey_ed25519", ed}, {"signature", a.sign(s)}}; };
  std::vector<std::pair<std::string, json>> out;
  out.emplace_back("store", json{{"pubkey", a.id}, {"timestamp", now_ms}, {"ttl", 86'400'000}, {"namespace", 0}, {"data", "aGVsbG8="}});
  json r = signed_params(proto::signed_retrieve(0, now_ms));
  r.update({{"namespace", 0}, {"timestamp", now_ms}, {"last_hash", ""}, {"max_count", 10}, {"max_size", 0}, {"wait", 0}});
  out.emplace_back("retrieve", r);
  json d = signed_params(proto::signed_delete(hashes));
  d.update({{"messages", {hash}}, {"required", false}});
  out.emplace_back("delete", d);
  json da = signed_params(proto::signed_delete_all(proto::Namespace{0}, now_ms));
  da.update({{"namespace", 0}, {"timestamp", now_ms}});
  out.emplace_back("delete_all", da);
  json db = signed_params(proto::signed_delete_before(proto::Namespace{0}, now_ms));
  db.update({{"namespace", 0}, {"before", now_ms}});
  out.emplace_back("delete_before", db);
  json ea = signed_params(proto::signed_expire_all(proto::Namespace{0}, now_ms + 60'000));
  ea.update({{"namespace", 0}, {"expiry", now_ms + 60'000}});
  out.emplace_back("expire_all", ea);
  json e = signed_params(proto::signed_expire(proto::ExpireMode::Any, expiries, hashes));
  e.update({{"messages", {hash}}, {"expiry", {now_ms + 60'000}}, {"shorten", false}});
  out.emplace_back("expire", e);
  json g = signed_params(proto::signed_get_expiries(now_ms, hashes));
  g.update({{"messages", {hash}}, {"timestamp", now_ms}});
  out.emplace_back("get_expiries", g);
  const std::string token(48, 'A');
  json rv = signed_params(proto::signed_revoke_subaccount(now_ms, {}));
  rv.update({{"revoke", {token}}, {"timestamp", now_ms}});
  out.emplace_back("revoke_subaccount", rv);
  json ur = signed_params(proto::signed_unrevoke_subaccount(now_ms, {}));
  ur.update({{"unrevoke", {token}}, {"timestamp", now_ms}});
  out.emplace_back("unrevoke_subaccount", ur);
  json rs = signed_params(proto::signed_revoked_subaccounts(now_ms));
  rs["timestamp"] = now_ms;
  out.emplace_back("revoked_subaccounts", rs);
  out.emplace_back("get_swarm", json{{"pubkey", a.id}});
  out.emplace_back("get_snodes_for_pubkey", json{{"pubkey", a.id}});
  out.emplace_back("info", json::object());
  json sub{{"method", "retrieve"}, {"params", r}};
  out.emplace_back("batch", json{{"requests", {sub}}});
  out.emplace_back("sequence", json{{"requests", {sub}}});
  return out;
}

// The field names to swap for a bomb in `params` of `method`: each param, "params",
// "method", and for batches a subrequest's params.
inline std::vector<std::string> bomb_fields(const std::string& method, const nlohmann::json& params) {
  std::vector<std::string> out{"method", "params"};
  for (const auto& [k, v] : params.items()) out.push_back(k);
  if (method == "batch" || method == "sequence")
    for (const auto& [k, v] : params["requests"][0]["params"].items()) out.push_back("requests.0." + k);
  return out;
}

// Every value's place in `doc` (objects' members and arrays' elements, all the way down,
// and the root), so that each can be swapped for a bomb in turn.
inline std::vector<nlohmann::json::json_pointer> every_place(const nlohmann::json& doc) {
  std::vector<nlohmann::json::json_pointer> out{nlohmann::json::json_pointer()};
  std::vector<nlohmann::json::json_pointer> todo{nlohmann::json::json_pointer()};
  while (!todo.empty()) {
    auto at = todo.back();
    todo.pop_back();
    const auto& v = doc.at(at);
    if (v.is_object())
      for (const auto& [k, x] : v.items()) out.push_back(at / k), todo.push_back(at / k);
    if (v.is_array())
      for (std::size_t i = 0; i < v.size(); ++i) out.push_back(at / i), todo.push_back(at / i);
  }
  return out;
}

// `doc` as text with the value at `at` replaced by `bomb` (raw JSON text).
inline std::string with_bomb_at(nlohmann::json doc, const nlohmann::json::json_pointer& at, const std::string& bomb) {
  if (at.empty()) return bomb;
  const std::string marker = "\x01bomb\x01";
  doc[at] = marker;
  std::string text = doc.dump();
  std::string quoted = nlohmann::json(marker).dump();
  return text.replace(text.find(quoted), quoted.size(), bomb);
}

}  // namespace sotto::test
