#include "proto/message_hash.hpp"

#include <algorithm>

#include "crypto/hash.hpp"

namespace sotto::proto {

std::string namespace_string(Namespace ns) { return ns == 0 ? std::string() : std::to_string(ns); }

ByteArray<32> message_hash_raw(std::span<const std::uint8_t, 33> pubkey, Namespace ns, ByteView data) {
  crypto::Blake2b h(32);
  h.update(pubkey).update(as_bytes(namespace_string(ns))).update(data);
  auto digest = h.final();
  ByteArray<32> out;
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

std::string message_hash(std::span<const std::uint8_t, 33> pubkey, Namespace ns, ByteView data) {
  return base::to_base64(message_hash_raw(pubkey, ns, data), base::Padding::No);
}

}  // namespace sotto::proto
