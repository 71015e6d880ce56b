#include "daemon/https_peer_link.hpp"

#include "net/address.hpp"
#include "net/client.hpp"
#include "node/swarm/peer_auth.hpp"
#include "node/swarm/peer_wire.hpp"

namespace sotto::daemon {

Result<node::PeerReply> HttpsPeerLink::call(const node::NodeAddress& to, const std::string& path, const std::string& body, const std::string& auth) {
  net::HttpClient c(to.ip, to.https_port, true, kCallTimeout);
  auto r = c.request("POST", path, body, {{node::kPeerHeader, auth}});
  if (!r) return std::move(r).error();
  return node::PeerReply{r->status, std::move(r->body)};
}

void HttpsPeerLink::post(const node::NodeAddress& to, const std::string& path, std::string body, std::string auth,
                         std::function<void(Result<node::PeerReply>)> done) {
  auto c = client_for(to);
  if (!c) return done(Error(node::PeerErrc::NoConnection, "no connection to " + to.ip));
  c->post(path, std::move(body), {{node::kPeerHeader, std::move(auth)}}, [done = std::move(done)](Result<net::HttpResponse> r) {
    if (!r) return done(std::move(r).error());
    done(node::PeerReply{r->status, std::move(r->body)});
  });
}

std::shared_ptr<net::AsyncClient> HttpsPeerLink::client_for(const node::NodeAddress& peer) {
  std::string address = peer.ip + ":" + std::to_string(peer.https_port);
  std::shared_ptr<net::AsyncClient> old, out;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return nullptr;
    auto& pool = clients_[peer.ed25519];
    if (pool.client && pool.address != address) old = std::move(pool.client);  // it moved
    if (!pool.client) {
      net::AsyncClientConfig cfg;
      cfg.host = peer.ip;
      cfg.port = peer.https_port;
      cfg.connections = kConnectionsPerPeer;
      cfg.timeout = kPostTimeout;
      cfg.local_ip = net::outbound_ip(listen_host_, peer.ip);
      auto made = net::AsyncClient::start(cfg);
      if (!made) {
        clients_.erase(peer.ed25519);
        return nullptr;
      }
      pool = {address, std::shared_ptr<net::AsyncClient>(std::move(*made))};
    }
    out = pool.client;
  }
  if (old) old->stop();  // outside the lock: its callbacks may need it; users hold their own reference
  return out;
}

void HttpsPeerLink::stop() {
  std::map<crypto::Ed25519Public, Pool> clients;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    clients.swap(clients_);
  }
  for (auto& [k, p] : clients) p.client->stop();
}

}  // namespace sotto::daemon
