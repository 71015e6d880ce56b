// Account ID parsing: never crashes; a parsed ID prints back as the (lower-cased) input.
#include "crypto/account_id.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto id = sotto::crypto::AccountId::parse(text);
  if (id) {
    std::string lower(text);
    for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    FUZZ_CHECK(id->hex() == lower);
    FUZZ_CHECK(sotto::crypto::AccountId::parse(id->hex()).has_value());
  } else {
    FUZZ_CHECK(!id.error().message().empty());
  }
  return 0;
}
