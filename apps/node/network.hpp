#pragma once
// sotto-node in a network (docs/node.md "In a network"; docs/wire/directory.md): registers
// with every authority each epoch, fetches and checks the consensus, serves it, knows its
// swarm from it, forwards each store to its swarm peers and merges their signed results
// into the reply, and pushes messages where a new consensus moves them.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/result.hpp"
#include "directory/authority.hpp"
#include "net/async_client.hpp"
#include "net/http.hpp"
#include "node/peer_auth.hpp"
#include "node/rpc/context.hpp"
#include "node/storage/message_store.hpp"
#include "node/swarm/consensus_swarm.hpp"

namespace sotto::apps {

// Answers `reply` with a storage RPC reply, written now.
void send(const net::Reply& reply, node::rpc::Reply r);

class NetworkMode {
 public:
  // `store_pushed` stores messages pushed by another node (on the storage thread) and
  // calls back with the result.
  using StorePushed = std::function<void(std::vector<node::storage::StoreRequest>, std::function<void(Result<void>)>)>;

  NetworkMode(directory::Network net, const crypto::Keypair& keys, std::string announced_ip, std::string reader_path,
              StorePushed store_pushed);
  ~NetworkMode();

  // Starts the register / fetch thread and the push / anti-entropy worker; `port` is
  // where this node listens.
  void start(std::uint16_t port);
  void stop();

  node::ConsensusSwarm& swarm() { return swarm_; }
  bool has_consensus() const { return swarm_.epoch().has_value(); }
  std::string consensus_json() const;
  // True if a node of the current consensus announces `ip`.
  bool is_node_ip(const std::string& ip) const;
  // Where `node` listens, if the current consensus lists it.
  std::optional<node::NodeAddress> find_node(const crypto::Ed25519Public& node) const;
  // Where this node listens: node-to-node connections go out from it (outbound_ip).
  void set_local_ip(std::string listen_host) { local_ip_ = std::move(listen_host); }

  // After this node applied a client's write (`local`: its 200 reply), sends the same
  // request to every peer of the swarm and answers `reply` with every member's result
  // under "swarm" (a peer that fails or times out is listed as failed). A reply without
  // members (a batch) goes back as it is, once the peers have applied the write too.
  void replicate(const std::string& body, node::rpc::Reply local, net::Reply reply);

  // Requests from other nodes; `reply` as the server's. Returns false when `req` is not one.
  bool handle(const net::HttpRequest& req, const net::Reply& reply, const std::function<void(const std::string&, net::Reply)>& local_store);

 private:
  void run();
  void work();
  bool stopping() const;
  void register_now();
  void fetch_consensus();
  void push_moved(const directory::Consensus* before, const directory::Consensus& after);
  // Sends every message of `account` this node holds to `to`, in batches: Sent when `to`
  // took them all, Refused when it answered otherwise (about this account), Unreachable
  // when it did not answer (about every account: try it later).
  enum class PushResult { Sent, Refused, Unreachable };  // Refused: an answer other than 200
  PushResult push_account(node::storage::MessageStore& reader, const node::storage::AccountKey& account,
                          const node::NodeAddress& to);
  // Pushes that failed (the receiver down, busy, or behind on the consensus), tried again
  // at each of the next kPushAttempts epochs while the receiver still belongs to the
  // account's swarm.
  void retry_pushes();
  // Anti-entropy with one swarm peer: compare per-account digests, then send what it lacks
  // and fetch what this node lacks.
  void sync_with(const node::NodeAddress& peer);
  Result<net::HttpResponse> peer_call(const node::NodeAddress& peer, const std::string& path, const std::string& body);
  std::shared_ptr<net::AsyncClient> client_for(const node::NodeAddress& peer);
  std::int64_t now_ms() const;
  // A signed request from a member of this node's swarm (swarm_only), or, for a push, from
  // a node that holds or held `holder_of`'s swarm (the current consensus or one of the few
  // before it: a busy sender's pushes can be late).
  Result<crypto::Ed25519Public> verify_peer(const net::HttpRequest& req, bool swarm_only, const std::optional<ByteArray<33>>& holder_of);

  directory::Network net_;
  const crypto::Keypair& keys_;
  std::string ip_;
  std::string local_ip_;
  std::uint16_t port_ = 0;
  std::string reader_path_;
  StorePushed store_pushed_;
  node::ConsensusSwarm swarm_;
  node::PeerVerifier verifier_;

  mutable std::mutex mu_;  // guards holder_, clients_, stop_
  directory::ConsensusHolder holder_;
  std::deque<directory::Consensus> past_;  // the consensuses before holder_'s, newest first (a few)
  std::map<crypto::Ed25519Public, std::shared_ptr<net::AsyncClient>> clients_;
  std::map<crypto::Ed25519Public, std::string> c_addr_;  // where each client connects
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;   // registers, fetches the consensus
  std::thread worker_;   // pushes and anti-entropy (work())
  struct Work {          // for the worker (guarded by mu_)
    std::optional<directory::Consensus> before, after;  // a consensus change to push for
    bool tick = false;      // an epoch went by: retries and anti-entropy
    bool sync_all = false;  // anti-entropy with every peer (just joined a swarm)
  };
  Work work_;
  std::uint64_t round_ = 0;  // which peer anti-entropy picks next (the worker's)
  bool fetch_now_ = false;   // a peer pushed for a newer consensus than ours (guarded by mu_)
  std::int64_t fetch_now_epoch_ = -1;  // the newest epoch a push made us fetch for (mu_)
  struct PendingPush {
    node::storage::AccountKey account{};
    crypto::Ed25519Public to;
    int attempts = 0;
  };
  std::vector<PendingPush> pending_;  // the worker's only
};

}  // namespace sotto::apps
