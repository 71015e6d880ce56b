// base::read_json (the reader of every JSON from outside) against nlohmann::json::parse on
// the same bytes, up to a MiB of input: within the limits both accept or both refuse and
// give the same document; past the depth or value limit read_json refuses with that
// limit's error, and never recurses (a MiB of nesting is the seed).
#include <string_view>

#include "base/errc.hpp"
#include "base/json.hpp"
#include "fuzz_check.hpp"
#include "json_depth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using nlohmann::json;
  using sotto::base::Errc;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr sotto::base::JsonLimits limits{1 << 20, 16, 4096};
  auto mine = sotto::base::read_json(text, limits);
  json theirs = json::parse(text.begin(), text.end(), nullptr, false);
  if (theirs.is_discarded()) {
    // nlohmann stops at a NUL byte after a value and takes what came before it.
    if (mine) FUZZ_CHECK(text.find('\0') != std::string_view::npos);
    return 0;
  }
  std::size_t depth = json_depth(theirs);
  if (depth > limits.max_depth) {
    FUZZ_CHECK(!mine);
    FUZZ_CHECK(mine.error().is(Errc::TooDeep) || mine.error().is(Errc::TooLarge));
    return 0;
  }
  if (!mine) {
    FUZZ_CHECK(mine.error().is(Errc::TooLarge) || (mine.error().is(Errc::BadJson) && text.find('\0') != std::string_view::npos));
    return 0;
  }
  FUZZ_CHECK(*mine == theirs);
  return 0;
}
