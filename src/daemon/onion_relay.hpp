#pragma once
// sotto-node's POST /onion_req/v2 (docs/wire/onion-request.md): peels one layer, then
// forwards the rest to the next node over HTTPS, or runs the storage RPC inside and seals
// the reply for the client, or answers at once. It logs nothing about single requests;
// only counters (sotto_onion_requests_total{result}). The test-only `record` file gets a
// JSON line per request saying what this node saw (the privacy test reads it).

#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "net/async_client.hpp"
#include "net/http.hpp"
#include "node/metrics.hpp"
#include "node/swarm/swarm_view.hpp"
#include "onion/peel.hpp"

namespace sotto::daemon {

class OnionRelay {
 public:
  // Where a node of the current consensus listens (nullopt: not in it).
  using Lookup = std::function<std::optional<node::NodeAddress>(const crypto::Ed25519Public&)>;
  // Runs a storage RPC request here, as /storage_rpc/v1 would, and answers through Reply.
  using Deliver = std::function<void(std::string, net::Reply)>;

  // `listen_host`: where this node listens; connections to the next node go out from it
  // when it is a specific address (outbound_ip).
  OnionRelay(const crypto::Keypair& keys, std::string listen_host, Lookup lookup, Deliver deliver, node::Metrics& metrics,
             const std::string& record_path);
  ~OnionRelay();

  void handle(const net::HttpRequest& req, net::Reply reply);
  // Fails what is in flight to the next nodes; called before the server's threads end.
  void stop();

  static constexpr std::chrono::seconds kHopTimeout{30};
  static constexpr std::chrono::seconds kConnectTimeout{5};
  // Requests queued or in flight to one next node; beyond, a sealed 503 (a next node that
  // stalls cannot hold an unbounded queue here).
  static constexpr std::size_t kMaxQueuedPerNext = 256;
  static constexpr std::size_t kConnectionsPerNext = 64;

 private:
  std::shared_ptr<net::AsyncClient> client_for(const node::NodeAddress& next);
  void record(const std::string& line);

  const crypto::Keypair& keys_;
  std::string listen_host_;
  Lookup lookup_;
  Deliver deliver_;
  node::Metrics& metrics_;
  onion::ReplayGuard replays_;
  base::BufferedSystemRng rng_;  // a nonce per sealed reply
  std::mutex mu_;  // guards clients_, stopped_
  std::map<crypto::Ed25519Public, std::pair<std::string, std::shared_ptr<net::AsyncClient>>> clients_;
  bool stopped_ = false;
  std::mutex record_mu_;
  std::optional<std::ofstream> record_;
};

}  // namespace sotto::daemon
