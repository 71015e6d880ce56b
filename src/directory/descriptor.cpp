#include "directory/descriptor.hpp"

#include <algorithm>
#include "base/json.hpp"
#include "directory/descriptor_json.hpp"
#include "directory/network.hpp"

namespace sotto::directory {

namespace {

using nlohmann::json;

constexpr std::string_view kDescriptorDomain = "sotto-descriptor-v1";

Error descriptor_error(const std::string& why) { return Error(Errc::Malformed, "descriptor: " + why); }

// Dotted IPv4, four decimal octets 0-255 without leading zeros.
bool valid_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find('.', i);
    if (j == std::string_view::npos) j = s.size();
    auto part = s.substr(i, j - i);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0') ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) || std::stoi(std::string(part)) > 255)
      return false;
    ++parts;
    i = j + 1;
    if (j == s.size()) break;
  }
  return parts == 4;
}

bool valid_software(std::string_view s) {
  return !s.empty() && s.size() <= 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; });
}

json to_object(const Descriptor& d) {
  return json{{"type", "descriptor"},     {"network_id", d.network_id}, {"ed25519", d.ed25519.hex()},
              {"x25519", d.x25519.hex()}, {"ip", d.ip},                 {"port_https", d.port_https},
              {"software", d.software},   {"published", d.published_ms}};
}

}  // namespace

std::string canonical_json(const Descriptor& d) { return to_object(d).dump(); }  // std::map: keys sorted

std::string signed_bytes(const Descriptor& d) {
  std::string out(kDescriptorDomain);
  out += '\0';
  out += canonical_json(d);
  return out;
}

SignedDescriptor sign_descriptor(const Descriptor& d, const crypto::Ed25519Secret& sk) {
  return {d, crypto::sign(sk, as_bytes(signed_bytes(d)))};
}

std::string to_json(const SignedDescriptor& s) {
  return json{{"descriptor", to_object(s.descriptor)}, {"signature", base::to_hex(s.signature)}}.dump();
}

Result<SignedDescriptor> read_descriptor(const json& j) {
  if (!j.is_object()) return descriptor_error("not a JSON object");
  auto dj = j.find("descriptor");
  auto sj = j.find("signature");
  if (dj == j.end() || !dj->is_object()) return descriptor_error("'descriptor' must be an object");
  if (sj == j.end() || !sj->is_string() || !is_lower_hex(sj->get_ref<const std::string&>(), 128))
    return descriptor_error("'signature' must be 128 lowercase hex digits");
  const json& o = *dj;
  if (o.size() != 8) return descriptor_error("must hold exactly type, network_id, ed25519, x25519, ip, port_https, software, published");
  auto str = [&](const char* name) -> const std::string* {
    auto it = o.find(name);
    return it != o.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  auto type = str("type");
  if (!type || *type != "descriptor") return descriptor_error("'type' must be \"descriptor\"");
  auto net = str("network_id");
  if (!net || !valid_network_id(*net)) return descriptor_error("'network_id' must be 1 to 64 of a-z, 0-9 and -");
  auto ed = str("ed25519");
  auto x = str("x25519");
  if (!ed || !is_lower_hex(*ed, 64)) return descriptor_error("'ed25519' must be 64 lowercase hex digits");
  if (!x || !is_lower_hex(*x, 64)) return descriptor_error("'x25519' must be 64 lowercase hex digits");
  auto ip = str("ip");
  if (!ip || !valid_ipv4(*ip)) return descriptor_error("'ip' must be a dotted IPv4 address");
  auto port = o.find("port_https");
  if (port == o.end() || !port->is_number_unsigned() || port->get<std::uint64_t>() < 1 || port->get<std::uint64_t>() > 65535)
    return descriptor_error("'port_https' must be an integer from 1 to 65535");
  auto sw = str("software");
  if (!sw || !valid_software(*sw)) return descriptor_error("'software' must be 1 to 32 of a-z, 0-9, '.' and '-'");
  auto pub = o.find("published");
  if (pub == o.end() || !pub->is_number_integer()) return descriptor_error("'published' must be an integer (unix ms)");

  SignedDescriptor s;
  Descriptor& d = s.descriptor;
  d.network_id = *net;
  d.ed25519 = *crypto::Ed25519Public::from_hex(*ed);
  d.x25519 = *crypto::X25519Public::from_hex(*x);
  d.ip = *ip;
  d.port_https = static_cast<std::uint16_t>(port->get<std::uint64_t>());
  d.software = *sw;
  d.published_ms = pub->get<std::int64_t>();
  s.signature = *base::from_hex_fixed<64>(sj->get_ref<const std::string&>());
  return s;
}

Result<void> check_descriptor(const SignedDescriptor& s, std::string_view network_id, std::optional<std::int64_t> now_ms) {
  const Descriptor& d = s.descriptor;
  if (d.network_id != network_id) return Error(Errc::WrongNetwork, "descriptor: for network '" + d.network_id + "', not this one");
  auto derived = crypto::to_x25519(d.ed25519);
  if (!derived || *derived != d.x25519) return Error(Errc::KeyMismatch, "descriptor: x25519 is not the conversion of ed25519");
  if (!crypto::verify(s.signature, as_bytes(signed_bytes(d)), d.ed25519))
    return Error(Errc::BadSignature, "descriptor: the signature does not verify");
  if (now_ms && (d.published_ms < *now_ms - kPublishedWindowMs || d.published_ms > *now_ms + kPublishedWindowMs))
    return Error(Errc::OutOfWindow, "descriptor: published more than an hour from now");
  return {};
}

Result<SignedDescriptor> parse_descriptor(std::string_view text, std::string_view network_id, std::optional<std::int64_t> now_ms) {
  if (text.size() > kMaxDescriptorJson) return descriptor_error("larger than 1 KiB");
  auto j = base::read_json(text, {kMaxDescriptorJson, 4, 64});
  if (!j) return descriptor_error(j.error().message());
  auto s = read_descriptor(*j);
  if (!s) return s;
  if (auto c = check_descriptor(*s, network_id, now_ms); !c) return std::move(c).error();
  return s;
}

}  // namespace sotto::directory
