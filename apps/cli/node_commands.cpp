// sotto dev store | fetch | rpc: store a message for an account at its swarm and check
// every member's signed receipt; fetch this account's messages with a signed retrieve and
// decrypt them; any storage RPC. Through a 3-hop onion path to a swarm member by the
// consensus the profile holds, or straight to a node (--direct, --node).

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/rng.hpp"
#include "cli/commands.hpp"
#include "client/network_view.hpp"
#include "client/onion_client.hpp"
#include "net/address.hpp"
#include "crypto/account_id.hpp"
#include "net/client.hpp"
#include "api/https_transport.hpp"
#include "proto/constants.hpp"
#include "proto/dm.hpp"
#include "proto/signed_strings.hpp"

namespace sotto::cli {

namespace {

using nlohmann::json;

constexpr base::JsonLimits kReplyJsonLimits{16 << 20, 16, std::size_t{1} << 20};

struct Node {
  std::string host;
  std::uint16_t port = 0;
};

// --node https://HOST:PORT (the scheme may be left out).
Result<Node> parse_node(const std::string& url) {
  auto hp = net::parse_https_url(url.rfind("https://", 0) == 0 ? url : "https://" + url);
  if (!hp) return Error(base::Errc::Io, "--node must be https://HOST:PORT with a port of 1-65535");
  return Node{hp->host, hp->port};
}

// One storage RPC call; a 421 is followed once to the first member it names.
Result<std::pair<int, json>> call(Node node, const json& body) {
  for (int hop = 0; hop < 2; ++hop) {
    net::HttpClient c(node.host, node.port, true, std::chrono::seconds(15));
    auto r = c.post("/storage_rpc/v1", body.dump());
    if (!r) return std::move(r).error();
    json j = base::read_json(r->body, kReplyJsonLimits).value_or(json(json::value_t::discarded));
    if (r->status == 421 && hop == 0) {
      // The node names the swarm's members; follow the first, if it names one properly.
      const json* first = !j.is_discarded() && j.is_object() && j.contains("snodes") && j["snodes"].is_array() && !j["snodes"].empty()
                              ? &j["snodes"][0] : nullptr;
      if (first && first->is_object() && first->contains("ip") && (*first)["ip"].is_string() && first->contains("port_https") &&
          (*first)["port_https"].is_number_unsigned() && (*first)["port_https"].get<std::uint64_t>() >= 1 &&
          (*first)["port_https"].get<std::uint64_t>() <= 65535) {
        node = {(*first)["ip"].get<std::string>(), static_cast<std::uint16_t>((*first)["port_https"].get<std::uint64_t>())};
        continue;
      }
      return Error(base::Errc::Io, "the node is not in the account's swarm and named no member to ask instead");
    }
    if (r->status != 200) return Error(base::Errc::Io, "the node answered " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
    if (j.is_discarded()) return Error(base::Errc::Io, "the node's reply is not JSON");
    return std::pair<int, json>{r->status, j};
  }
  return Error(base::Errc::Io, "the node sent us on more than once");
}

// Where requests go: --node (straight there), or the members of the account's swarm (in
// random order) by the consensus the profile holds (sotto network update), straight
// (--direct) or through onion paths.
struct Route {
  std::vector<Node> direct;                        // --node or --direct
  std::vector<directory::ConsensusNode> members;   // through onion paths
  std::vector<directory::ConsensusNode> all;       // the consensus's nodes (for paths)
};

template <class T>
void shuffle(std::vector<T>& v) {
  base::SystemRng rng;
  for (std::size_t i = v.size(); i > 1; --i) {  // Fisher-Yates
    std::uint32_t r = 0;
    rng.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&r), sizeof r));
    std::swap(v[i - 1], v[r % i]);
  }
}

Result<Route> pick_route(const Options& opt, const DevRoute& how, std::optional<std::span<const std::uint8_t, 33>> account) {
  Route route;
  if (!how.node_url.empty()) {
    auto n = parse_node(how.node_url);
    if (!n) return std::move(n).error();
    route.direct.push_back(*n);
    return route;
  }
  auto profile = open_profile(opt);
  if (!profile) return std::move(profile).error();
  auto view = client::NetworkView::open(*profile, base::SystemClock().now_ms() / 1000);
  if (!view) return Error(view.error().code(), view.error().message() + " (or give --node https://HOST:PORT)");
  if (!view->current())
    return Error(client::Errc::NoNetwork, "this profile holds no current consensus: run `sotto network update` (or give --node https://HOST:PORT)");
  route.all = view->current()->nodes;
  if (account) {
    route.members = view->swarm_of(*account);
    if (route.members.empty()) return Error(client::Errc::NoNetwork, "the consensus has no swarm for this account (a network without assigned nodes)");
  } else {
    route.members = route.all;
  }
  shuffle(route.members);
  if (how.direct) {
    for (const auto& m : route.members) route.direct.push_back({m.ip, m.port_https});
    route.members.clear();
  }
  return route;
}

struct Answer {
  int status = 0;
  json body;             // the reply's JSON (or a string when it is not JSON)
  json path = nullptr;   // the onion path used (Ed25519 hex, guard first), or null
  std::string node;      // the destination (Ed25519 hex) when known
};

// The call at each node in turn until one answers (a node that answers is the answer:
// another member would say the same). Through onion paths, a member whose paths all
// failed in transit is followed by the next one.
Result<Answer> call_any(const Route& route, const json& body, bool want_ok = true) {
  Error last(base::Errc::Io, "no node to ask");
  for (const auto& n : route.direct) {
    auto r = call(n, body);
    if (r) return Answer{r->first, std::move(r->second), nullptr, ""};
    if (r.error().message().rfind("the node ", 0) == 0) return std::move(r).error();
    last = std::move(r).error();
  }
  if (route.members.empty()) return last;
  base::SystemRng rng;
  api::HttpsTransport transport;
  client::OnionClient onion(transport, rng);
  onion.set_nodes(route.all);
  for (const auto& m : route.members) {
    auto r = onion.rpc(m, body.dump());
    if (!r) {
      if (r.error().is(client::Errc::NoPath)) return std::move(r).error();
      last = std::move(r).error();
      continue;
    }
    json j = base::read_json(r->body, kReplyJsonLimits).value_or(json(json::value_t::discarded));
    if (j.is_discarded()) j = r->body;
    if (want_ok && r->status == 421)
      return Error(client::Errc::NoNetwork, "the node says this account's swarm has moved since the consensus this profile holds: run `sotto network update`");
    if (want_ok && r->status != 200)
      return Error(base::Errc::Io, "the node answered " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
    return Answer{r->status, std::move(j), r->path, r->destination};
  }
  return last;
}

// "through a 3-hop onion path: guard 4cf5268e… → f773385d… → ea1b6769… → node 4df1654f…"
std::string route_text(const Answer& a) {
  if (a.path.is_null()) return "straight to the node";
  std::string out = "through a " + std::to_string(a.path.size()) + "-hop onion path: ";
  for (std::size_t i = 0; i < a.path.size(); ++i) out += (i ? " → " : "guard ") + a.path[i].get<std::string>().substr(0, 8) + "…";
  return out + " → node " + a.node.substr(0, 8) + "…";
}

}  // namespace

int cmd_dev_store(const Options& opt, const DevRoute& how, const std::string& to, const std::string& data) {
  auto recipient = crypto::AccountId::parse(to);
  if (!recipient) return fail(opt, recipient.error());
  auto route = pick_route(opt, how, recipient->bytes());
  if (!route) return fail(opt, route.error());
  auto raw = base::from_base64(data);
  if (!raw || raw->size() > proto::kMaxMessageData) return fail(opt, "bad_data", "the data must be base64 of at most 76800 bytes");
  base::SystemClock clock;
  json body{{"method", "store"},
            {"params", {{"pubkey", recipient->hex()}, {"timestamp", clock.now_ms()}, {"ttl", 86'400'000}, {"namespace", 0}, {"data", data}}}};
  auto r = call_any(*route, body);
  if (!r) return fail(opt, r.error());
  const json& reply = r->body;
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
    print_json({{"hash", hash}, {"members", members}, {"verified", verified}, {"receipts", receipts}, {"path", r->path}});
  } else {
    std::cout << "stored: " << hash << "\nreceipts: " << verified << " of " << members << " swarm members signed it\n"
              << route_text(*r) << "\n";
  }
  return verified > 0 ? kExitOk : kExitFailure;
}

int cmd_dev_fetch(const Options& opt, const PassphraseOptions& pp, const DevRoute& how) {
  if (!how.node_url.empty())
    if (auto n = parse_node(how.node_url); !n) return fail(opt, n.error());
  auto keys = unlock(opt, pp);
  if (!keys) return fail(opt, keys.error());
  auto route = pick_route(opt, how, crypto::account_id_of(*keys).bytes());
  if (!route) return fail(opt, route.error());
  base::SystemClock clock;
  std::int64_t ts = clock.now_ms();
  auto sig = crypto::sign(keys->ed25519_secret(), as_bytes(proto::signed_retrieve(0, ts)));
  json body{{"method", "retrieve"},
            {"params", {{"pubkey", crypto::account_id_of(*keys).hex()}, {"pubkey_ed25519", keys->ed25519_public().hex()}, {"namespace", 0},
                        {"timestamp", ts}, {"signature", base::to_base64(sig)}}}};
  auto r = call_any(*route, body);
  if (!r) return fail(opt, r.error());
  json out = json::array();
  for (const auto& m : r->body["messages"]) {
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
    print_json({{"messages", out}, {"path", r->path}});
  } else {
    std::cout << out.size() << " message(s), " << route_text(*r) << "\n";
    for (const auto& m : out) {
      if (m.contains("error")) std::cout << "- (unreadable: " << m["error"].get<std::string>() << ")\n";
      else std::cout << "- from " << m["from"].get<std::string>().substr(0, 12) << "…: " << m["body"].get<std::string>() << "\n";
    }
  }
  return kExitOk;
}

int cmd_dev_rpc(const Options& opt, const DevRoute& how, const std::string& method, const std::string& params_text) {
  json params = base::read_json(params_text, kReplyJsonLimits).value_or(json(json::value_t::discarded));
  if (params.is_discarded() || !params.is_object()) return fail(opt, "bad_params", "the params must be a JSON object, e.g. '{\"pubkey\": \"05…\"}'");
  std::optional<crypto::AccountId> account;
  if (params.contains("pubkey") && params["pubkey"].is_string()) {
    auto a = crypto::AccountId::parse(params["pubkey"].get<std::string>());
    if (a) account = *a;
  }
  auto route = account ? pick_route(opt, how, account->bytes()) : pick_route(opt, how, std::nullopt);
  if (!route) return fail(opt, route.error());
  auto r = call_any(*route, json{{"method", method}, {"params", params}}, false);
  if (!r) return fail(opt, r.error());
  print_json({{"status", r->status}, {"body", r->body}, {"destination", r->node}, {"path", r->path}});
  return r->status == 200 ? kExitOk : kExitFailure;
}

}  // namespace sotto::cli
