#pragma once
// node::PeerLink over HTTPS: blocking calls on a connection of their own (pushes and
// anti-entropy, from the swarm worker), posts on a small pool of kept-alive connections to
// each peer (replication), connecting from this node's listen address when it is a
// specific one. Thread-safe.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "net/async_client.hpp"
#include "node/swarm/peer_link.hpp"

namespace sotto::daemon {

class HttpsPeerLink final : public node::PeerLink {
 public:
  // `listen_host`: where this node listens (node-to-node connections go out from it).
  explicit HttpsPeerLink(std::string listen_host) : listen_host_(std::move(listen_host)) {}
  ~HttpsPeerLink() override { stop(); }

  Result<node::PeerReply> call(const node::NodeAddress& to, const std::string& path, const std::string& body, const std::string& auth) override;
  void post(const node::NodeAddress& to, const std::string& path, std::string body, std::string auth,
            std::function<void(Result<node::PeerReply>)> done) override;
  // Fails what is in flight and refuses more (the node is stopping).
  void stop();

  static constexpr std::chrono::seconds kCallTimeout{10}, kPostTimeout{5};
  static constexpr std::size_t kConnectionsPerPeer = 4;

 private:
  std::shared_ptr<net::AsyncClient> client_for(const node::NodeAddress& peer);

  std::string listen_host_;
  std::mutex mu_;  // guards clients_, stopped_
  struct Pool {
    std::string address;  // "ip:port" it connects to
    std::shared_ptr<net::AsyncClient> client;
  };
  std::map<crypto::Ed25519Public, Pool> clients_;
  bool stopped_ = false;
};

}  // namespace sotto::daemon
