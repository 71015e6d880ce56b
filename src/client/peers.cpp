#include "client/peers.hpp"

#include "client/errc.hpp"

namespace sotto::client {

bool looks_like_account_id(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos && (s.size() >= 16 || s.rfind("05", 0) == 0);
}

Result<crypto::AccountId> resolve_peer(LocalStore& store, const std::string& who) {
  if (looks_like_account_id(who)) {
    auto id = crypto::AccountId::parse(who);
    if (!id) return Error(Errc::BadAccountId, "'" + who.substr(0, 70) + "' is not an account ID (05 followed by 64 hex digits)");
    return *id;
  }
  auto c = store.contact_by_nickname(who);
  if (!c) return std::move(c).error();
  if (!*c)
    return Error(Errc::UnknownContact,
                 "no contact is called '" + who.substr(0, 64) + "' (add one: sotto contacts add ACCOUNT_ID " + who.substr(0, 64) + ")");
  return crypto::AccountId::parse((*c)->account);
}

Result<void> check_nickname(const std::string& nickname) {
  if (nickname.empty() || nickname.size() > 64 || nickname.find_first_of(" \t\n\r") != std::string::npos || looks_like_account_id(nickname))
    return Error(Errc::BadNickname, "a nickname is one word of at most 64 bytes that does not look like an account ID");
  return {};
}

Result<std::pair<std::string, std::uint16_t>> parse_node_url(const std::string& url) {
  std::string rest = url.rfind("https://", 0) == 0 ? url.substr(8) : std::string();
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < rest.size() && rest.size() - colon - 1 <= 5 &&
            rest.find_first_not_of("0123456789", colon + 1) == std::string::npos;
  int port = ok ? std::stoi(rest.substr(colon + 1)) : 0;
  if (!ok || port < 1 || port > 65535) return Error(Errc::Io, "'" + url + "' is not https://HOST:PORT");
  std::string host = rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::pair<std::string, std::uint16_t>{host, static_cast<std::uint16_t>(port)};
}

}  // namespace sotto::client
