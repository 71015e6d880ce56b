// How a NodeDaemon's parts are put together, and the routes of its HTTPS server: one
// request's way from the socket to the storage thread and back is route() ->
// serve_rpc() -> StorageService::handle() -> WriteQueue -> node::rpc::apply() -> the
// answer, replicated to the swarm first for a write (docs/architecture.md follows it).

#include "daemon/node_parts.hpp"

#include <filesystem>

#include "base/log.hpp"
#include "node/swarm/replication.hpp"

namespace sotto::daemon {

namespace {

void send(const net::Reply& reply, node::rpc::Reply r) {
  int status = r.status;
  const char* type = r.json ? "application/json" : "text/plain; charset=utf-8";
  reply({status, node::rpc::render(std::move(r)), type, {}});
}

// A write that succeeded here goes to every other member of the swarm, and the reply holds
// each member's entry.
void replicate_then_send(NodeDaemon::Parts& p, const std::string& body, const net::Reply& reply, node::rpc::Reply r) {
  if (r.status != 200 || !p.link) return send(reply, std::move(r));
  std::vector<node::NodeAddress> peers;
  for (const auto& m : p.follower->swarm().own_members().members)
    if (m.ed25519 != p.keys->ed25519_public()) peers.push_back(m);
  auto local = std::make_shared<node::rpc::Reply>(std::move(r));
  node::replicate(*p.link, *p.keys, p.clock, peers, body, [reply, local](node::Entries entries) {
    // A reply without members (a batch) goes back as it is: the peers applied the write.
    if (local->swarm)
      for (auto& e : entries) local->swarm->members.push_back(std::move(e));
    send(reply, std::move(*local));
  });
}

// One storage RPC request. `from_client`: a client's (replicated if it writes; a retrieve
// may wait), not a swarm peer's replication of one.
void serve_rpc(NodeDaemon::Parts& p, std::string body, net::Reply reply, bool from_client) {
  if (p.follower && !p.follower->has_consensus())
    return reply({503, "this node has no consensus of its network yet; try another node", "text/plain", {}});
  StorageService::Done done;
  if (from_client && p.follower)
    done = [&p, body, reply](node::rpc::Reply r) { replicate_then_send(p, body, reply, std::move(r)); };
  else
    done = [reply](node::rpc::Reply r) { send(reply, std::move(r)); };
  p.rpc->handle(std::move(body), std::move(done), from_client);
}

// A signature over the caller's nonce proves this node holds its key. The nonce is short
// and fixed in form, and the signed text is domain-separated, so this is no signing oracle
// for anything else the key signs.
void ping_test(NodeDaemon::Parts& p, const std::string& nonce, const net::Reply& reply) {
  if (nonce.size() < 16 || nonce.size() > 64) return reply({400, "ping_test needs a nonce of 16 to 64 bytes", "text/plain", {}});
  std::string proof = base::to_base64(crypto::sign(p.keys->ed25519_secret(), as_bytes("sotto-ping-test-v1:" + nonce)));
  p.metrics.request("ping_test", 200);  // before the reply, as every other request: a scrape after it sees it
  reply({200, R"({"status":"OK"})", "application/json",
         {{"X-Oxen-Snode-Pubkey", base::to_base64(p.keys->ed25519_public().bytes)}, {"X-Sotto-Ping-Signature", proof}}});
}

std::string header(const net::HttpRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return v;
  return {};
}

void route(NodeDaemon::Parts& p, net::HttpRequest req, net::Reply reply) {
  const std::string& t = req.target;
  if (req.method == "POST" && t == "/storage_rpc/v1") return serve_rpc(p, std::move(req.body), std::move(reply), true);
  if (req.method == "POST" && t == "/onion_req/v2") {
    if (p.follower && !p.follower->has_consensus()) return reply({503, "Snode not ready", "text/plain; charset=utf-8", {}});
    return p.onion->handle(req, std::move(reply));
  }
  if (req.method == "POST" && t == "/ping_test/v1") return ping_test(p, req.body, reply);
  if (p.follower && req.method == "GET" && t == "/directory/v1/consensus") {
    std::string c = p.follower->consensus_json();
    if (c.empty()) return reply({404, "no consensus yet", "text/plain; charset=utf-8", {}});
    return reply({200, std::move(c), "application/json", {}});
  }
  if (p.peers && req.method == "POST" &&
      p.peers->handle(t, req.body, header(req, node::kPeerHeader), [reply](node::PeerAnswer a) {
        reply({a.status, std::move(a.body), a.json ? "application/json" : "text/plain; charset=utf-8", {}});
      }))
    return;
  p.metrics.request("other", 404);
  reply({404, "Not found", "text/plain", {}});
}

// Messages another node sent, stored on the storage thread (the retrieves that wait for
// them woken).
node::StoreMessages store_on_storage_thread(NodeDaemon::Parts& p, std::function<void()> wake) {
  return [&p, wake](std::shared_ptr<std::vector<node::PeerMessage>> keep, std::vector<node::storage::StoreRequest> reqs,
                    std::function<void(Result<void>)> done) {
    p.storage.post([&p, wake, keep, reqs = std::move(reqs), done = std::move(done)] {
      auto r = p.store->store_batch(reqs);
      wake();
      if (!r) {
        log::error("peer_store_failed", {log::kv("reason", base::Plain(r.error().message()))});
        return done(std::move(r).error());
      }
      done({});
    });
  };
}

// Retrieves waiting for a message (the `wait` extension), woken after each write on the
// storage thread by what it newly stored.
std::function<void()> waker(NodeDaemon::Parts& p) {
  return [&p] {
    auto fresh = p.store->take_fresh();
    if (fresh.empty()) return;
    std::vector<std::string> keys;
    keys.reserve(fresh.size());
    for (const auto& [account, ns] : fresh) keys.push_back(node::rpc::wait_key(account, ns));
    p.polls.notify(keys);
  };
}

}  // namespace

const node::SwarmView& NodeDaemon::Parts::swarm() const {
  if (follower) return follower->swarm();
  return *single;
}

void build_network(NodeDaemon::Parts& p, directory::Network net) {
  ConsensusFollower::Events events;
  events.changed = [&p](const directory::Consensus* before, const directory::Consensus& after) { p.worker->consensus_changed(before, after); };
  events.epoch = [&p](bool sync_all) { p.worker->epoch_began(sync_all); };
  p.follower = std::make_unique<ConsensusFollower>(std::move(net), *p.keys, p.announced_ip, std::move(events));
  // Node-to-node connections go out from the listen address when it is a specific one (a
  // host with many addresses, or a devnet on 127.0.x.1).
  p.link = std::make_unique<HttpsPeerLink>(p.options.listen.host);
  auto store = store_on_storage_thread(p, waker(p));
  node::PeerService::Hooks h;
  auto& f = *p.follower;
  h.is_swarm_member = [&f](const crypto::Ed25519Public& k) {
    const auto members = f.swarm().own_members().members;
    return std::any_of(members.begin(), members.end(), [&](const node::NodeAddress& m) { return m.ed25519 == k; });
  };
  h.held_account = [&f](const crypto::Ed25519Public& k, const node::storage::AccountKey& a) { return f.holds_or_held(k, a); };
  h.is_ours = [&f](const node::storage::AccountKey& a) { return f.swarm().is_ours(a); };
  h.epoch = [&f] { return f.epoch(); };
  h.clock_epoch = [&f] { return f.clock_epoch(); };
  h.newer_epoch = [&f](std::int64_t) { f.fetch_soon(); };
  h.replicated = [&p](std::string body, std::function<void(node::PeerAnswer)> reply) {
    serve_rpc(p, std::move(body), [reply](net::HttpResponse r) { reply({r.status, std::move(r.body), r.content_type == "application/json"}); }, false);
  };
  h.store = store;
  h.open_reader = [&p]() -> Result<std::shared_ptr<node::storage::MessageStore>> {
    auto r = node::storage::MessageStore::open_reader(p.db_path);
    if (!r) return std::move(r).error();
    return std::shared_ptr<node::storage::MessageStore>(std::move(*r));
  };
  p.peers = std::make_unique<node::PeerService>(p.clock, std::move(h));
  p.worker = std::make_unique<SwarmWorker>(*p.keys, p.clock, *p.link, f.swarm(), p.db_path, p.db_path + ".pushes", store);
}

Result<void> build_service(NodeDaemon::Parts& p) {
  const auto& o = p.options;
  net::ServerConfig pub;
  pub.host = o.listen.host;
  pub.port = o.listen.port;
  pub.cert_pem = p.cert.cert;
  pub.key_pem = p.cert.key;
  pub.threads = o.threads;
  pub.rate_per_second = o.rate_per_second;
  pub.rate_burst = o.rate_burst;
  pub.max_connections = o.max_connections;
  pub.max_connections_per_ip = o.max_connections_per_ip;
  pub.max_connections_per_net = o.max_connections_per_net;
  pub.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
  // The network's nodes and authorities skip the per-address and per-net bounds and have
  // slots of their own: a flood of idle connections cannot cut this node off.
  if (p.follower) {
    pub.reserved_connections = o.reserved_connections;
    pub.trusted = [f = p.follower.get()](const std::string& ip) { return f->is_network_ip(ip); };
  }
  // Relays, replication and pushes come from other nodes, each carrying many clients'
  // traffic: on the node-to-node endpoints the per-IP rate limit is for clients only.
  if (p.follower)
    pub.rate_exempt = [f = p.follower.get()](const std::string& ip, const std::string& target) {
      return (target == "/onion_req/v2" || target.rfind("/sotto/v1/", 0) == 0) && f->is_node_ip(ip);
    };
  p.server = std::make_unique<net::Server>(pub, [&p](net::HttpRequest req, net::Reply reply) { route(p, std::move(req), std::move(reply)); });
  if (auto r = p.server->listen(); !r) return r;
  // Alone, this node is the one swarm (known once the port is: port 0 picks one).
  if (!p.follower)
    p.single = std::make_unique<node::SingleNodeSwarm>(node::NodeAddress{p.keys->ed25519_public(), p.keys->x25519_public(), p.announced_ip, p.server->port()});
  p.writer_ctx = std::make_unique<node::rpc::Context>(node::rpc::Context{*p.store, p.clock, *p.keys, p.swarm()});
  p.writes = std::make_unique<WriteQueue>(
      *p.writer_ctx, p.storage, p.metrics,
      [&p](const WriteQueue::Done& done, node::rpc::Reply r, WriteQueue::Clock::time_point start) { p.rpc->answer(done, std::move(r), start); },
      waker(p), std::chrono::milliseconds(o.commit_interval_ms));
  p.rpc = std::make_unique<StorageService>(*p.readers, *p.writes, p.polls, p.metrics, p.clock, *p.keys);
  p.rpc->set_swarm(p.swarm());
  p.onion = std::make_unique<OnionRelay>(
      *p.keys, o.listen.host,
      [&p](const crypto::Ed25519Public& k) { return p.follower ? p.follower->find_node(k) : std::optional<node::NodeAddress>{}; },
      [&p](std::string body, net::Reply r) { serve_rpc(p, std::move(body), std::move(r), true); }, p.metrics,
      o.record_onion.empty() ? "" : (std::filesystem::path(o.data_dir) / o.record_onion).string());  // a relative path is inside the data dir
  p.server->run();  // only now: everything the routes use exists
  net::ServerConfig adm;
  adm.host = o.admin.host;
  adm.port = o.admin.port;
  adm.tls = false;
  adm.rate_per_second = 0;
  p.admin = std::make_unique<net::Server>(adm, [&p](net::HttpRequest req, net::Reply reply) {
    if (req.method != "GET" || req.target != "/metrics") return reply({404, "Not found", "text/plain", {}});
    auto s = p.server->stats();
    p.metrics.gauge("connections_open", static_cast<double>(s.connections_open));
    p.metrics.gauge("connections_refused", static_cast<double>(s.connections_refused));
    p.metrics.gauge("header_timeouts", static_cast<double>(s.header_timeouts));
    p.metrics.gauge("connections_evicted", static_cast<double>(s.evicted));
    p.metrics.gauge("rate_limited", static_cast<double>(s.rate_limited));
    p.metrics.gauge("requests_too_large", static_cast<double>(s.too_large));
    p.metrics.gauge("long_polls_waiting", static_cast<double>(p.polls.waiting()));
    reply({200, p.metrics.prometheus(), "text/plain; version=0.0.4", {}});
  });
  return {};
}

}  // namespace sotto::daemon
