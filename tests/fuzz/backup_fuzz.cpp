// What a swarm returns for a backup (untrusted): parts, manifests and chunk contents.
// Never crashes; a part or manifest is accepted only with the right framing, signature and
// key; a chunk that inflates stays within its bound; a state is read only from the
// documented JSON.
#include <string>

#include "client/backup.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::client::backup;
  static const auto kAccount = [] {
    sotto::base::SeededRng rng(12);
    return sotto::crypto::Keypair::generate(rng);
  }();
  static const Keys kKeys = derive_keys(kAccount.seed());
  sotto::ByteView bytes(data, size);
  if (auto p = parse_part(bytes)) {
    FUZZ_CHECK(p->index < p->count);
    FUZZ_CHECK(p->bytes.size() <= kPartBytes);
  }
  // Nobody but the account signs its manifests: random bytes never open.
  FUZZ_CHECK(!open_manifest(kKeys, kAccount.ed25519_public(), bytes));
  sotto::ByteArray<32> id{};
  if (size >= 32) std::copy(data, data + 32, id.begin());
  FUZZ_CHECK(!open_chunk(kKeys, id, bytes));
  if (auto text = inflate(bytes, 1 << 20)) FUZZ_CHECK(text->size() <= (1u << 20));
  std::string s(reinterpret_cast<const char*>(data), size);
  (void)parse_manifest(s);
  (void)read_chunks({s, R"({"v":1,"kind":"meta","contacts":[],"conversations":[]})"});
  return 0;
}
