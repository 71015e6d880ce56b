#include "base/json.hpp"

#include <optional>
#include <string>
#include <vector>

#include "base/errc.hpp"

namespace sotto::base {

namespace {

using nlohmann::json;

// nlohmann's SAX interface, building the document as json_sax_dom_parser does, with the
// limits checked at each value: parsing stops (returns false) at the first one past them.
class BoundedDom {
 public:
  BoundedDom(json& root, const JsonLimits& limits) : root_(root), limits_(limits) {}

  bool null() { return add(json(nullptr)) != nullptr; }
  bool boolean(bool v) { return add(json(v)) != nullptr; }
  bool number_integer(json::number_integer_t v) { return add(json(v)) != nullptr; }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)) != nullptr; }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)) != nullptr; }
  bool string(json::string_t& v) { return add(json(std::move(v))) != nullptr; }
  bool binary(json::binary_t&) { return fail(Errc::BadJson, "binary values are not JSON"); }
  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool key(json::string_t& k) {
    next_member_ = &(*stack_.back())[std::move(k)];  // a repeated key: the last one wins, as nlohmann keeps it
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    return fail(Errc::BadJson, "not valid JSON (at byte " + std::to_string(position) + ")");
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  json* add(json v) {
    if (++values_ > limits_.max_values) {
      fail(Errc::TooLarge, "more than " + std::to_string(limits_.max_values) + " JSON values");
      return nullptr;
    }
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.get_ref<json::array_t&>().push_back(std::move(v));
      return &top.get_ref<json::array_t&>().back();
    }
    *next_member_ = std::move(v);
    return next_member_;
  }
  bool open(json::value_t kind) {
    if (stack_.size() >= limits_.max_depth)
      return fail(Errc::TooDeep, "JSON nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    json* v = add(json(kind));
    if (!v) return false;
    stack_.push_back(v);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  bool fail(Errc code, std::string why) {
    if (!error_) error_ = Error(code, std::move(why));
    return false;
  }

  json& root_;
  const JsonLimits& limits_;
  std::vector<json*> stack_;  // the open arrays and objects, innermost last
  json* next_member_ = nullptr;
  std::size_t values_ = 0;
  std::optional<Error> error_;
};

}  // namespace

Result<json> read_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Error(Errc::TooLarge, "JSON text of more than " + std::to_string(limits.max_bytes) + " bytes");
  json root;
  BoundedDom sax(root, limits);
  bool ok = json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json, /*strict=*/true);
  if (sax.error()) return *sax.error();
  if (!ok) return Error(Errc::BadJson, "not valid JSON");
  return root;
}

Result<json> read_json_object(std::string_view text, const JsonLimits& limits) {
  auto j = read_json(text, limits);
  if (j && !j->is_object()) return Error(Errc::BadJson, "not a JSON object");
  return j;
}

}  // namespace sotto::base
