#include "proto/signed_strings.hpp"

#include "proto/message_hash.hpp"

namespace sotto::proto {

namespace {
std::string ns_or_all(NsOrAll ns) { return ns ? namespace_string(*ns) : std::string("all"); }
std::string join(std::span<const std::string> parts) {
  std::string s;
  for (const auto& p : parts) s += p;
  return s;
}
std::string tokens_string(const char* method, std::int64_t ts, std::span<const Bytes> tokens) {
  std::string s = method + std::to_string(ts);
  for (const auto& t : tokens) s += as_chars(t);
  return s;
}
}  // namespace

std::string signed_store(Namespace ns, std::int64_t ts) { return "store" + namespace_string(ns) + std::to_string(ts); }
std::string signed_retrieve(Namespace ns, std::int64_t ts) { return "retrieve" + namespace_string(ns) + std::to_string(ts); }
std::string signed_delete(std::span<const std::string> hashes) { return "delete" + join(hashes); }
std::string signed_delete_all(NsOrAll ns, std::int64_t ts) { return "delete_all" + ns_or_all(ns) + std::to_string(ts); }
std::string signed_delete_before(NsOrAll ns, std::int64_t before) {
  return "delete_before" + ns_or_all(ns) + std::to_string(before);
}
std::string signed_expire_all(NsOrAll ns, std::int64_t expiry) {
  return "expire_all" + ns_or_all(ns) + std::to_string(expiry);
}

std::string signed_expire(ExpireMode mode, std::span<const std::int64_t> expiries, std::span<const std::string> hashes) {
  std::string s = "expire";
  if (mode == ExpireMode::Shorten) s += "shorten";
  if (mode == ExpireMode::Extend) s += "extend";
  for (auto e : expiries) s += std::to_string(e);
  return s + join(hashes);
}

std::string signed_get_expiries(std::int64_t ts, std::span<const std::string> hashes) {
  return "get_expiries" + std::to_string(ts) + join(hashes);
}
std::string signed_revoke_subaccount(std::int64_t ts, std::span<const Bytes> tokens) {
  return tokens_string("revoke_subaccount", ts, tokens);
}
std::string signed_revoked_subaccounts(std::int64_t ts) { return "revoked_subaccounts" + std::to_string(ts); }
std::string signed_unrevoke_subaccount(std::int64_t ts, std::span<const Bytes> tokens) {
  return tokens_string("unrevoke_subaccount", ts, tokens);
}

}  // namespace sotto::proto
