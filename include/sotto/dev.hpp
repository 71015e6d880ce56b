#pragma once
// Developer tools (docs/client.md, "sotto dev"): one 1:1 message as Session's storage
// `data`, and storage RPC calls of one's choosing, to try sotto against other
// Session-format implementations and to look at a network. Public API.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sotto/outcome.hpp"
#include "sotto/secret.hpp"
#include "sotto/transport.hpp"

namespace sotto::dev {

// A 1:1 message from the profile's account to `to`, as Session's storage `data` (base64 of
// a WebSocketMessage); ("too_large" past 76,800 bytes).
struct Encrypted {
  std::string data_base64;
  std::string from, to;
  std::int64_t timestamp_ms = 0;
};
Outcome<Encrypted> encrypt(const std::string& profile_dir, const Secret* passphrase, const std::string& to, const std::string& text);

// A message for the profile's account (`data`: base64 of a WebSocketMessage or an Envelope).
struct Decrypted {
  std::string from, body;
  std::int64_t timestamp_ms = 0, envelope_timestamp_ms = 0;
  std::optional<std::string> display_name;
};
Outcome<Decrypted> decrypt(const std::string& profile_dir, const Secret* passphrase, const std::string& data_base64);
// Ok when `data_base64` could be a stored message ("bad_base64"; "too_large" past 76,800
// bytes): checked before a passphrase is asked for.
Outcome<Ok> check_message_data(const std::string& data_base64);

// Where a call goes: straight to the node at `node_url` (https://HOST:PORT; a 421 is
// followed once to the first member it names), straight to a member of the account's
// swarm (`direct`: it sees this address), or else through an onion path to one, by the
// consensus the profile holds.
struct Route {
  std::string node_url;
  bool direct = false;
};
// Ok unless `node_url` is given and is not https://HOST:PORT ("io"; the scheme may be left out).
Outcome<Ok> check_route(const Route& route);
struct Answer {
  int status = 0;
  std::string body;               // the node's reply (JSON or a sentence), untrusted
  bool body_is_json = false;      // it is JSON within libsotto's limits (16 deep, 16 MiB)
  std::string node;               // the node that answered (Ed25519 hex), when known
  std::vector<std::string> path;  // the onion path (Ed25519 hex, guard first), empty when straight
};

// Failures of the calls below: "bad_params", "bad_data", the account ID's, "no_network"
// (no current consensus, or the swarm moved since), "no_path", "unreachable", and "io"
// (a node's refusal, its status and sentence in the message, or a reply that is not the
// documented JSON). Straight to a node, each step of a request waits 15 s at most.
//
// Any storage RPC: `params_json` is the params object (16 MiB, 16 deep at most); to the
// swarm of params.pubkey, else to any node. Through an onion path any status is the
// answer; straight to a node, only a 200.
Outcome<Answer> rpc(const std::string& profile_dir, const Route& route, const std::string& method, const std::string& params_json,
                    Transport* transport = nullptr);

// Stores `data_base64` for `to` (unsigned, namespace 0, a day) and checks each member's
// signed receipt.
struct Receipt {
  std::string node;  // Ed25519 hex, as the reply names it
  bool verified = false;
  bool failed = false;
};
struct Stored {
  std::string hash;
  std::vector<Receipt> receipts;
  int verified = 0;
  Answer answer;
};
Outcome<Stored> store(const std::string& profile_dir, const Route& route, const std::string& to, const std::string& data_base64,
                      Transport* transport = nullptr);

// The profile's account's messages (a signed retrieve of namespace 0), decrypted.
struct Fetched {
  std::string hash;
  std::optional<std::string> from, body;  // nothing when it could not be decrypted
  std::int64_t timestamp_ms = 0;
  std::string error;  // why it could not
};
struct FetchResult {
  std::vector<Fetched> messages;
  Answer answer;
};
Outcome<FetchResult> fetch(const std::string& profile_dir, const Secret* passphrase, const Route& route, Transport* transport = nullptr);

}  // namespace sotto::dev
