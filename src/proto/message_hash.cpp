#include "proto/message_hash.hpp"

#include "crypto/hash.hpp"

namespace sotto::proto {

std::string namespace_string(Namespace ns) { return ns == 0 ? std::string() : std::to_string(ns); }

std::string message_hash(std::span<const std::uint8_t, 33> pubkey, Namespace ns, ByteView data) {
  crypto::Blake2b h(32);
  h.update(pubkey).update(as_bytes(namespace_string(ns))).update(data);
  return base::to_base64(h.final(), base::Padding::No);
}

}  // namespace sotto::proto
