#include "daemon/onion_relay.hpp"

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "net/errc.hpp"
#include "net/address.hpp"

namespace sotto::daemon {

using nlohmann::json;

OnionRelay::OnionRelay(const crypto::Keypair& keys, std::string listen_host, Lookup lookup, Deliver deliver, node::Metrics& metrics,
                       const std::string& record_path)
    : keys_(keys), listen_host_(std::move(listen_host)), lookup_(std::move(lookup)), deliver_(std::move(deliver)), metrics_(metrics) {
  if (!record_path.empty()) {
    record_.emplace(record_path, std::ios::app);
    log::warn("onion_recording_on", {log::kv("why", base::Plain("test-only record_onion is set: this node writes what it sees of every onion request"))});
  }
}

OnionRelay::~OnionRelay() { stop(); }

void OnionRelay::stop() {
  std::map<crypto::Ed25519Public, std::pair<std::string, std::shared_ptr<net::AsyncClient>>> clients;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    clients.swap(clients_);
  }
  for (auto& [k, c] : clients) c.second->stop();  // outside the lock: callbacks may run
}

void OnionRelay::record(const std::string& line) {
  if (!record_) return;
  std::lock_guard lock(record_mu_);
  *record_ << line << "\n";
  record_->flush();
}

std::shared_ptr<net::AsyncClient> OnionRelay::client_for(const node::NodeAddress& next) {
  std::string addr = next.ip + ":" + std::to_string(next.https_port);
  std::shared_ptr<net::AsyncClient> old;
  std::shared_ptr<net::AsyncClient> out;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return nullptr;
    auto& slot = clients_[next.ed25519];
    if (slot.second && slot.first == addr) return slot.second;
    old = std::move(slot.second);  // it moved: a new pool for its new address
    net::AsyncClientConfig cfg;
    cfg.host = next.ip;
    cfg.port = next.https_port;
    // Connections open only when needed; many, because a relayed request may be a retrieve
    // that waits (up to 25 s) for a message, and holds its connection meanwhile.
    cfg.connections = kConnectionsPerNext;
    cfg.timeout = kHopTimeout;
    cfg.connect_timeout = kConnectTimeout;  // a silent next node is 'not reachable' (its strike), not the path's timeout
    cfg.local_ip = net::outbound_ip(listen_host_, next.ip);
    auto made = net::AsyncClient::start(cfg);
    if (!made) {
      clients_.erase(next.ed25519);
    } else {
      slot = {addr, std::shared_ptr<net::AsyncClient>(std::move(*made))};
      out = slot.second;
    }
  }
  // The old pool (the node moved) is not stopped: requests in flight hold it and finish;
  // it goes away with the last of them.
  return out;
}

void OnionRelay::handle(const net::HttpRequest& req, net::Reply reply) {
  onion::NodeKeys nk{keys_.x25519_secret(), keys_.x25519_public(), keys_.ed25519_public()};
  onion::Step step = onion::peel(nk, as_bytes(req.body), replays_, base::SystemClock().now_ms(), rng_);

  if (auto* a = std::get_if<onion::Answer>(&step)) {
    metrics_.count("onion_requests", "result", a->result);
    if (record_) record(json{{"from", req.remote_ip}, {"saw", "refused"}, {"result", a->result}}.dump());
    return reply({a->http_status, std::move(a->body), a->content_type, {}});
  }

  if (auto* d = std::get_if<onion::Deliver>(&step)) {
    metrics_.count("onion_requests", "result", "delivered");
    if (record_) record(json{{"from", req.remote_ip}, {"saw", "request"}, {"request", d->request}}.dump());
    // The reply is sealed with the client's key for this layer; the key lives as long as
    // the request does.
    auto key = std::make_shared<onion::HopKey>(std::move(d->key));
    auto sealer = [this, key, enc = d->enc, json_body = d->json_body, b64 = d->base64, reply = std::move(reply)](net::HttpResponse r) {
      bool is_json = r.content_type.rfind("application/json", 0) == 0;
      std::string body = onion::seal_reply(enc, *key, r.status, r.body, json_body && is_json, b64, rng_);
      reply({200, std::move(body), b64 ? "text/plain; charset=utf-8" : "application/octet-stream", {}});
    };
    return deliver_(std::move(d->request), std::move(sealer));
  }

  auto& f = std::get<onion::Forward>(step);
  // Refusals from here on are sealed: only the client learns which node failed (the hops
  // before this one relay an opaque 200).
  auto key = std::make_shared<onion::HopKey>(std::move(f.key));
  auto refuse = [this, key, enc = f.enc](int status, std::string text, const char* result) {
    metrics_.count("onion_requests", "result", result);
    auto a = onion::seal_refusal(enc, *key, status, std::move(text), result, rng_);
    return net::HttpResponse{a.http_status, std::move(a.body), a.content_type, {}};
  };
  auto next = lookup_(f.next);
  if (record_) record(json{{"from", req.remote_ip}, {"saw", "relay"}, {"next", f.next.hex()}}.dump());
  if (!next) return reply(refuse(502, "Next node not found: " + f.next.hex(), "next_not_found"));
  auto client = client_for(*next);
  if (!client) return reply(refuse(503, "This node cannot relay now", "relay_unavailable"));
  if (client->outstanding() >= kMaxQueuedPerNext) return reply(refuse(503, "Next node busy: " + f.next.hex(), "next_busy"));
  std::string next_hex = f.next.hex();
  client->post("/onion_req/v2", std::string(as_chars(f.body)),
               [this, client, refuse, reply = std::move(reply), next_hex](Result<net::HttpResponse> r) {
                 if (r) {
                   metrics_.count("onion_requests", "result", "relayed");
                   // Status, body and type unchanged; none of the next node's headers.
                   return reply({r->status, std::move(r->body), std::move(r->content_type), {}});
                 }
                 // This node stopping, or its own socket: not the next node's fault.
                 if (r.error().is(net::Errc::Stopped)) return reply(refuse(503, "This node is stopping", "relay_unavailable"));
                 if (r.error().is(net::Errc::BindFailed)) return reply(refuse(503, "This node cannot relay now", "relay_unavailable"));
                 // Connected but no answer in time: 504. Anything else (refused, reset, closed
                 // before answering): the next node is not reachable.
                 if (r.error().is(net::Errc::Timeout)) return reply(refuse(504, "Request time out", "next_timeout"));
                 reply(refuse(502, "Next node not reachable: " + next_hex, "next_unreachable"));
               });
}

}  // namespace sotto::daemon
