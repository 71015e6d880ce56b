#pragma once
// What a sotto-node is told to be (packaging/sotto-node.toml shows every setting; the app
// reads a TOML file and flags into this).

#include <cstdint>
#include <string>

#include "net/address.hpp"
#include "node/storage/message_store.hpp"

namespace sotto::daemon {

struct NodeOptions {
  std::string data_dir = "/var/lib/sotto-node";
  net::HostPort listen{"0.0.0.0", 22021};
  net::HostPort admin{"127.0.0.1", 22025};
  std::string public_ip;  // announced in get_swarm; defaults to the listen address
  int threads = 2;
  std::string log_level = "info";
  double rate_per_second = 300, rate_burst = 600;
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_ip = 100;   // per IPv4 address or IPv6 /64
  std::size_t max_connections_per_net = 200;  // per IPv4 /24 or IPv6 /48
  std::size_t reserved_connections = 200;     // of max_connections, for the network's nodes and authorities only
  int header_timeout_ms = 5000;               // a new connection's handshake and first header
  int sweep_seconds = 10;
  int commit_interval_ms = 0;  // > 0: at most one group commit (one fsync) per interval
  node::storage::Limits limits;
  std::string network;  // network.json: join that network (empty: a network of this one node)
  // Test only: append what this node sees of each onion request to this file (relative:
  // inside the data dir; the privacy test reads it). Never set it on a real node.
  std::string record_onion;
};

}  // namespace sotto::daemon
