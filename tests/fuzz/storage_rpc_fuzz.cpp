// The storage RPC handler on arbitrary request bodies: never crashes, always answers with
// one of the documented statuses, and a failed request stores nothing.
#include <algorithm>
#include <memory>

#include "fuzz_check.hpp"
#include "node/rpc/handler.hpp"

namespace {
struct Node {
  sotto::base::FakeClock clock{1'700'000'000'000};
  sotto::crypto::Keypair keys = [] {
    sotto::base::SeededRng rng(9);
    return sotto::crypto::Keypair::generate(rng);
  }();
  std::unique_ptr<sotto::node::storage::MessageStore> store =
      std::move(*sotto::node::storage::MessageStore::open(":memory:"));
  sotto::node::SingleNodeSwarm swarm{{keys.ed25519_public(), keys.x25519_public(), "127.0.0.1", 1}};
  sotto::node::rpc::Context ctx{*store, clock, keys, swarm};
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Node n;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto before = n.store->stats()->messages;
  auto r = sotto::node::rpc::handle(n.ctx, body);
  static const int ok[] = {200, 400, 401, 403, 404, 406, 413, 421, 500};
  FUZZ_CHECK(std::find(std::begin(ok), std::end(ok), r.status) != std::end(ok));
  FUZZ_CHECK(!r.body.empty());
  if (r.status >= 400 && r.status != 500) FUZZ_CHECK(n.store->stats()->messages == before);
  return 0;
}
