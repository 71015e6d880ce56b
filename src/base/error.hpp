#pragma once
// Error values shared by every layer. Each module defines its own `enum class Errc`
// and hooks it into std::error_code with SOTTO_DEFINE_ERRC, so codes pass up through
// the layers without one giant shared enum. An Error carries such a code plus a short
// human-readable detail sentence; the detail must be log-safe (no keys, plaintext or
// full account IDs).

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

namespace sotto {

class Error {
 public:
  Error() = default;
  Error(std::error_code code, std::string detail = {})
      : code_(code), detail_(std::move(detail)) {}
  template <class E>
    requires std::is_error_code_enum_v<E>
  Error(E e, std::string detail = {})  // NOLINT(google-explicit-constructor)
      : code_(make_error_code(e)), detail_(std::move(detail)) {}

  const std::error_code& code() const { return code_; }
  // A stable snake_case token for scripts and tests, e.g. "bad_checksum".
  std::string token() const { return code_.message(); }
  // The detail sentence, or the token when there is none.
  const std::string& detail() const { return detail_; }
  std::string message() const { return detail_.empty() ? token() : detail_; }

  template <class E>
    requires std::is_error_code_enum_v<E>
  bool is(E e) const {
    return code_ == make_error_code(e);
  }

 private:
  std::error_code code_;
  std::string detail_;
};

namespace detail {
// One std::error_category per Errc enum; `tokens` maps each enumerator to its token.
template <class E>
struct ErrcCategory final : std::error_category {
  const char* name_;
  std::string (*token_)(E);
  ErrcCategory(const char* n, std::string (*t)(E)) : name_(n), token_(t) {}
  const char* name() const noexcept override { return name_; }
  std::string message(int c) const override { return token_(static_cast<E>(c)); }
};
}  // namespace detail

}  // namespace sotto

// Declares make_error_code for `Enum` (inside the enum's namespace) and its category.
// The .cpp of the module defines `std::string to_token(Enum)`.
#define SOTTO_DECLARE_ERRC(Enum)                              \
  std::string to_token(Enum e);                               \
  const std::error_category& errc_category(Enum);             \
  inline std::error_code make_error_code(Enum e) {            \
    return {static_cast<int>(e), errc_category(e)};           \
  }

// Defines the category (in the enum's namespace, in one .cpp).
#define SOTTO_DEFINE_ERRC(Enum, name_str)                                 \
  const std::error_category& errc_category(Enum) {                        \
    static const ::sotto::detail::ErrcCategory<Enum> cat(name_str, &to_token); \
    return cat;                                                           \
  }

// Registers `Enum` with std::is_error_code_enum (at global namespace scope).
#define SOTTO_REGISTER_ERRC(Enum) \
  template <>                     \
  struct std::is_error_code_enum<Enum> : std::true_type {};
