#include "client/onion_client.hpp"

#include "client/errc.hpp"
#include "onion/request.hpp"

namespace sotto::client {

OnionClient::OnionClient(Transport& transport, base::Rng& rng) : transport_(transport), rng_(rng), pool_(rng) {}

namespace {

// "Next node not found: <hex>" / "Next node not reachable: <hex>" -> the key.
std::optional<crypto::Ed25519Public> named_node(const std::string& body) {
  auto colon = body.rfind(": ");
  if (body.rfind("Next node not ", 0) != 0 || colon == std::string::npos) return std::nullopt;
  auto k = crypto::Ed25519Public::from_hex(body.substr(colon + 2, 64));
  if (!k) return std::nullopt;
  return *k;
}

std::string short_hex(const crypto::Ed25519Public& k) { return k.hex().substr(0, 12); }

}  // namespace

Result<OnionResult> OnionClient::rpc(const directory::ConsensusNode& destination, std::string_view payload) {
  OnionResult out;
  out.destination = destination.ed25519.hex();
  PathPool::Avoid avoid;  // the retry stays off the failed path and any node that failed
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto path = pool_.path_for(destination.ed25519, avoid);
    if (!path) return std::move(path).error();
    std::vector<onion::HopNode> hops;
    for (const auto& h : path->hops) hops.push_back({h.ed25519, h.x25519});
    auto req = onion::build_request(hops, {destination.ed25519, destination.x25519}, payload, onion::EncType::XChaCha20, rng_);
    if (!req) return std::move(req).error();
    out.attempts = attempt;
    out.path.clear();
    for (const auto& h : path->hops) out.path.push_back(h.ed25519.hex());
    avoid.path = path->id;

    const auto& guard = path->hops.front();
    auto r = transport_.post(guard.ip, guard.port_https, "/onion_req/v2", as_chars(req->guard_body));
    if (!r) {  // the guard did not answer: its strike
      pool_.strike_node(guard.ed25519);
      avoid.nodes.insert(guard.ed25519);
      out.failures.push_back("guard " + short_hex(guard.ed25519) + ": " + r.error().message());
      continue;
    }
    if (r->status != 200) {  // refused before a hop could decrypt its layer: in the clear, and unproven
      pool_.strike_path(path->id);
      out.failures.push_back("path via " + short_hex(guard.ed25519) + ": " + std::to_string(r->status) + " " + r->body.substr(0, 200));
      continue;
    }
    auto reply = onion::open_reply(*req, r->body);
    if (!reply) {
      pool_.strike_path(path->id);
      out.failures.push_back("path via " + short_hex(guard.ed25519) + ": " + reply.error().message());
      continue;
    }
    if (reply->layer + 1 != req->layer_keys.size()) {
      // A hop refused after it decrypted its layer, sealed with that layer's key (so only
      // this client reads it). It may accuse only its own successor on this path: that
      // node gets the strike; any other claim strikes the path.
      std::size_t i = reply->layer;
      const crypto::Ed25519Public& successor = i + 1 < path->hops.size() ? path->hops[i + 1].ed25519 : destination.ed25519;
      auto accused = named_node(reply->body);
      // A claim about the destination strikes the path: the destination is not a hop, and
      // a lying last hop must not get it dropped; a second path (another last hop) tells.
      if (reply->status == 502 && accused && *accused == successor && !(successor == destination.ed25519)) {
        pool_.strike_node(successor);
        avoid.nodes.insert(successor);
      } else {
        pool_.strike_path(path->id);
      }
      out.failures.push_back("hop " + std::to_string(i + 1) + " (" + short_hex(path->hops[i].ed25519) + ") refused: " + std::to_string(reply->status) +
                             " " + reply->body.substr(0, 200));
      continue;
    }
    pool_.succeeded(path->id);
    out.status = reply->status;
    out.body = std::move(reply->body);
    return out;
  }
  std::string why;
  for (const auto& f : out.failures) why += (why.empty() ? "" : "; ") + f;
  return Error(Errc::Unreachable, "the request failed in transit on " + std::to_string(out.failures.size()) + " path(s): " + why);
}

}  // namespace sotto::client
