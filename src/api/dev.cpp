// Developer tools (include/sotto/dev.hpp): Session-format messages as storage `data`, and
// storage RPC calls through onion paths, straight to swarm members, or to one node. Every
// reply is a node's, read with the codec's limits.

#include "sotto/dev.hpp"

#include <algorithm>

#include "api/failure.hpp"
#include "api/https_transport.hpp"
#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/rng.hpp"
#include "client/errc.hpp"
#include "client/network_view.hpp"
#include "client/onion_client.hpp"
#include "client/peers.hpp"
#include "client/profile.hpp"
#include "client/swarm_client.hpp"
#include "crypto/account_id.hpp"
#include "proto/dm.hpp"
#include "proto/signed_strings.hpp"
#include "proto/storage_rpc.hpp"

namespace sotto::dev {

namespace wire = proto::rpc;

// A node's reply, read to check that it is JSON a program can print without recursing deep.
constexpr base::JsonLimits kReplyLimits{16 << 20, proto::kMaxRpcJsonDepth, std::size_t{1} << 20};

namespace {

Result<crypto::Keypair> unlock(const std::string& dir, const Secret* passphrase) {
  auto pw = api::secret_bytes(passphrase);
  return client::Profile(dir).load_keys(pw ? &*pw : nullptr);
}

struct Node {
  std::string host;
  std::uint16_t port = 0;
};

// Where a call goes: one node (--node), swarm members straight (--direct), or swarm members
// (or any node) through onion paths, by the consensus the profile holds.
struct Targets {
  std::vector<Node> direct;
  std::vector<directory::ConsensusNode> members;  // through onion paths
  std::vector<directory::ConsensusNode> all;      // the consensus's nodes (for paths)
};

// --node https://HOST:PORT (the scheme may be left out).
Result<Node> parse_node(const std::string& url) {
  auto at = client::parse_node_url(url.rfind("https://", 0) == 0 ? url : "https://" + url);
  if (!at) return Error(client::Errc::Io, "--node must be https://HOST:PORT with a port of 1-65535");
  return Node{at->first, at->second};
}

Result<Targets> targets(const std::string& dir, const Route& route, std::optional<ByteArray<33>> account) {
  Targets out;
  if (!route.node_url.empty()) {
    auto n = parse_node(route.node_url);
    if (!n) return std::move(n).error();
    out.direct.push_back(*n);
    return out;
  }
  auto view = client::NetworkView::open(client::Profile(dir), base::SystemClock().now_ms() / 1000);
  if (!view) return Error(view.error().code(), view.error().message() + " (or give --node https://HOST:PORT)");
  if (!view->current())
    return Error(client::Errc::NoNetwork, "this profile holds no current consensus: run `sotto network update` (or give --node https://HOST:PORT)");
  out.all = view->current()->nodes;
  out.members = account ? view->swarm_of(*account) : out.all;
  if (out.members.empty()) return Error(client::Errc::NoNetwork, "the consensus has no swarm for this account (a network without assigned nodes)");
  base::SystemRng rng;
  for (std::size_t i = out.members.size(); i > 1; --i) {  // a random order (Fisher-Yates)
    std::uint32_t r = 0;
    rng.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&r), sizeof r));
    std::swap(out.members[i - 1], out.members[r % i]);
  }
  if (route.direct) {
    for (const auto& m : out.members) out.direct.push_back({m.ip, m.port_https});
    out.members.clear();
  }
  return out;
}

// One call straight to a node; a 421 is followed once to the first member it names.
Result<Answer> call_node(client::Transport& t, Node node, const std::string& body) {
  for (int hop = 0; hop < 2; ++hop) {
    auto r = t.post(node.host, node.port, "/storage_rpc/v1", body);
    if (!r) return std::move(r).error();
    if (r->status == 421 && hop == 0) {
      auto swarm = wire::decode_swarm_members(r->body);
      if (!swarm || swarm->nodes.empty())
        return Error(client::Errc::Refused, "the node is not in the account's swarm and named no member to ask instead");
      node = {swarm->nodes[0].ip, swarm->nodes[0].port_https};
      continue;
    }
    if (r->status != 200) return Error(client::Errc::Refused, "the node answered " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
    if (!base::read_json(r->body, kReplyLimits)) return Error(client::Errc::Refused, "the node's reply is not JSON");
    return Answer{r->status, std::move(r->body), true, "", {}};
  }
  return Error(client::Errc::Refused, "the node sent us on more than once");
}

// The call at each target in turn until one answers (a node that answers is the answer:
// another member would say the same); through onion paths, a member whose paths all
// failed in transit is followed by the next one.
Result<Answer> call_any(const Targets& to, const std::string& body, Transport* user) {
  api::HttpsTransport own_direct(std::chrono::seconds(15)), own_onion;  // a path has three more hops to wait for
  std::optional<api::TransportBridge> bridge;
  if (user) bridge.emplace(*user);
  client::Transport& direct = bridge ? static_cast<client::Transport&>(*bridge) : own_direct;
  client::Transport& t = bridge ? static_cast<client::Transport&>(*bridge) : own_onion;
  Error last(client::Errc::Unreachable, "no node to ask");
  for (const auto& n : to.direct) {
    auto r = call_node(direct, n, body);
    if (r || r.error().is(client::Errc::Refused)) return r;
    last = std::move(r).error();
  }
  if (to.members.empty()) return last;
  base::SystemRng rng;
  client::OnionClient onion(t, rng);
  onion.set_nodes(to.all);
  for (const auto& m : to.members) {
    auto r = onion.rpc(m, body);
    if (!r) {
      if (r.error().is(client::Errc::NoPath)) return std::move(r).error();
      last = std::move(r).error();
      continue;
    }
    return Answer{r->status, std::move(r->body), false, r->destination, r->path};
  }
  return last;
}

// A call that must succeed: a 421 through a path says the profile's consensus is old.
Result<Answer> call_ok(const Targets& to, const std::string& body, Transport* user) {
  auto r = call_any(to, body, user);
  if (!r) return r;
  if (r->status == 421 && !r->path.empty())
    return Error(client::Errc::NoNetwork, "the node says this account's swarm has moved since the consensus this profile holds: run `sotto network update`");
  if (r->status != 200) return Error(client::Errc::Refused, "the node answered " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
  return r;
}

// A dev call's failure: a node's refusal is said as "io", as `sotto dev` always has (the
// messenger's calls say "refused").
Failure dev_failure(const Error& e) {
  if (e.is(client::Errc::Refused)) return Failure{"io", e.message()};
  return api::failure_of(e);
}

}  // namespace

Outcome<Ok> check_route(const Route& route) {
  if (route.node_url.empty()) return Ok{};
  if (auto n = parse_node(route.node_url); !n) return api::failure_of(n.error());
  return Ok{};
}

Outcome<Ok> check_message_data(const std::string& data_base64) {
  auto raw = base::from_base64(data_base64);
  if (!raw) return Failure{"bad_base64", "the message data is not base64: " + raw.error().message()};
  if (raw->size() > proto::kMaxMessageData)
    return Failure{"too_large", "the data is " + std::to_string(raw->size()) + " bytes; a stored message has at most 76800"};
  return Ok{};
}

Outcome<Encrypted> encrypt(const std::string& profile_dir, const Secret* passphrase, const std::string& to, const std::string& text) {
  auto recipient = crypto::AccountId::parse(to);
  if (!recipient) return api::failure_of(recipient.error());
  auto keys = unlock(profile_dir, passphrase);
  if (!keys) return api::failure_of(keys.error());
  base::SystemRng rng;
  auto now = static_cast<std::uint64_t>(base::SystemClock().now_ms());
  proto::Content content;
  content.body = text;
  content.timestamp_ms = now;
  auto data = proto::encode_dm(*keys, *recipient, content, now, rng);
  if (!data) return api::failure_of(data.error());
  if (data->size() > proto::kMaxMessageData)
    return Failure{"too_large", "the message is " + std::to_string(data->size()) + " bytes; a stored message may have at most 76800"};
  return Encrypted{base::to_base64(*data), crypto::account_id_of(*keys).hex(), recipient->hex(), static_cast<std::int64_t>(now)};
}

Outcome<Decrypted> decrypt(const std::string& profile_dir, const Secret* passphrase, const std::string& data_base64) {
  if (auto ok = check_message_data(data_base64); !ok) return ok.failure();
  auto raw = base::from_base64(data_base64);
  auto keys = unlock(profile_dir, passphrase);
  if (!keys) return api::failure_of(keys.error());
  auto dm = proto::decode_dm(*keys, *raw);
  if (!dm) return api::failure_of(dm.error());
  return Decrypted{dm->sender.hex(), dm->content.body, static_cast<std::int64_t>(dm->content.timestamp_ms),
                   static_cast<std::int64_t>(dm->envelope_timestamp_ms), dm->content.display_name};
}

Outcome<Answer> rpc(const std::string& profile_dir, const Route& route, const std::string& method, const std::string& params_json,
                    Transport* transport) {
  auto params = base::read_json_object(params_json, {16 << 20, 16, std::size_t{1} << 20});
  if (!params) return Failure{"bad_params", "the params must be a JSON object, e.g. '{\"pubkey\": \"05…\"}'"};
  std::optional<ByteArray<33>> account;
  if (auto pk = params->find("pubkey"); pk != params->end() && pk->is_string())
    if (auto a = crypto::AccountId::parse(pk->get<std::string>())) account = a->bytes();
  auto to = targets(profile_dir, route, account);
  if (!to) return api::failure_of(to.error());
  auto r = call_any(*to, nlohmann::json{{"method", method}, {"params", *params}}.dump(), transport);
  if (!r) return dev_failure(r.error());
  r->body_is_json = static_cast<bool>(base::read_json(r->body, kReplyLimits));
  return *r;
}

Outcome<Stored> store(const std::string& profile_dir, const Route& route, const std::string& to, const std::string& data_base64, Transport* transport) {
  auto recipient = crypto::AccountId::parse(to);
  if (!recipient) return api::failure_of(recipient.error());
  auto where = targets(profile_dir, route, recipient->bytes());
  if (!where) return api::failure_of(where.error());
  auto raw = base::from_base64(data_base64);
  if (!raw || raw->size() > proto::kMaxMessageData) return Failure{"bad_data", "the data must be base64 of at most 76800 bytes"};
  wire::Store s;
  s.pubkey = recipient->bytes();
  s.timestamp = base::SystemClock().now_ms();
  s.ttl = 86'400'000;
  s.data = std::move(*raw);
  auto r = call_ok(*where, wire::encode(s), transport);
  if (!r) return dev_failure(r.error());
  Stored out;
  out.answer = *r;
  auto reply = wire::decode_swarm_reply(r->body);
  if (!reply || !reply->hash) return Failure{"io", "the node's reply names no stored message"};
  out.hash = wire::hash_text(*reply->hash);
  // Each member signed the hash with its Ed25519 key: the sender can check who holds it.
  for (const auto& [key, entry] : reply->members) {
    auto m = wire::decode_store_member(entry);
    auto pk = crypto::Ed25519Public::from_hex(key);
    const auto* receipt = std::get_if<wire::StoreReceipt>(&m);
    bool ok = pk && receipt && receipt->hash == *reply->hash && crypto::verify(receipt->signature, as_bytes(out.hash), *pk);
    out.receipts.push_back({key, ok, std::holds_alternative<wire::MemberFailure>(m)});
    out.verified += ok;
  }
  return out;
}

Outcome<FetchResult> fetch(const std::string& profile_dir, const Secret* passphrase, const Route& route, Transport* transport) {
  auto keys = unlock(profile_dir, passphrase);
  if (!keys) return api::failure_of(keys.error());
  auto me = crypto::account_id_of(*keys);
  auto where = targets(profile_dir, route, me.bytes());
  if (!where) return api::failure_of(where.error());
  wire::Retrieve r;
  r.pubkey = me.bytes();
  r.timestamp = base::SystemClock().now_ms();
  r.auth.pubkey_ed25519 = keys->ed25519_public();
  r.auth.signature = crypto::sign(keys->ed25519_secret(), as_bytes(proto::signed_retrieve(0, *r.timestamp)));
  auto a = call_ok(*where, wire::encode(r), transport);
  if (!a) return dev_failure(a.error());
  auto reply = wire::decode_retrieve_reply(a->body);
  if (!reply) return api::failure_of(reply.error());
  FetchResult out;
  out.answer = *a;
  for (const auto& item : reply->items) {
    Fetched f;
    f.hash = wire::hash_text(item.hash);
    if (!item.data) continue;
    auto dm = proto::decode_dm(*keys, *item.data);
    if (!dm) {
      f.error = dm.error().message();
    } else {
      f.from = dm->sender.hex();
      f.body = dm->content.body;
      f.timestamp_ms = static_cast<std::int64_t>(dm->content.timestamp_ms);
    }
    out.messages.push_back(std::move(f));
  }
  return out;
}

}  // namespace sotto::dev
