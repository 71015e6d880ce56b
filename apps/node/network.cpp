#include "network.hpp"

#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json.hpp"
#include "base/log.hpp"
#include "crypto/hash.hpp"
#include "common/url.hpp"
#include "net/client.hpp"
#include "node/rpc/handler.hpp"
#include "node/swarm/membership.hpp"
#include "node/swarm/replication.hpp"
#include "proto/message_hash.hpp"

namespace sotto::apps {

using nlohmann::json;

namespace {
constexpr std::size_t kPushBatchBytes = 4 << 20;  // one push request holds at most about this much data
constexpr std::int64_t kMaxExpiryAheadMs = 30LL * 86'400'000 + 60'000;
constexpr std::size_t kFetchMax = 500;  // hashes per anti-entropy fetch
constexpr int kPushAttempts = 10;        // epochs a failed push is retried for
constexpr std::size_t kPastConsensuses = 4;  // a push is taken from a holder in any of these

// A node-to-node body or reply, read with limits (null when it is not JSON or past them:
// every use checks the type of what it reads).
json peer_json(std::string_view text) {
  return base::read_json(text, {proto::kMaxRpcBodyBytes, 8, std::size_t{1} << 20}).value_or(json());
}

json message_json(const node::storage::Message& m) {
  return {{"hash", base::to_base64(m.hash, base::Padding::No)}, {"namespace", m.ns}, {"timestamp", m.timestamp_ms},
          {"expiry", m.expiry_ms}, {"data", base::to_base64(m.data)}};
}

// Messages another node sent (a push or a fetch reply), checked: the hash must be the hash
// of the content, sizes and expiry in bounds. `keep` owns the data the requests view.
Result<std::vector<node::storage::StoreRequest>> parse_messages(const ByteArray<33>& pk, const json& list, std::vector<Bytes>& keep,
                                                                std::int64_t now) {
  using directory::Errc;
  std::vector<node::storage::StoreRequest> reqs;
  if (!list.is_array()) return Error(Errc::Malformed, "messages must be an array");
  keep.reserve(keep.size() + list.size());
  for (const auto& m : list) {
    if (!m.is_object() || !m.contains("hash") || !m.contains("namespace") || !m.contains("timestamp") || !m.contains("expiry") ||
        !m.contains("data") || !m["hash"].is_string() || !m["namespace"].is_number_integer() || !m["timestamp"].is_number_integer() ||
        !m["expiry"].is_number_integer() || !m["data"].is_string())
      return Error(Errc::Malformed, "a message lacks hash, namespace, timestamp, expiry or data");
    auto data = base::from_base64(m["data"].get<std::string>());
    auto ns64 = m["namespace"].get<std::int64_t>();
    if (!data || data->size() > proto::kMaxMessageData || ns64 < -32768 || ns64 > 32767)
      return Error(Errc::Malformed, "bad data or namespace");
    auto ns = static_cast<proto::Namespace>(ns64);
    // The hash is recomputed: a peer cannot file a message under another's hash.
    if (proto::message_hash(pk, ns, *data) != m["hash"].get<std::string>())
      return Error(Errc::Malformed, "a message's hash is not the hash of its content");
    std::int64_t expiry = m["expiry"].get<std::int64_t>();
    if (expiry <= now) continue;  // expired on the way: nothing to keep
    if (expiry > now + kMaxExpiryAheadMs) return Error(Errc::Malformed, "an expiry beyond the longest TTL");
    keep.push_back(std::move(*data));
    node::storage::MessageHash h{};
    auto raw = base::from_base64(m["hash"].get<std::string>());
    std::copy(raw->begin(), raw->end(), h.begin());
    std::int64_t ts = m["timestamp"].get<std::int64_t>();
    if (ts > now + 10'000) return Error(Errc::Malformed, "a message's timestamp is in the future");
    reqs.push_back({pk, ns, h, ts, expiry, keep.back(), /*keep_newer=*/true});
  }
  return reqs;
}

// The digest of one account's namespace: BLAKE2b-256 of its unexpired messages' hashes,
// ascending.
std::string digest_of(const std::vector<node::storage::MessageHash>& hashes) {
  Bytes all;
  for (const auto& h : hashes) all.insert(all.end(), h.begin(), h.end());
  return base::to_hex(crypto::blake2b_256(all));
}

// {"<66 hex account>": {"<namespace>": "<digest>"}} for the accounts `ours` accepts.
Result<json> summary_of(node::storage::MessageStore& reader, const std::function<bool(const node::storage::AccountKey&)>& ours,
                        std::int64_t now) {
  auto accounts = reader.accounts();
  if (!accounts) return std::move(accounts).error();
  json out = json::object();
  for (const auto& a : *accounts) {
    if (!ours(a)) continue;
    auto by_ns = reader.hashes_of(a, now);
    if (!by_ns) return std::move(by_ns).error();
    if (by_ns->empty()) continue;
    json d = json::object();
    for (const auto& [ns, hs] : *by_ns) d[std::to_string(ns)] = digest_of(hs);
    out[base::to_hex(a)] = std::move(d);
  }
  return out;
}
}  // namespace

NetworkMode::NetworkMode(directory::Network net, const crypto::Keypair& keys, std::string announced_ip, std::string reader_path,
                         StorePushed store_pushed)
    : net_(std::move(net)),
      keys_(keys),
      ip_(std::move(announced_ip)),
      reader_path_(std::move(reader_path)),
      store_pushed_(std::move(store_pushed)),
      swarm_(keys.ed25519_public()),
      holder_(net_) {}

NetworkMode::~NetworkMode() { stop(); }

std::int64_t NetworkMode::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void NetworkMode::start(std::uint16_t port) {
  port_ = port;
  thread_ = std::thread([this] { run(); });
  worker_ = std::thread([this] { work(); });
}

void NetworkMode::stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable() && !worker_.joinable() && clients_.empty()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (worker_.joinable()) worker_.join();
  std::map<crypto::Ed25519Public, std::shared_ptr<net::AsyncClient>> clients;
  {
    std::lock_guard lock(mu_);
    clients.swap(clients_);
  }
  for (auto& [k, c] : clients) c->stop();
}

std::string NetworkMode::consensus_json() const {
  std::lock_guard lock(mu_);
  return holder_.current_json();
}

bool NetworkMode::is_node_ip(const std::string& ip) const {
  std::lock_guard lock(mu_);
  const auto* c = holder_.current();
  return c && std::any_of(c->nodes.begin(), c->nodes.end(), [&](const directory::ConsensusNode& n) { return n.ip == ip; });
}

std::optional<node::NodeAddress> NetworkMode::find_node(const crypto::Ed25519Public& node) const {
  std::lock_guard lock(mu_);
  const auto* c = holder_.current();
  if (!c) return std::nullopt;
  auto it = std::find_if(c->nodes.begin(), c->nodes.end(), [&](const directory::ConsensusNode& n) { return n.ed25519 == node; });
  if (it == c->nodes.end()) return std::nullopt;
  return node::NodeAddress{it->ed25519, it->x25519, it->ip, it->port_https};
}

// Each epoch: register at its middle (before the authorities vote), fetch the consensus
// just after it starts; on start, both at once. A push for a newer consensus than this
// node holds makes it fetch at once.
void NetworkMode::run() {
  const std::int64_t epoch_ms = net_.epoch_seconds * 1000, genesis_ms = net_.genesis * 1000;
  auto wait_until = [&](std::int64_t t) {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (fetch_now_) {
        fetch_now_ = false;
        lock.unlock();
        fetch_consensus();
        lock.lock();
        continue;
      }
      std::int64_t left = t - now_ms();
      if (left <= 0) return true;
      cv_.wait_for(lock, std::chrono::milliseconds(left));
    }
    return false;
  };
  register_now();
  fetch_consensus();
  std::optional<std::uint64_t> last_own = swarm_.own_swarm();
  std::int64_t sync_all_epoch = -1;
  for (std::int64_t e = std::max<std::int64_t>(0, (now_ms() - genesis_ms) / epoch_ms) + 1;; ++e) {
    std::int64_t va = genesis_ms + e * epoch_ms;
    if (!wait_until(va - epoch_ms / 2)) return;
    register_now();
    if (!wait_until(va + epoch_ms / 10)) return;
    if (!has_consensus()) register_now();
    fetch_consensus();
    // The worker's epoch: retries, then anti-entropy with one swarm peer in turn, or with
    // every peer in the epoch after this node joined a swarm (what the stayers' pushes
    // missed, e.g. a stayer that died).
    auto own = swarm_.own_swarm();
    if (own && own != last_own) sync_all_epoch = e + 1;
    last_own = own;
    {
      std::lock_guard lock(mu_);
      work_.tick = true;
      work_.sync_all = work_.sync_all || e == sync_all_epoch;
    }
    cv_.notify_all();
  }
}

// Pushes and anti-entropy, off the thread that registers and fetches the consensus: under
// load they can take longer than an epoch, and a node that misses its registrations drops
// out of the consensus. Work that piles up while it is busy is merged: consensus changes
// from the oldest `before` to the newest `after`, ticks into one.
void NetworkMode::work() {
  for (;;) {
    Work w;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || work_.tick || work_.after; });
      if (stop_) return;
      w = std::move(work_);
      work_ = Work{};
    }
    if (w.tick) retry_pushes();  // earlier failures first; new ones wait for the next tick
    if (w.after) push_moved(w.before ? &*w.before : nullptr, *w.after);
    if (!w.tick) continue;
    std::vector<node::NodeAddress> peers;
    for (const auto& m : swarm_.own_members().members)
      if (m.ed25519 != keys_.ed25519_public()) peers.push_back(m);
    if (w.sync_all) {
      for (const auto& p : peers)
        if (!stopping()) sync_with(p);
    } else if (!peers.empty()) {
      sync_with(peers[round_++ % peers.size()]);
    }
  }
}

bool NetworkMode::stopping() const {
  std::lock_guard lock(mu_);
  return stop_;
}

void NetworkMode::register_now() {
  const auto timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(net_.epoch_seconds * 250, 300, 5000));
  directory::Descriptor d{net_.network_id, keys_.ed25519_public(), keys_.x25519_public(), ip_, port_, "0.1.0", now_ms()};
  std::string body = directory::to_json(directory::sign_descriptor(d, keys_.ed25519_secret()));
  for (const auto& a : net_.authorities) {
    auto at = parse_https_url(a.url);
    if (!at) continue;
    net::HttpClient c(at->host, at->port, true, timeout);
    auto r = c.post("/directory/v1/register", body);
    if (!r || (r->status != 200 && r->status != 429))
      log::warn("register_failed", {log::kv("authority", base::Plain(a.url)),
                                    log::kv("reason", base::Plain(r ? std::to_string(r->status) + " " + r->body : r.error().message()))});
  }
}

void NetworkMode::fetch_consensus() {
  const auto timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(net_.epoch_seconds * 250, 300, 5000));
  // Fetch from the authorities, then from the seed nodes: the document proves itself.
  std::vector<std::string> sources;
  for (const auto& a : net_.authorities) sources.push_back(a.url);
  for (const auto& s : net_.seed_nodes) sources.push_back(s.url);
  for (const auto& url : sources) {
    auto at = parse_https_url(url);
    if (!at) continue;
    net::HttpClient c(at->host, at->port, true, timeout);
    auto r = c.get("/directory/v1/consensus");
    if (!r || r->status != 200) continue;
    std::optional<directory::Consensus> before;
    Result<const directory::Consensus*> got = Error(directory::Errc::Malformed, "");
    {
      std::lock_guard lock(mu_);
      if (holder_.current()) before = *holder_.current();
      got = holder_.offer(r->body, now_ms() / 1000);
    }
    if (!got) {
      if (!got.error().is(directory::Errc::Replayed))  // the same one again is normal
        log::warn("consensus_refused", {log::kv("from", base::Plain(url)), log::kv("reason", base::Plain(got.error().detail()))});
      continue;
    }
    directory::Consensus now = **got;
    {
      std::lock_guard lock(mu_);
      if (before) {
        past_.push_front(*before);
        if (past_.size() > kPastConsensuses) past_.pop_back();
      }
    }
    swarm_.update(now);
    auto own = swarm_.own_swarm();
    log::info("consensus_accepted", {log::kv("epoch", now.epoch), log::kv("nodes", now.nodes.size()),
                                     log::kv("in_swarm", own.has_value())});
    if (before && before->prev_digest.size() && now.prev_epoch == before->epoch && now.prev_digest != directory::digest_hex(*before))
      log::error("consensus_chain_broken", {log::kv("epoch", now.epoch)});
    {
      std::lock_guard lock(mu_);
      if (!work_.after) work_.before = before;  // merged: the oldest before, the newest after
      work_.after = now;
    }
    cv_.notify_all();
    return;
  }
}

void NetworkMode::push_moved(const directory::Consensus* before, const directory::Consensus& after) {
  auto reader = node::storage::MessageStore::open_reader(reader_path_);
  if (!reader) return log::error("push_failed", {log::kv("reason", base::Plain(reader.error().message()))});
  auto accounts = (*reader)->accounts();
  if (!accounts) return log::error("push_failed", {log::kv("reason", base::Plain(accounts.error().message()))});
  auto pushes = node::plan_pushes(before, after, keys_.ed25519_public(), *accounts);
  std::size_t sent = 0, failed = 0;
  std::set<crypto::Ed25519Public> unreachable;  // one timeout per dead receiver, not one per account
  for (const auto& p : pushes)
    for (const auto& to : p.to) {
      if (to.ed25519 == keys_.ed25519_public()) continue;
      if (!stopping() && !unreachable.contains(to.ed25519)) {
        auto r = push_account(**reader, p.account, to);
        if (r == PushResult::Sent) {
          ++sent;
          continue;
        }
        if (r == PushResult::Unreachable) unreachable.insert(to.ed25519);
      }
      ++failed;
      pending_.push_back({p.account, to.ed25519, 0});  // retried from the next epoch
    }
  if (!pushes.empty()) log::info("pushed", {log::kv("accounts", pushes.size()), log::kv("sent", sent), log::kv("failed", failed)});
}

NetworkMode::PushResult NetworkMode::push_account(node::storage::MessageStore& reader, const node::storage::AccountKey& account,
                                                  const node::NodeAddress& to) {
  auto msgs = reader.messages_of(account, now_ms());
  if (!msgs) {
    log::error("push_failed", {log::kv("reason", base::Plain(msgs.error().message()))});
    return PushResult::Refused;
  }
  if (msgs->empty()) return PushResult::Sent;
  const std::int64_t epoch = swarm_.epoch().value_or(-1);
  net::HttpClient c(to.ip, to.https_port, true, std::chrono::seconds(10));
  json batch = json::array();
  std::size_t bytes = 0;
  auto flush = [&] {
    std::string body = json{{"account", base::to_hex(account)}, {"epoch", epoch}, {"messages", batch}}.dump();
    batch = json::array();
    bytes = 0;
    auto r = c.request("POST", "/sotto/v1/push", body, {{node::kPeerHeader, node::sign_peer_request(keys_, "POST", "/sotto/v1/push", body, now_ms())}});
    if (r && r->status == 200) return PushResult::Sent;
    log::debug("push_refused", {log::kv("peer", base::Plain(to.ed25519.hex().substr(0, 16))),
                                log::kv("reason", base::Plain(r ? std::to_string(r->status) + " " + r->body.substr(0, 120) : r.error().message()))});
    return r ? PushResult::Refused : PushResult::Unreachable;
  };
  for (const auto& m : *msgs) {
    batch.push_back(message_json(m));
    if ((bytes += m.data.size()) > kPushBatchBytes)
      if (auto res = flush(); res != PushResult::Sent) return res;
  }
  return batch.empty() ? PushResult::Sent : flush();
}

void NetworkMode::retry_pushes() {
  if (pending_.empty()) return;
  auto reader = node::storage::MessageStore::open_reader(reader_path_);
  if (!reader) return log::error("push_failed", {log::kv("reason", base::Plain(reader.error().message()))});
  // One (account, receiver) once; a receiver that fails now is not tried again this round
  // (a dead receiver costs one timeout a round, not one per account).
  std::sort(pending_.begin(), pending_.end(), [](const PendingPush& a, const PendingPush& b) {
    return std::tie(a.to, a.account, a.attempts) < std::tie(b.to, b.account, b.attempts);
  });
  pending_.erase(std::unique(pending_.begin(), pending_.end(),
                             [](const PendingPush& a, const PendingPush& b) { return a.to == b.to && a.account == b.account; }),
                 pending_.end());
  std::vector<PendingPush> again;
  std::set<crypto::Ed25519Public> failing;
  std::size_t sent = 0, dropped = 0;
  for (auto& p : pending_) {
    if (stopping()) return;
    // Still a member of the account's swarm (at its current address)? Else a newer
    // consensus's own pushes took over.
    std::optional<node::NodeAddress> to;
    for (const auto& m : swarm_.swarm_for(p.account).members)
      if (m.ed25519 == p.to) to = m;
    if (!to) continue;
    if (!failing.contains(p.to)) {
      auto r = push_account(**reader, p.account, *to);
      if (r == PushResult::Sent) {
        ++sent;
        continue;
      }
      if (r == PushResult::Unreachable) failing.insert(p.to);  // a refusal is about this account only
    }
    if (++p.attempts < kPushAttempts) again.push_back(p);
    else ++dropped;
  }
  if (sent || dropped)
    log::info("push_retried", {log::kv("sent", sent), log::kv("waiting", again.size()), log::kv("abandoned", dropped)});
  if (dropped)  // the receiver's swarm peers and anti-entropy are the remaining way in
    log::warn("push_abandoned", {log::kv("accounts", dropped), log::kv("after_attempts", kPushAttempts)});
  pending_ = std::move(again);
}

std::shared_ptr<net::AsyncClient> NetworkMode::client_for(const node::NodeAddress& peer) {
  std::shared_ptr<net::AsyncClient> old, out;
  {
    std::lock_guard lock(mu_);
    if (stop_) return nullptr;
    auto& c = clients_[peer.ed25519];
    if (c && (c_addr_[peer.ed25519] != peer.ip + ":" + std::to_string(peer.https_port))) old = std::move(c);  // it moved
    if (!c) {
      c_addr_[peer.ed25519] = peer.ip + ":" + std::to_string(peer.https_port);
      net::AsyncClientConfig cfg;
      cfg.host = peer.ip;
      cfg.port = peer.https_port;
      cfg.connections = 4;
      cfg.timeout = std::chrono::seconds(5);
      cfg.local_ip = apps::outbound_ip(local_ip_, peer.ip);
      auto made = net::AsyncClient::start(cfg);
      if (made) c = std::shared_ptr<net::AsyncClient>(std::move(*made));
      else clients_.erase(peer.ed25519);
    }
    if (auto it = clients_.find(peer.ed25519); it != clients_.end()) out = it->second;
  }
  if (old) old->stop();  // outside the lock: its callbacks may need it; users hold their own reference
  return out;
}

void send(const net::Reply& reply, node::rpc::Reply r) {
  int status = r.status;
  const char* type = r.json ? "application/json" : "text/plain; charset=utf-8";
  reply({status, node::rpc::render(std::move(r)), type, {}});
}

void NetworkMode::replicate(const std::string& body, node::rpc::Reply local, net::Reply reply) {
  std::vector<node::NodeAddress> peers;
  for (const auto& m : swarm_.own_members().members)
    if (m.ed25519 != keys_.ed25519_public()) peers.push_back(m);
  if (peers.empty()) return send(reply, std::move(local));
  struct State {
    std::mutex mu;
    node::rpc::Reply local;  // its swarm reply gets each peer's entry
    std::size_t left;
    net::Reply reply;
  };
  auto st = std::make_shared<State>();
  st->local = std::move(local);
  st->left = peers.size();
  st->reply = std::move(reply);
  auto finish_one = [st](const std::string& key, std::string entry) {
    {
      std::lock_guard lock(st->mu);
      if (st->local.swarm) st->local.swarm->members.emplace_back(key, std::move(entry));
      if (--st->left > 0) return;
    }
    send(st->reply, std::move(st->local));
  };
  for (const auto& p : peers) {
    std::string key = p.ed25519.hex();
    auto c = client_for(p);
    if (!c) {
      finish_one(key, node::unreachable_entry());
      continue;
    }
    c->post("/sotto/v1/replicate", body,
            {{node::kPeerHeader, node::sign_peer_request(keys_, "POST", "/sotto/v1/replicate", body, now_ms())}},
            [finish_one, key](Result<net::HttpResponse> r) {
              Result<node::PeerAnswer> answer = r ? Result<node::PeerAnswer>(node::PeerAnswer{r->status, std::move(r->body)})
                                                  : Result<node::PeerAnswer>(std::move(r).error());
              finish_one(key, node::peer_entry(key, answer));
            });
  }
}

Result<crypto::Ed25519Public> NetworkMode::verify_peer(const net::HttpRequest& req, bool swarm_only,
                                                      const std::optional<ByteArray<33>>& holder_of) {
  std::string header;
  for (const auto& [k, v] : req.headers)
    if (k.size() == std::string_view(node::kPeerHeader).size() &&
        std::equal(k.begin(), k.end(), node::kPeerHeader, [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      header = v;
  return verifier_.verify(header, req.method, req.target, req.body, now_ms(), [&](const crypto::Ed25519Public& k) {
    if (swarm_only) {
      for (const auto& m : swarm_.own_members().members)
        if (m.ed25519 == k) return true;
      return false;
    }
    // A push: from a node that holds (or held, in the previous consensus) the account.
    std::lock_guard lock(mu_);
    std::vector<const directory::Consensus*> held{holder_.current()};
    for (const auto& c : past_) held.push_back(&c);
    for (const directory::Consensus* c : held) {
      if (!c) continue;
      auto ids = c->swarm_ids();
      auto id = holder_of ? node::ConsensusSwarm::swarm_of(*holder_of, ids) : std::nullopt;
      for (const auto& n : c->nodes)
        if (n.ed25519 == k && id && n.swarm_id == *id) return true;
    }
    return false;
  });
}

bool NetworkMode::handle(const net::HttpRequest& req, const net::Reply& reply,
                         const std::function<void(const std::string&, net::Reply)>& local_store) {
  auto text = [&](int status, const std::string& why) { reply({status, why, "text/plain; charset=utf-8", {}}); };
  if (req.method == "GET" && req.target == "/directory/v1/consensus") {
    std::string c = consensus_json();
    if (c.empty()) text(404, "no consensus yet");
    else reply({200, c, "application/json", {}});
    return true;
  }
  if (req.method == "POST" && req.target == "/sotto/v1/replicate") {
    auto from = verify_peer(req, true, std::nullopt);
    if (!from) {
      text(401, from.error().detail());
      return true;
    }
    local_store(req.body, reply);  // stored here; never forwarded again
    return true;
  }
  if (req.method == "POST" && req.target == "/sotto/v1/push") {
    json j = peer_json(req.body);
    auto pk = j.is_object() && j.contains("account") && j["account"].is_string()
                  ? base::from_hex_fixed<33>(j["account"].get<std::string>())
                  : Result<ByteArray<33>>(Error(directory::Errc::Malformed, ""));
    auto from = verify_peer(req, false, pk ? std::optional<ByteArray<33>>(*pk) : std::nullopt);
    if (!from) {
      text(401, from.error().detail());
      return true;
    }
    if (!pk || !j.contains("messages") || !j["messages"].is_array()) {
      text(400, "push: needs account (66 hex) and messages");
      return true;
    }
    if (!swarm_.is_ours(*pk)) {
      // The sender may be ahead: a consensus that puts this node in the account's swarm.
      std::int64_t theirs = j.contains("epoch") && j["epoch"].is_number_integer() ? j["epoch"].get<std::int64_t>() : -1;
      // Only an epoch that can exist by the clock (the current one or the next) counts,
      // and each new one triggers one early fetch: a peer cannot make this node fetch on
      // and on.
      const std::int64_t clock_epoch = (now_ms() / 1000 - net_.genesis) / net_.epoch_seconds;
      if (theirs > swarm_.epoch().value_or(-1) && theirs <= clock_epoch + 1) {
        {
          std::lock_guard lock(mu_);
          if (theirs > fetch_now_epoch_) {
            fetch_now_ = true;
            fetch_now_epoch_ = theirs;
          }
        }
        cv_.notify_all();
        text(503, "push: this node has not seen the consensus of epoch " + std::to_string(theirs) + " yet");
      } else {
        text(421, "push: that account is not this node's swarm's");
      }
      return true;
    }
    auto keep = std::make_shared<std::vector<Bytes>>();
    auto parsed = parse_messages(*pk, j["messages"], *keep, now_ms());
    if (!parsed) {
      text(400, "push: " + parsed.error().detail());
      return true;
    }
    auto reqs = std::move(*parsed);
    std::size_t n = reqs.size();
    store_pushed_(std::move(reqs), [keep, reply, n](Result<void> r) {
      if (!r) reply({500, "push: " + r.error().message(), "text/plain; charset=utf-8", {}});
      else reply({200, json{{"stored", n}}.dump(), "application/json", {}});
    });
    return true;
  }
  // Anti-entropy, between members of one swarm.
  if (req.method == "POST" && (req.target == "/sotto/v1/summary" || req.target == "/sotto/v1/hashes" || req.target == "/sotto/v1/fetch")) {
    auto from = verify_peer(req, true, std::nullopt);
    if (!from) {
      text(401, from.error().detail());
      return true;
    }
    auto reader = node::storage::MessageStore::open_reader(reader_path_);
    if (!reader) {
      text(500, "the node could not open its database");
      return true;
    }
    const std::int64_t now = now_ms();
    if (req.target == "/sotto/v1/summary") {
      auto out = summary_of(**reader, [&](const node::storage::AccountKey& a) { return swarm_.is_ours(a); }, now);
      if (!out) return text(500, out.error().message()), true;
      reply({200, json{{"accounts", *out}}.dump(), "application/json", {}});
      return true;
    }
    json j = peer_json(req.body);
    auto pk = j.is_object() && j.contains("account") && j["account"].is_string()
                  ? base::from_hex_fixed<33>(j["account"].get<std::string>())
                  : Result<ByteArray<33>>(Error(directory::Errc::Malformed, ""));
    if (!pk) return text(400, "needs account (66 hex)"), true;
    if (req.target == "/sotto/v1/hashes") {
      std::int64_t ns = j.contains("namespace") && j["namespace"].is_number_integer() ? j["namespace"].get<std::int64_t>() : INT64_MIN;
      if (ns < -32768 || ns > 32767) return text(400, "hashes: needs namespace (-32768 to 32767)"), true;
      auto by_ns = (*reader)->hashes_of(*pk, now);
      if (!by_ns) return text(500, by_ns.error().message()), true;
      json list = json::array();
      auto it = by_ns->find(static_cast<proto::Namespace>(ns));
      if (it != by_ns->end())
        for (const auto& h : it->second) list.push_back(base::to_base64(h, base::Padding::No));
      reply({200, json{{"hashes", list}}.dump(), "application/json", {}});
      return true;
    }
    if (!j.contains("hashes") || !j["hashes"].is_array() || j["hashes"].size() > kFetchMax)
      return text(400, "fetch: needs hashes (at most 500)"), true;
    std::set<std::string> want;
    for (const auto& h : j["hashes"])
      if (h.is_string()) want.insert(h.get<std::string>());
    auto msgs = (*reader)->messages_of(*pk, now);
    if (!msgs) return text(500, msgs.error().message()), true;
    json list = json::array();
    for (const auto& m : *msgs)
      if (want.contains(base::to_base64(m.hash, base::Padding::No))) list.push_back(message_json(m));
    reply({200, json{{"messages", list}}.dump(), "application/json", {}});
    return true;
  }
  return false;
}

Result<net::HttpResponse> NetworkMode::peer_call(const node::NodeAddress& peer, const std::string& path, const std::string& body) {
  net::HttpClient c(peer.ip, peer.https_port, true, std::chrono::seconds(10));
  auto r = c.request("POST", path, body, {{node::kPeerHeader, node::sign_peer_request(keys_, "POST", path, body, now_ms())}});
  if (r && r->status != 200) return Error(directory::Errc::Malformed, path + ": " + std::to_string(r->status) + " " + r->body.substr(0, 200));
  return r;
}

void NetworkMode::sync_with(const node::NodeAddress& peer) {
  auto reader = node::storage::MessageStore::open_reader(reader_path_);
  if (!reader) return log::error("sync_failed", {log::kv("reason", base::Plain(reader.error().message()))});
  auto theirs_r = peer_call(peer, "/sotto/v1/summary", "{}");
  if (!theirs_r) return log::debug("sync_failed", {log::kv("reason", base::Plain(theirs_r.error().message()))});
  json theirs = peer_json(theirs_r->body);
  if (theirs.is_discarded() || !theirs.contains("accounts") || !theirs["accounts"].is_object()) return;
  theirs = std::move(theirs["accounts"]);
  const std::int64_t now = now_ms();
  auto mine = summary_of(**reader, [&](const node::storage::AccountKey& a) { return swarm_.is_ours(a); }, now);
  if (!mine) return log::error("sync_failed", {log::kv("reason", base::Plain(mine.error().message()))});
  // The (account, namespace) pairs whose digests differ, or that one side lacks.
  std::set<std::pair<std::string, std::string>> differ;
  auto digest = [](const json& side, const std::string& a, const std::string& ns) -> std::string {
    if (!side.contains(a) || !side[a].is_object() || !side[a].contains(ns) || !side[a][ns].is_string()) return "";
    return side[a][ns].get<std::string>();
  };
  for (const json* side : {&*mine, &theirs})
    for (const auto& [a, by_ns] : side->items())
      if (by_ns.is_object())
        for (const auto& [ns, d] : by_ns.items())
          if (digest(*mine, a, ns) != digest(theirs, a, ns)) differ.insert({a, ns});
  std::size_t sent = 0, got = 0;
  std::string cached;
  Result<std::map<proto::Namespace, std::vector<node::storage::MessageHash>>> my_by_ns = Error(directory::Errc::Malformed, "");
  Result<std::vector<node::storage::Message>> my_msgs = Error(directory::Errc::Malformed, "");
  for (const auto& pair : differ) {
    const std::string& a = pair.first;  // not a structured binding: clang 14 cannot capture one
    const std::string& ns_text = pair.second;
    if (stopping()) return;
    auto pk = base::from_hex_fixed<33>(a);
    if (!pk || !swarm_.is_ours(*pk)) continue;
    char* end = nullptr;
    long ns_long = std::strtol(ns_text.c_str(), &end, 10);
    if (ns_text.empty() || *end != '\0' || ns_long < -32768 || ns_long > 32767 || std::to_string(ns_long) != ns_text) {
      log::debug("sync_skipped", {log::kv("reason", base::Plain("a namespace key that is not a canonical integer"))});
      continue;
    }
    const auto ns = static_cast<proto::Namespace>(ns_long);
    // This account's hashes and messages, read once for all its namespaces (`differ` is
    // ordered by account).
    if (cached != a) {
      cached = a;
      my_by_ns = (*reader)->hashes_of(*pk, now);
      my_msgs = (*reader)->messages_of(*pk, now);
    }
    if (!my_by_ns || !my_msgs) {
      log::error("sync_failed", {log::kv("reason", base::Plain(!my_by_ns ? my_by_ns.error().message() : my_msgs.error().message()))});
      continue;  // never as if this node held nothing
    }
    std::set<std::string> their_hashes, my_hashes;
    if (!digest(theirs, a, ns_text).empty()) {
      auto r = peer_call(peer, "/sotto/v1/hashes", json{{"account", a}, {"namespace", ns}}.dump());
      json hj = r ? peer_json(r->body) : json();
      if (!r || hj.is_discarded() || !hj.contains("hashes") || !hj["hashes"].is_array()) {
        log::debug("sync_failed", {log::kv("reason", base::Plain(r ? std::string("a hashes reply without hashes") : r.error().message()))});
        continue;
      }
      for (const auto& h : hj["hashes"])
        if (h.is_string()) their_hashes.insert(h.get<std::string>());
    }
    if (my_by_ns->contains(ns))
      for (const auto& h : my_by_ns->at(ns)) my_hashes.insert(base::to_base64(h, base::Padding::No));
    // What the peer lacks: pushed to it, in batches of about kPushBatchBytes.
    json missing = json::array();
    std::size_t bytes = 0;
    auto flush = [&] {
      if (!missing.empty()) {
        auto r = peer_call(peer, "/sotto/v1/push", json{{"account", a}, {"messages", missing}}.dump());
        if (r) sent += missing.size();
        else log::debug("sync_failed", {log::kv("reason", base::Plain(r.error().message()))});
      }
      missing = json::array();
      bytes = 0;
    };
    for (const auto& m : *my_msgs)
      if (m.ns == ns && !their_hashes.contains(base::to_base64(m.hash, base::Padding::No))) {
        missing.push_back(message_json(m));
        if ((bytes += m.data.size()) > kPushBatchBytes) flush();
      }
    flush();
    // What this node lacks: fetched, checked, stored.
    std::vector<std::string> want;
    for (const auto& h : their_hashes)
      if (!my_hashes.contains(h)) want.push_back(h);
    for (std::size_t i = 0; i < want.size() && !stopping(); i += kFetchMax) {
      std::vector<std::string> part(want.begin() + static_cast<std::ptrdiff_t>(i),
                                    want.begin() + static_cast<std::ptrdiff_t>(std::min(want.size(), i + kFetchMax)));
      auto r = peer_call(peer, "/sotto/v1/fetch", json{{"account", a}, {"hashes", part}}.dump());
      json mj = r ? peer_json(r->body) : json();
      if (!r || mj.is_discarded() || !mj.contains("messages")) {
        log::debug("sync_failed", {log::kv("reason", base::Plain(r ? std::string("a fetch reply without messages") : r.error().message()))});
        break;
      }
      auto keep = std::make_shared<std::vector<Bytes>>();
      auto reqs = parse_messages(*pk, mj["messages"], *keep, now_ms());  // now: a long sync sees newer messages
      if (!reqs) {
        log::warn("sync_refused", {log::kv("reason", base::Plain(reqs.error().detail()))});
        break;
      }
      got += reqs->size();
      store_pushed_(std::move(*reqs), [keep](Result<void> stored) {
        if (!stored) log::error("sync_store_failed", {log::kv("reason", base::Plain(stored.error().message()))});
      });
    }
  }
  if (sent || got) log::info("synced", {log::kv("peer", base::Plain(peer.ed25519.hex().substr(0, 16))), log::kv("sent", sent), log::kv("fetched", got)});
}

}  // namespace sotto::apps
