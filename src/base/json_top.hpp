#pragma once
// The top level of one JSON object, read without building a document: each member's key
// and value, strings decoded. For hot paths that read a few fields of a small object (the
// JSON of every onion layer a node peels).
//
// The whole text is checked as strictly as nlohmann::json::parse checks it (RFC 8259:
// UTF-8 with no overlong forms or surrogates, no control characters in strings, \u
// escapes with paired surrogates, the number grammar, numbers that overflow a double
// refused, an optional UTF-8 byte order mark, nothing after the object), so a text is
// accepted here exactly when nlohmann accepts it as an object, with one exception: nlohmann
// stops at a NUL byte outside a string and ignores what follows, where this refuses it.
// The fuzz target json_top compares the two on every input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sotto::base {

struct JsonValue {
  enum class Kind : std::uint8_t { String, Number, Bool, Null, Object, Array };
  Kind kind = Kind::Null;
  std::string_view raw;  // the value as written in the input (a string with its quotes)
  bool boolean = false;  // Bool
  // Number: its value when written as digits alone (no sign, fraction or exponent) that
  // fit 64 bits, which is what nlohmann calls number_unsigned.
  std::optional<std::uint64_t> unsigned_value;

  // String: the decoded text (a view into the input when it has no escapes).
  std::string_view str() const { return escaped_ ? std::string_view(decoded_) : raw.substr(1, raw.size() - 2); }
  bool is_string() const { return kind == Kind::String; }

 private:
  friend struct JsonReader;
  bool escaped_ = false;
  std::string decoded_;
};

class JsonTop {
 public:
  // Nothing unless `text` is exactly one JSON object, with whitespace around it allowed.
  // Views in the result point into `text`.
  static std::optional<JsonTop> parse(std::string_view text);

  // The member with this (decoded) key; of repeated keys the last, as nlohmann keeps.
  const JsonValue* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  std::size_t size() const { return members_.size(); }
  // Every member in the order written (a repeated key as many times as it appears).
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

 private:
  std::vector<std::pair<std::string, JsonValue>> members_;
};

}  // namespace sotto::base
