#pragma once
// A whole onion request, the client's side (docs/wire/onion-request.md): the layers for a
// path and a destination, built innermost first with a fresh ephemeral key per layer, and
// the reading of what comes back. Sans-IO: randomness from the injected Rng; the caller
// POSTs `guard_body` to the first hop's /onion_req/v2. Thread-safe.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "onion/hop_crypto.hpp"

namespace sotto::onion {

struct HopNode {
  crypto::Ed25519Public ed25519;
  crypto::X25519Public x25519;
};

struct BuiltRequest {
  Bytes guard_body;              // [N][C_1]{"ephemeral_key","enc_type"}: POST it to hops[0]
  EncType enc = EncType::XChaCha20;
  std::vector<HopKey> layer_keys;  // one per hop, then the destination's (last)
};

inline constexpr std::string_view kDestinationControl = R"({"headers":{}})";

// `payload` is the storage RPC JSON. With no hops, the destination is the node POSTed to.
// Errors: BadKey for a node key that is a low-order point, Unsupported for aes-gcm
// without AES-NI.
Result<BuiltRequest> build_request(std::span<const HopNode> hops, const HopNode& destination, std::string_view payload,
                                   EncType enc, base::Rng& rng, std::string_view control_json = kDestinationControl);

struct OnionReply {
  int status = 0;          // the destination's (or a refusing hop's) status
  std::string body;        // its body: the text, or the JSON object as text (body_is_json)
  bool body_is_json = false;
  std::size_t layer = 0;   // which key opened it: layer_keys.size() - 1 is the destination
};

// The body of an HTTP 200 answer to the guard request: base64 (or raw, `base64` false) of
// the reply encrypted with the destination's layer key, or, when a hop refused a layer it
// had decrypted, with that hop's key. Errors: DecryptFailed (no key of this request opens
// it, or it is not base64), BadJson (not {"status": int, "body": string|object}).
Result<OnionReply> open_reply(const BuiltRequest& request, std::string_view http_body, bool base64 = true);

}  // namespace sotto::onion
