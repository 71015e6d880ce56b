// sotto-authority: a directory authority (docs/authority.md, docs/wire/directory.md).
// Takes node registrations, tests that registered nodes answer, votes every epoch,
// exchanges votes and signatures with the other authorities of network.json, and
// publishes the consensus once a majority has signed it.
//
//   sotto-authority --data-dir DIR --network network.json --listen 127.0.0.1:23001
//   sotto-authority --data-dir DIR --init     (create the key, print it, exit)

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/log.hpp"
#include "base/rng.hpp"
#include "common/tls_files.hpp"
#include "common/url.hpp"
#include "directory/authority.hpp"
#include "net/client.hpp"
#include "net/executor.hpp"
#include "net/server.hpp"
#include "node/identity.hpp"

namespace fs = std::filesystem;
using namespace sotto;
using nlohmann::json;

namespace {

int fail(const std::string& why) {
  log::error("startup_failed", {log::kv("reason", base::Plain(why))});
  std::cerr << "sotto-authority: " << why << std::endl;
  return 1;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int status_for(const Error& e) {
  using directory::Errc;
  if (e.is(Errc::BadSignature) || e.is(Errc::NotAuthority)) return 401;
  if (e.is(Errc::KeyMismatch) || e.is(Errc::Replayed) || e.is(Errc::Forged)) return 409;
  if (e.is(Errc::OutOfWindow) || e.is(Errc::Stale)) return 406;
  if (e.is(Errc::TooFrequent)) return 429;
  return 400;
}

// Sleeps until `t_ms` (wall clock) or until stop; false when stopping.
class Sleeper {
 public:
  bool until(std::int64_t t_ms) {
    std::unique_lock lock(mu_);
    for (;;) {
      if (stop_) return false;
      std::int64_t left = t_ms - now_ms();
      if (left <= 0) return true;
      cv_.wait_for(lock, std::chrono::milliseconds(left));
    }
  }
  void stop() {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  net::block_shutdown_signals();
  CLI::App app{"sotto-authority: a directory authority of a sotto network"};
  std::string data_dir, network_file, listen = "127.0.0.1:23001", log_level = "info";
  bool init = false;
  app.add_option("--data-dir", data_dir, "where the authority keeps its key and TLS certificate")->required();
  app.add_option("--network", network_file, "network.json naming the network and its authorities");
  app.add_option("--listen", listen, "HOST:PORT for HTTPS (default 127.0.0.1:23001)");
  app.add_option("--log-level", log_level, "debug, info, warn or error");
  app.add_flag("--init", init, "create the key if needed, print {\"ed25519\": ...} and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!log::set_level(log_level)) {
    std::cerr << "sotto-authority: unknown log level '" << log_level << "'" << std::endl;
    return 2;
  }
  fs::path dir(data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create the data dir " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  base::SystemRng rng;
  bool created = false;
  auto keys = node::load_or_create_identity(dir, rng, created);
  if (!keys) return fail(keys.error().message());
  if (init) {
    std::cout << json{{"ed25519", keys->ed25519_public().hex()}}.dump() << std::endl;
    return 0;
  }
  if (network_file.empty()) return fail("--network is required (or --init to create the key)");
  std::ifstream nf(network_file);
  if (!nf) return fail("cannot read " + network_file);
  std::string network_text((std::istreambuf_iterator<char>(nf)), {});
  auto net = directory::parse_network(network_text);
  if (!net) return fail(network_file + ": " + net.error().message());
  const auto& auths = net->authorities;
  if (std::none_of(auths.begin(), auths.end(), [&](const directory::Peer& p) { return p.ed25519 == keys->ed25519_public(); }))
    return fail("this authority's key " + keys->ed25519_public().hex() + " is not among the authorities of " + network_file);
  auto hp = apps::parse_host_port(listen);
  if (!hp) return fail(hp.error().message());
  auto cert = apps::load_or_create_certificate(dir, "sotto-authority " + keys->ed25519_public().hex().substr(0, 16));
  if (!cert) return fail(cert.error().message());

  // The other authorities, where to reach them.
  struct Other {
    crypto::Ed25519Public key;
    apps::HostPort at;
  };
  std::vector<Other> others;
  for (const auto& p : auths) {
    if (p.ed25519 == keys->ed25519_public()) continue;
    auto at = apps::parse_https_url(p.url);
    if (!at) return fail(network_file + ": " + at.error().message());
    others.push_back({p.ed25519, *at});
  }

  std::mutex mu;  // guards the engine
  directory::Authority engine(*net, keys->clone());
  const std::int64_t epoch_ms = net->epoch_seconds * 1000, genesis_ms = net->genesis * 1000;
  const auto call_timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(epoch_ms / 4, 200, 5000));
  auto epoch_at = [&](std::int64_t t_ms) { return t_ms < genesis_ms ? -1 : (t_ms - genesis_ms) / epoch_ms; };

  net::ServerConfig sc;
  sc.host = hp->host;
  sc.port = hp->port;
  sc.cert_pem = cert->cert;
  sc.key_pem = cert->key;
  sc.max_body = directory::kMaxConsensusJson;
  // Per client IP: nodes register once an epoch and authorities exchange a few requests;
  // this bounds what one address can make the authority do (a devnet shares 127.0.0.1).
  sc.rate_per_second = 100;
  sc.rate_burst = 500;
  net::Server server(sc, [&](net::HttpRequest req, net::Reply reply) {
    auto text = [&](int status, const std::string& why) { reply({status, why, "text/plain; charset=utf-8", {}}); };
    const std::string& t = req.target;
    if (req.method == "POST" && t == "/directory/v1/register") {
      Result<void> r;
      {
        std::lock_guard lock(mu);
        r = engine.register_node(req.body, now_ms());
      }
      if (!r) return text(status_for(r.error()), r.error().detail());
      return reply({200, R"({"registered":true})", "application/json", {}});
    }
    if (req.method == "POST" && t == "/directory/v1/vote") {
      // Its epoch first (bounded as parse_vote reads it), so that a vote for another epoch
      // costs no signature check.
      json j = base::read_json_object(req.body, {directory::kMaxVoteJson, 8, std::size_t{1} << 20}).value_or(json());
      if (!j.is_object() || !j.contains("vote") || !j["vote"].is_object() || !j["vote"].contains("epoch") ||
          !j["vote"]["epoch"].is_number_integer())
        return text(400, "vote: not a vote");
      std::int64_t e = j["vote"]["epoch"].get<std::int64_t>(), cur = epoch_at(now_ms());
      if (e < cur || e > cur + 1) return text(406, "vote: for epoch " + std::to_string(e) + ", not the current or next one");
      auto checked = engine.check_vote(req.body, e);  // the costly checks, outside the lock
      if (!checked) return text(status_for(checked.error()), checked.error().detail());
      Result<void> r;
      {
        std::lock_guard lock(mu);
        r = engine.add_vote(std::move(*checked));
      }
      if (!r) return text(status_for(r.error()), r.error().detail());
      return reply({200, R"({"accepted":true})", "application/json", {}});
    }
    if (req.method == "POST" && t == "/directory/v1/signature") {
      auto sig = directory::parse_signature(req.body);
      if (!sig) return text(400, sig.error().detail());
      std::int64_t cur = epoch_at(now_ms());
      if (sig->epoch < cur || sig->epoch > cur + 1)
        return text(406, "consensus signature: for epoch " + std::to_string(sig->epoch) + ", not the current or next one");
      Result<void> r;
      {
        std::lock_guard lock(mu);
        r = engine.receive_signature(req.body);
      }
      if (!r) return text(status_for(r.error()), r.error().detail());
      return reply({200, R"({"accepted":true})", "application/json", {}});
    }
    if (req.method == "GET" && t == "/directory/v1/consensus") {
      std::optional<std::string> c;
      {
        std::lock_guard lock(mu);
        c = engine.current_json();
      }
      if (!c) return text(404, "no consensus yet");
      return reply({200, *c, "application/json", {}});
    }
    // GET /directory/v1/vote/<E>/<authority hex> and /directory/v1/signature/<E>
    for (const std::string prefix : {"/directory/v1/vote/", "/directory/v1/signature/"}) {
      if (req.method != "GET" || t.rfind(prefix, 0) != 0) continue;
      std::string rest = t.substr(prefix.size());
      auto slash = rest.find('/');
      std::string e_text = rest.substr(0, slash);
      if (e_text.empty() || e_text.size() > 15 || e_text.find_first_not_of("0123456789") != std::string::npos)
        return text(400, "bad epoch");
      std::int64_t e = std::stoll(e_text);
      std::optional<std::string> found;
      std::lock_guard lock(mu);
      if (prefix == "/directory/v1/vote/") {
        auto k = crypto::Ed25519Public::from_hex(slash == std::string::npos ? "" : rest.substr(slash + 1));
        if (!k) return text(400, "bad authority key");
        found = engine.vote_json(e, *k);
      } else {
        found = engine.signature_json(e, keys->ed25519_public());
      }
      if (!found) return text(404, "not held");
      return reply({200, *found, "application/json", {}});
    }
    text(404, "Not found");
  });
  if (auto r = server.start(); !r) return fail(r.error().message());

  Sleeper sleeper;
  const std::int64_t started_ms = now_ms();
  auto post = [&](const apps::HostPort& at, const std::string& target, const std::string& body) {
    net::HttpClient c(at.host, at.port, true, call_timeout);
    return c.post(target, body);
  };
  auto get = [&](const apps::HostPort& at, const std::string& target) {
    net::HttpClient c(at.host, at.port, true, call_timeout);
    return c.get(target);
  };

  // The epoch schedule [DN §1]: vote at valid_after - (V + D), pull missing votes at
  // valid_after - D - V/2, sign at valid_after - D, pull missing signatures at
  // valid_after - D/2; V = D = epoch / 8.
  std::thread scheduler([&] {
    const std::int64_t v = epoch_ms / 8, d = epoch_ms / 8;
    std::int64_t e = std::max<std::int64_t>(0, epoch_at(now_ms()) + 1);
    for (;; ++e) {
      const std::int64_t va = genesis_ms + e * epoch_ms;
      if (!sleeper.until(va - v - d)) return;
      // An authority up for less than 2 epochs has not tested anyone yet: it abstains
      // rather than vote every node down.
      if (now_ms() - started_ms >= 2 * epoch_ms) {
        std::string vote;
        {
          std::lock_guard lock(mu);
          vote = directory::to_json(engine.vote(e, now_ms()));
        }
        for (const auto& o : others)
          if (auto r = post(o.at, "/directory/v1/vote", vote); !r || r->status != 200)
            log::debug("vote_push_failed", {log::kv("to", base::Plain(o.key.hex().substr(0, 16)))});
      }
      if (!sleeper.until(va - d - v / 2)) return;
      for (const auto& o : others) {
        bool have;
        {
          std::lock_guard lock(mu);
          have = engine.vote_json(e, o.key).has_value();
        }
        if (have) continue;
        auto r = get(o.at, "/directory/v1/vote/" + std::to_string(e) + "/" + o.key.hex());
        if (r && r->status == 200) {
          std::lock_guard lock(mu);
          (void)engine.receive_vote(r->body, e);
        }
      }
      if (!sleeper.until(va - d)) return;
      // Missed an epoch (or just started)? Take the newest consensus the others hold first,
      // so that this authority's document chains on the same one as theirs.
      bool behind;
      {
        std::lock_guard lock(mu);
        behind = !engine.current() || engine.current()->epoch < e - 1;
      }
      if (behind)
        for (const auto& o : others)
          if (auto r = get(o.at, "/directory/v1/consensus"); r && r->status == 200) {
            std::lock_guard lock(mu);
            if (engine.adopt(r->body, now_ms() / 1000)) log::info("consensus_adopted", {log::kv("epoch", engine.current()->epoch)});
          }
      Result<directory::ConsensusSignature> sig = Error(directory::Errc::NoConsensus, "");
      {
        std::lock_guard lock(mu);
        sig = engine.sign(e);
      }
      if (!sig) {
        log::warn("no_consensus", {log::kv("epoch", e), log::kv("reason", base::Plain(sig.error().detail()))});
        continue;
      }
      std::string body = directory::to_json(*sig);
      for (const auto& o : others) (void)post(o.at, "/directory/v1/signature", body);
      if (!sleeper.until(va - d / 2)) return;
      for (const auto& o : others) {
        auto r = get(o.at, "/directory/v1/signature/" + std::to_string(e));
        if (r && r->status == 200) {
          std::lock_guard lock(mu);
          (void)engine.receive_signature(r->body);
        }
      }
      std::lock_guard lock(mu);
      if (engine.current() && engine.current()->epoch == e)
        log::info("consensus", {log::kv("epoch", e), log::kv("nodes", engine.current()->nodes.size()),
                                log::kv("swarms", engine.current()->swarm_ids().size())});
      else
        log::warn("consensus_unsigned", {log::kv("epoch", e)});
    }
  });

  // Reachability: each registered node must answer /ping_test/v1 with its own key and a
  // signature over a fresh nonce, once an epoch, and sooner then less often while it fails
  // (the engine's schedule: Authority::tested / due_for_test). New nodes are tested at once.
  std::thread tester([&] {
    const std::int64_t tick = std::clamp<std::int64_t>(epoch_ms / 10, 100, 1000);
    for (;;) {
      std::vector<directory::Descriptor> nodes;
      {
        std::lock_guard lock(mu);
        nodes = engine.due_for_test(now_ms());
      }
      for (const auto& n : nodes) {
        Bytes raw(24);
        rng.fill(raw);
        std::string nonce = base::to_hex(raw);
        net::HttpClient c(n.ip, n.port_https, true, call_timeout);
        auto r = c.post("/ping_test/v1", nonce);
        bool passed = false;
        if (r && r->status == 200) {
          std::string key, sig;
          for (const auto& [k, val] : r->headers) {
            if (k == "X-Oxen-Snode-Pubkey") key = val;
            if (k == "X-Sotto-Ping-Signature") sig = val;
          }
          auto s = base::from_base64(sig);
          crypto::Signature signature{};
          if (s && s->size() == 64) std::copy(s->begin(), s->end(), signature.begin());
          passed = key == base::to_base64(n.ed25519.bytes) && s && s->size() == 64 &&
                   crypto::verify(signature, as_bytes("sotto-ping-test-v1:" + nonce), n.ed25519);
        }
        std::lock_guard lock(mu);
        engine.tested(n.ed25519, n.ip, n.port_https, passed, now_ms());
      }
      if (!sleeper.until(now_ms() + tick)) return;
    }
  });

  log::info("authority_started", {log::kv("ed25519", base::Plain(keys->ed25519_public().hex())),
                                   log::kv("listen", base::Plain(hp->host + ":" + std::to_string(server.port()))),
                                   log::kv("network", base::Plain(net->network_id))});
  std::cout << json{{"event", "ready"}, {"listen", hp->host + ":" + std::to_string(server.port())},
                    {"ed25519", keys->ed25519_public().hex()}}.dump()
            << std::endl;
  int sig = net::wait_for_shutdown_signal();
  log::info("authority_stopping", {log::kv("signal", sig)});
  sleeper.stop();
  scheduler.join();
  tester.join();
  server.stop();
  return 0;
}
