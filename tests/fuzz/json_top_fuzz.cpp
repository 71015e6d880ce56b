// base::JsonTop against nlohmann::json on the same bytes: both accept or both refuse, and
// every top-level member reads the same (kind, decoded string, boolean, unsigned value);
// the one allowed difference is the NUL byte that json_top.hpp describes.
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/json_top.hpp"
#include "fuzz_check.hpp"
#include "json_depth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sotto::base::JsonTop;
  using sotto::base::JsonValue;
  using nlohmann::json;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto mine = JsonTop::parse(text);
  json theirs = json::parse(text.begin(), text.end(), nullptr, false);
  bool they_accept = !theirs.is_discarded() && theirs.is_object();
  if (!mine && they_accept) {
    // The one difference (json_top.hpp): nlohmann ends the text at a NUL byte after the
    // object. Then the text before that NUL must read the same.
    auto nul = text.find('\0');
    FUZZ_CHECK(nul != std::string_view::npos);
    text = text.substr(0, nul);
    mine = JsonTop::parse(text);
  }
  FUZZ_CHECK(mine.has_value() == they_accept);
  if (!mine) return 0;
  FUZZ_CHECK(mine->size() >= theirs.size());
  for (auto it = theirs.begin(); it != theirs.end(); ++it) {
    const JsonValue* v = mine->find(it.key());
    FUZZ_CHECK(v != nullptr);
    const json& t = it.value();
    switch (v->kind) {
      case JsonValue::Kind::String: FUZZ_CHECK(t.is_string() && t.get<std::string>() == v->str()); break;
      case JsonValue::Kind::Number:
        FUZZ_CHECK(t.is_number());
        FUZZ_CHECK(v->unsigned_value.has_value() == t.is_number_unsigned());
        if (v->unsigned_value) FUZZ_CHECK(*v->unsigned_value == t.get<std::uint64_t>());
        break;
      case JsonValue::Kind::Bool: FUZZ_CHECK(t.is_boolean() && t.get<bool>() == v->boolean); break;
      case JsonValue::Kind::Null: FUZZ_CHECK(t.is_null()); break;
      case JsonValue::Kind::Object:
        FUZZ_CHECK(t.is_object());
        if (json_depth(t) <= 256) FUZZ_CHECK(json::parse(v->raw) == t);  // == recurses
        break;
      case JsonValue::Kind::Array:
        FUZZ_CHECK(t.is_array());
        if (json_depth(t) <= 256) FUZZ_CHECK(json::parse(v->raw) == t);  // == recurses
        break;
    }
  }
  return 0;
}
