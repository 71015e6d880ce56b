#pragma once
// libsotto's results: a value, or a Failure that says what went wrong, with a stable token
// for programs and a sentence for people. Public API: standard library types only.

#include <string>
#include <utility>
#include <variant>

namespace sotto {

// What went wrong: a stable token (e.g. "unknown_contact", "bad_account_id", "unreachable",
// "no_path", "no_network", "refused", "connect_failed", "timeout") and a sentence for
// people (it never holds a key, a passphrase or a message's text; it may quote what the
// program passed in, such as an account ID or a nickname that names no contact).
struct Failure {
  std::string code;
  std::string message;
};

// The value of a call that has none.
struct Ok {};

// A value or a Failure.
template <class T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Outcome(Failure failure) : v_(std::move(failure)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Failure& failure() const { return std::get<1>(v_); }
  // value() and failure() on the wrong side throw std::bad_variant_access: test first.

 private:
  std::variant<T, Failure> v_;
};

}  // namespace sotto
