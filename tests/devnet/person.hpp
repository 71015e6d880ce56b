#pragma once
// One person's account on a devnet, for the devnet tests and the benchmarks: a profile of
// its own with a new account (no passphrase), the network's network.json, and a Messenger
// with its own transport, rng and clock.

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "client/messenger.hpp"
#include "client/network_view.hpp"
#include "client/profile.hpp"
#include "crypto/account_id.hpp"
#include "api/https_transport.hpp"

namespace sotto::devnet {

struct Person {
  std::string name;
  client::Profile profile;
  std::optional<crypto::Keypair> keys;
  base::SystemRng rng;
  base::SystemClock clock;
  api::HttpsTransport transport{std::chrono::seconds(40)};  // a retrieve may wait 25 s
  std::unique_ptr<client::Messenger> m;

  // A new account in the profile at `dir` (from `seed`, or a random one).
  Person(const std::string& name_, const std::string& dir, const std::string& network_json, const crypto::Seed16* seed = nullptr)
      : name(name_), profile(dir) {
    crypto::Seed16 fresh;
    if (!seed) {
      rng.fill(fresh.span());
      seed = &fresh;
    }
    if (!profile.create_account(*seed, nullptr, crypto::PwhashParams::minimum(), rng)) throw std::runtime_error("create_account");
    keys.emplace(std::move(*profile.load_keys(nullptr)));
    if (auto r = client::NetworkView::use(profile, network_json); !r) throw std::runtime_error(r.error().message());
    open();
  }
  // A new Messenger on this profile (as a second run of `sotto` would open).
  void open() {
    auto opened = client::Messenger::open(profile, std::move(*profile.load_keys(nullptr)), transport, rng, clock);
    if (!opened) throw std::runtime_error(opened.error().message());
    m = std::move(*opened);
    if (auto r = m->refresh_consensus(0); !r) throw std::runtime_error(r.error().message());
  }
  std::string id() const { return crypto::account_id_of(*keys).hex(); }
};

}  // namespace sotto::devnet
