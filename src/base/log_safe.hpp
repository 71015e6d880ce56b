#pragma once
// What may reach a log is declared by type (libsignal's LogSafeDisplay idea). A type is
// log-safe when it has `std::string to_log() const`, or is a number or bool. Loggers
// accept only LogSafe arguments, so a key, a plaintext or a full account ID cannot be
// logged by accident: wrap it in Redacted or ShortId first.

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace sotto::base {

template <class T>
concept LogSafe = std::is_arithmetic_v<std::remove_cvref_t<T>> || requires(const T& t) {
  { t.to_log() } -> std::convertible_to<std::string>;
};

// Never shows the value, only that there was one (and its size, when it has one).
template <class T>
class Redacted {
 public:
  explicit Redacted(const T& v) : v_(&v) {}
  std::string to_log() const {
    if constexpr (requires { v_->size(); }) return "[redacted " + std::to_string(v_->size()) + " bytes]";
    return "[redacted]";
  }

 private:
  const T* v_;
};

// Shows only the first 8 characters of an identifier (e.g. an account ID's "05" and the
// next 6 hex digits): enough to tell accounts apart in one log, too little to name one.
class ShortId {
 public:
  explicit ShortId(std::string_view id) : id_(id.substr(0, kShown)) , cut_(id.size() > kShown) {}
  std::string to_log() const { return cut_ ? id_ + "…" : id_; }
  static constexpr std::size_t kShown = 8;

 private:
  std::string id_;
  bool cut_;
};

// A string known to hold no secret (a constant, an error token, a method name).
class Plain {
 public:
  explicit Plain(std::string_view s) : s_(s) {}
  std::string to_log() const { return s_; }

 private:
  std::string s_;
};

template <LogSafe T>
std::string to_log(const T& v) {
  if constexpr (std::is_same_v<std::remove_cvref_t<T>, bool>) return v ? "true" : "false";
  else if constexpr (std::is_arithmetic_v<std::remove_cvref_t<T>>) return std::to_string(v);
  else return v.to_log();
}

}  // namespace sotto::base
