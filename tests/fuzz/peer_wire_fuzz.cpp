// What one node sends another (untrusted: a peer may be hostile, or a machine in the
// middle): push bodies, summaries, hashes and fetch requests and replies, up to a MiB.
// Never crashes or recurses; what decodes re-encodes to what decodes the same; to_store
// keeps only messages whose hash is their content's, and accounts for every message.
#include <string>

#include "fuzz_check.hpp"
#include "node/swarm/peer_wire.hpp"
#include "proto/message_hash.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)node::account_of(text);
  if (auto p = node::decode_push(text)) {
    auto checked = node::to_store(p->account, p->messages, 1'700'000'000'000);
    FUZZ_CHECK(checked.store.size() + checked.refused.size() + checked.expired == p->messages.size());
    for (const auto& r : checked.store) FUZZ_CHECK(proto::message_hash_raw(p->account, r.ns, r.data) == r.hash);
  }
  if (auto s = node::decode_summary(text)) {
    auto again = node::decode_summary(node::encode_summary(*s));
    FUZZ_CHECK(again && *again == *s);
  }
  if (auto h = node::decode_hashes_request(text)) FUZZ_CHECK(node::decode_hashes_request(node::encode_hashes_request(*h)));
  if (auto h = node::decode_hashes(text)) {
    auto again = node::decode_hashes(node::encode_hashes(*h));
    FUZZ_CHECK(again && *again == *h);
  }
  if (auto f = node::decode_fetch_request(text)) FUZZ_CHECK(f->hashes.size() <= node::kFetchMax);
  if (auto m = node::decode_messages(text)) FUZZ_CHECK(m->size() <= (1u << 20));
  if (auto st = node::decode_stored(text)) FUZZ_CHECK(st->refusals.size() <= node::kMaxRefusalsReported);
  return 0;
}
