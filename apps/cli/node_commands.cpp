// sotto dev store | fetch: talk to a service node directly (until onion paths and live
// delivery arrive): store a message for an account at its swarm and check every member's
// signed receipt; fetch this account's messages with a signed retrieve and decrypt them.

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "cli/commands.hpp"
#include "client/network_view.hpp"
#include "crypto/account_id.hpp"
#include "net/client.hpp"
#include "proto/constants.hpp"
#include "proto/dm.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::cli {

namespace {

using nlohmann::json;

struct Node {
  std::string host;
  std::uint16_t port = 0;
};

Result<Node> parse_node(const std::string& url) {
  std::string rest = url.rfind("https://", 0) == 0 ? url.substr(8) : url;
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || rest.size() - colon - 1 > 5 ||
      rest.find_first_not_of("0123456789", colon + 1) != std::string::npos || colon + 1 == rest.size())
    return Error(base::Errc::Io, "--node must be https://HOST:PORT");
  return Node{rest.substr(0, colon), static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)))};
}

// One storage RPC call; a 421 is followed once to the first member it names.
Result<std::pair<int, json>> call(Node node, const json& body) {
  for (int hop = 0; hop < 2; ++hop) {
    net::HttpClient c(node.host, node.port, true, std::chrono::seconds(15));
    auto r = c.post("/storage_rpc/v1", body.dump());
    if (!r) return std::move(r).error();
    json j = json::parse(r->body, nullptr, false);
    if (r->status == 421 && hop == 0 && !j.is_discarded() && j.contains("snodes") && !j["snodes"].empty()) {
      node = {j["snodes"][0]["ip"].get<std::string>(), static_cast<std::uint16_t>(j["snodes"][0]["port_https"].get<int>())};
      continue;
    }
    if (r->status != 200) return Error(base::Errc::Io, "the node answered " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
    if (j.is_discarded()) return Error(base::Errc::Io, "the node's reply is not JSON");
    return std::pair<int, json>{r->status, j};
  }
  return Error(base::Errc::Io, "the node sent us on more than once");
}

// --node, or else the members of the account's swarm (in random order) by the consensus
// the profile holds (sotto network update).
Result<std::vector<Node>> pick_nodes(const Options& opt, const std::string& node_url, std::span<const std::uint8_t, 33> account) {
  if (!node_url.empty()) {
    auto n = parse_node(node_url);
    if (!n) return std::move(n).error();
    return std::vector<Node>{*n};
  }
  auto profile = open_profile(opt);
  if (!profile) return std::move(profile).error();
  auto view = client::NetworkView::open(*profile, base::SystemClock().now_ms() / 1000);
  if (!view) return Error(view.error().code(), view.error().message() + " (or give --node https://HOST:PORT)");
  if (!view->current())
    return Error(client::Errc::NoNetwork, "this profile holds no current consensus: run `sotto network update` (or give --node https://HOST:PORT)");
  auto members = view->swarm_of(account);
  if (members.empty()) return Error(client::Errc::NoNetwork, "the consensus has no swarm for this account (a network without assigned nodes)");
  base::SystemRng rng;
  std::vector<Node> out;
  for (const auto& m : members) out.push_back({m.ip, m.port_https});
  for (std::size_t i = out.size(); i > 1; --i) {  // Fisher-Yates
    std::uint32_t r = 0;
    rng.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&r), sizeof r));
    std::swap(out[i - 1], out[r % i]);
  }
  return out;
}

// The call at each node in turn until one answers (a node that answers with an error is
// the answer: another member would say the same).
Result<std::pair<int, json>> call_any(const std::vector<Node>& nodes, const json& body) {
  Error last(base::Errc::Io, "no node to ask");
  for (const auto& n : nodes) {
    auto r = call(n, body);
    if (r || r.error().message().rfind("the node ", 0) == 0) return r;
    last = std::move(r).error();
  }
  return last;
}

}  // namespace

int cmd_dev_store(const Options& opt, const std::string& node_url, const std::string& to, const std::string& data) {
  auto recipient = crypto::AccountId::parse(to);
  if (!recipient) return fail(opt, recipient.error());
  auto nodes = pick_nodes(opt, node_url, recipient->bytes());
  if (!nodes) return fail(opt, nodes.error());
  auto raw = base::from_base64(data);
  if (!raw || raw->size() > proto::kMaxMessageData) return fail(opt, "bad_data", "the data must be base64 of at most 76800 bytes");
  base::SystemClock clock;
  json body{{"method", "store"},
            {"params", {{"pubkey", recipient->hex()}, {"timestamp", clock.now_ms()}, {"ttl", 86'400'000}, {"namespace", 0}, {"data", data}}}};
  auto r = call_any(*nodes, body);
  if (!r) return fail(opt, r.error());
  const json& reply = r->second;
  std::string hash = reply.value("hash", "");
  // Each member signed the hash with its Ed25519 key: the sender can check who holds it.
  std::size_t verified = 0, members = 0;
  json receipts = json::array();
  for (const auto& [key, m] : reply["swarm"].items()) {
    ++members;
    bool ok = false;
    auto pk = crypto::Ed25519Public::from_hex(key);
    auto sig = base::from_base64(m.value("signature", ""));
    if (pk && sig && sig->size() == 64 && m.value("hash", "") == hash) {
      crypto::Signature s;
      std::copy(sig->begin(), sig->end(), s.begin());
      ok = crypto::verify(s, as_bytes(hash), *pk);
    }
    verified += ok;
    receipts.push_back({{"node", key}, {"verified", ok}, {"failed", m.value("failed", false)}});
  }
  if (opt.json) {
    print_json({{"hash", hash}, {"members", members}, {"verified", verified}, {"receipts", receipts}});
  } else {
    std::cout << "stored: " << hash << "\nreceipts: " << verified << " of " << members << " swarm members signed it\n";
  }
  return verified > 0 ? kExitOk : kExitFailure;
}

int cmd_dev_fetch(const Options& opt, const PassphraseOptions& pp, const std::string& node_url) {
  if (!node_url.empty())
    if (auto n = parse_node(node_url); !n) return fail(opt, n.error());
  auto keys = unlock(opt, pp);
  if (!keys) return fail(opt, keys.error());
  auto nodes = pick_nodes(opt, node_url, crypto::account_id_of(*keys).bytes());
  if (!nodes) return fail(opt, nodes.error());
  base::SystemClock clock;
  std::int64_t ts = clock.now_ms();
  auto sig = crypto::sign(keys->ed25519_secret(), as_bytes(proto::signed_retrieve(0, ts)));
  json body{{"method", "retrieve"},
            {"params", {{"pubkey", crypto::account_id_of(*keys).hex()}, {"pubkey_ed25519", keys->ed25519_public().hex()}, {"namespace", 0},
                        {"timestamp", ts}, {"signature", base::to_base64(sig)}}}};
  auto r = call_any(*nodes, body);
  if (!r) return fail(opt, r.error());
  json out = json::array();
  for (const auto& m : r->second["messages"]) {
    auto raw = base::from_base64(m.value("data", ""));
    if (!raw) continue;
    auto dm = proto::decode_dm(*keys, *raw);
    if (!dm) {
      out.push_back({{"hash", m["hash"]}, {"error", dm.error().message()}});
      continue;
    }
    out.push_back({{"hash", m["hash"]}, {"from", dm->sender.hex()}, {"body", dm->content.body}, {"timestamp", dm->content.timestamp_ms}});
  }
  if (opt.json) {
    print_json({{"messages", out}});
  } else {
    std::cout << out.size() << " message(s)\n";
    for (const auto& m : out) {
      if (m.contains("error")) std::cout << "- (unreadable: " << m["error"].get<std::string>() << ")\n";
      else std::cout << "- from " << m["from"].get<std::string>().substr(0, 12) << "…: " << m["body"].get<std::string>() << "\n";
    }
  }
  return kExitOk;
}

}  // namespace sotto::cli
