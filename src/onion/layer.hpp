#pragma once
// Onion layer framing and routing (docs/wire/onion-hop.md): a layer is
// [u32 LE N][N bytes blob][JSON]; the JSON of a decrypted layer says whether this node
// is the destination, relays to the next node, or is asked to proxy to a server.
// Sans-IO; thread-safe. Views returned point into the input.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/keys.hpp"
#include "onion/errc.hpp"
#include "onion/hop_crypto.hpp"

namespace sotto::onion {

struct Layer {
  ByteView blob;
  std::string_view json;
};

// BadFraming if the length prefix does not fit.
Result<Layer> split_layer(ByteView data);
Bytes join_layer(ByteView blob, std::string_view json);

// The JSON beside a layer sent to a node: who encrypted it, and how.
struct HopHeader {
  crypto::X25519Public ephemeral_key;
  EncType enc_type = EncType::AesGcm;  // Session's default when enc_type is absent
  bool enc_type_defaulted = true;
};
Result<HopHeader> parse_hop_header(std::string_view json);
// The same plus "hop_no" (an unsigned integer, 0 when absent), as a node reads the JSON of
// a request it receives; BadField if hop_no is not an unsigned integer.
struct RequestHeader {
  HopHeader hop;
  std::uint64_t hop_no = 0;
};
Result<RequestHeader> parse_request_header(std::string_view json);

struct FinalDestination {
  ByteView payload;        // the request: {"method", "params"}
  bool json_body = false;  // "json": true
  bool base64 = true;      // "base64": false turns base64 off
};
struct RelayToNode {
  ByteView payload;  // the next layer's ciphertext
  crypto::Ed25519Public next;
  HopHeader header;
};
struct RelayToServer {
  std::string host;
  std::uint16_t port = 443;
  std::string protocol = "https";
  std::string target;
  bool target_allowed = false;  // relay_target_allowed(target), judged when the layer is read
};
using Route = std::variant<FinalDestination, RelayToNode, RelayToServer>;

// Reads a decrypted layer. MissingField / BadField name the field.
Result<Route> route_of(const Layer& decrypted);

// A server target must start with /loki/ or /oxen/, end with /lsrpc, and have no '?'.
bool relay_target_allowed(std::string_view target);

}  // namespace sotto::onion
