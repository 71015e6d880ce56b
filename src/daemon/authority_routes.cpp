// An authority's HTTPS routes (docs/wire/directory.md, "Authority endpoints").

#include "base/json.hpp"
#include "daemon/authority_parts.hpp"

namespace sotto::daemon {

namespace {

using nlohmann::json;

int status_for(const Error& e) {
  using directory::Errc;
  if (e.is(Errc::BadSignature) || e.is(Errc::NotAuthority)) return 401;
  if (e.is(Errc::KeyMismatch) || e.is(Errc::Replayed) || e.is(Errc::Forged)) return 409;
  if (e.is(Errc::OutOfWindow) || e.is(Errc::Stale)) return 406;
  if (e.is(Errc::TooFrequent)) return 429;
  if (e.is(Errc::WrongAddress)) return 403;
  return 400;
}

void text(const net::Reply& reply, int status, const std::string& why) { reply({status, why, "text/plain; charset=utf-8", {}}); }
void accepted(const net::Reply& reply, const char* what) { reply({200, std::string(R"({")") + what + R"(":true})", "application/json", {}}); }

void vote(AuthorityDaemon::Parts& p, const std::string& body, const net::Reply& reply) {
  // Its epoch first (bounded as parse_vote reads it), so that a vote for another epoch
  // costs no signature check.
  json j = base::read_json_object(body, {directory::kMaxVoteJson, 8, std::size_t{1} << 20}).value_or(json());
  if (!j.is_object() || !j.contains("vote") || !j["vote"].is_object() || !j["vote"].contains("epoch") || !j["vote"]["epoch"].is_number_integer())
    return text(reply, 400, "vote: not a vote");
  std::int64_t e = j["vote"]["epoch"].get<std::int64_t>(), cur = p.epoch_at(wall_ms());
  if (e < cur || e > cur + 1) return text(reply, 406, "vote: for epoch " + std::to_string(e) + ", not the current or next one");
  auto checked = p.engine->check_vote(body, e);  // the costly checks, outside the lock
  if (!checked) return text(reply, status_for(checked.error()), checked.error().detail());
  Result<void> r;
  {
    std::lock_guard lock(p.mu);
    r = p.engine->add_vote(std::move(*checked));
  }
  if (!r) return text(reply, status_for(r.error()), r.error().detail());
  accepted(reply, "accepted");
}

void signature(AuthorityDaemon::Parts& p, const std::string& body, const net::Reply& reply) {
  auto sig = directory::parse_signature(body);
  if (!sig) return text(reply, 400, sig.error().detail());
  std::int64_t cur = p.epoch_at(wall_ms());
  if (sig->epoch < cur || sig->epoch > cur + 1)
    return text(reply, 406, "consensus signature: for epoch " + std::to_string(sig->epoch) + ", not the current or next one");
  Result<void> r;
  {
    std::lock_guard lock(p.mu);
    r = p.engine->receive_signature(body);
  }
  if (!r) return text(reply, status_for(r.error()), r.error().detail());
  accepted(reply, "accepted");
}

// GET /directory/v1/vote/<E>/<authority hex>, /signature/<E>, /consensus/<E>.
bool pull(AuthorityDaemon::Parts& p, const std::string& t, const net::Reply& reply) {
  for (const std::string prefix : {"/directory/v1/vote/", "/directory/v1/signature/", "/directory/v1/consensus/"}) {
    if (t.rfind(prefix, 0) != 0) continue;
    std::string rest = t.substr(prefix.size());
    auto slash = rest.find('/');
    std::string e_text = rest.substr(0, slash);
    if (e_text.empty() || e_text.size() > 15 || e_text.find_first_not_of("0123456789") != std::string::npos) return text(reply, 400, "bad epoch"), true;
    std::int64_t e = std::stoll(e_text);
    std::optional<std::string> found;
    std::lock_guard lock(p.mu);
    if (prefix == "/directory/v1/vote/") {
      auto k = crypto::Ed25519Public::from_hex(slash == std::string::npos ? "" : rest.substr(slash + 1));
      if (!k) return text(reply, 400, "bad authority key"), true;
      found = p.engine->vote_json(e, *k);
    } else if (prefix == "/directory/v1/signature/") {
      found = p.engine->signature_json(e, p.keys->ed25519_public());
    } else {
      found = p.engine->consensus_json(e);
    }
    if (!found) return text(reply, 404, "not held"), true;
    reply({200, *found, "application/json", {}});
    return true;
  }
  return false;
}

}  // namespace

void route(AuthorityDaemon::Parts& p, const net::HttpRequest& req, const net::Reply& reply) {
  const std::string& t = req.target;
  if (req.method == "POST" && t == "/directory/v1/register") {
    Result<void> r;
    {
      std::lock_guard lock(p.mu);
      r = p.engine->register_node(req.body, req.remote_ip, wall_ms());
    }
    if (!r) return text(reply, status_for(r.error()), r.error().detail());
    return accepted(reply, "registered");
  }
  if (req.method == "POST" && t == "/directory/v1/vote") return vote(p, req.body, reply);
  if (req.method == "POST" && t == "/directory/v1/signature") return signature(p, req.body, reply);
  if (req.method == "GET" && t == "/directory/v1/consensus") {
    std::optional<std::string> c;
    {
      std::lock_guard lock(p.mu);
      c = p.engine->current_json();
    }
    if (!c) return text(reply, 404, "no consensus yet");
    return reply({200, *c, "application/json", {}});
  }
  if (req.method == "GET" && pull(p, t, reply)) return;
  text(reply, 404, "Not found");
}

}  // namespace sotto::daemon
