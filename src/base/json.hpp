#pragma once
// Reading JSON that came from outside this process (a request, a reply, a document a peer
// or another program wrote): bounded in size, nesting depth and number of values while it
// is read, so that a hostile text can neither overflow the stack (nlohmann's copy, dump
// and comparison recurse into nested values) nor build a document far larger than its
// limits allow. Every parse of untrusted JSON goes through read_json; the reader stops
// at the first value past a limit, before the document grows further.
//
// Include it in .cpp files only: it brings in nlohmann/json.hpp. Thread-safe.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/result.hpp"

namespace sotto::base {

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;
  // Arrays and objects nested in one another; the top-level value is at depth 1, so
  // {"a": [1]} has depth 2. Scalars add no depth.
  std::size_t max_depth = 16;
  // Values of every kind (scalars, arrays, objects; object keys do not count).
  std::size_t max_values = std::size_t{1} << 20;
};

// The document, or: TooLarge (text over max_bytes, or more than max_values values),
// TooDeep (nested deeper than max_depth), BadJson (not JSON: nlohmann's grammar, RFC 8259
// with UTF-8 checked). The sentence names the limit, never the input.
Result<nlohmann::json> read_json(std::string_view text, const JsonLimits& limits);
// The same for a document that must be a JSON object (BadJson otherwise).
Result<nlohmann::json> read_json_object(std::string_view text, const JsonLimits& limits);

}  // namespace sotto::base
