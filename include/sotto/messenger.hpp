#pragma once
// libsotto: a private 1:1 messenger over one profile (docs/client.md, "Messaging").
//
// Public API. It uses only the standard library: nothing of sotto's internals, asio,
// SQLite or libsodium shows through. A Messenger is blocking and not thread-safe; open one
// per thread (two on the same profile, say a listener and a sender, work side by side).
//
//   sotto::OpenOptions o;
//   o.profile_dir = dir;                 // made by `sotto init`
//   o.network_json = "network.json";     // once; kept in the profile
//   auto m = sotto::Messenger::open(o);
//   if (!m) { std::cerr << m.failure().message << "\n"; return 1; }
//   auto sent = (*m)->send("bob", "hello");      // an account ID or a contact's nickname
//   auto in = (*m)->receive(25);                  // waits up to 25 s for messages

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sotto {

// What went wrong: a stable token for programs (e.g. "unknown_contact", "bad_account_id",
// "unreachable", "no_path", "no_network", "refused") and a sentence for people.
struct Failure {
  std::string code;
  std::string message;
};

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

 private:
  std::variant<T, Failure> v_;
};

struct Delivery {
  std::int64_t id = 0;          // the message's id in the profile
  std::string hash;             // its storage hash
  int confirmations = 0;        // swarm members whose signed receipt verified
  int swarm_size = 0;
  std::int64_t timestamp_ms = 0;
};

struct Message {
  std::int64_t id = 0;
  std::string peer;             // the other account's ID
  bool outgoing = false;
  std::string body;
  std::int64_t timestamp_ms = 0;  // the sender's
  std::string hash;
  std::string state;            // "sending", "sent", "failed" (outgoing) or "received"
  int confirmations = 0, swarm_size = 0;  // outgoing
  std::optional<std::int64_t> expires_ms;  // a disappearing message: deleted after this
};

struct Contact {
  std::string account_id;
  std::string nickname;
  bool blocked = false;
};

struct OpenOptions {
  std::string profile_dir;                // made by `sotto init` / `sotto restore`
  std::optional<std::string> passphrase;  // when the key file is encrypted
  std::string network_json;               // a network.json to use (kept in the profile); empty: the one kept
  bool onion = true;                      // false: straight to the nodes (they see this address)
};

class Messenger {
 public:
  static Outcome<std::unique_ptr<Messenger>> open(const OpenOptions& options);
  ~Messenger();
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  std::string account_id() const;

  // `to`: an account ID (05 + 64 hex) or a contact's nickname. Stored in the recipient's
  // swarm through an onion path; fails unless a member confirmed with a signed receipt
  // (the message then stays in the profile as failed: retry(id) sends it again).
  Outcome<Delivery> send(const std::string& to, const std::string& text, std::uint32_t disappear_after_s = 0);
  Outcome<Delivery> retry(std::int64_t id);
  // Waits up to `wait_s` (0-25) for messages; returns those new to this profile, already
  // kept in it, oldest first.
  Outcome<std::vector<Message>> receive(int wait_s);
  // The last `limit` messages with `peer` (account ID or nickname), oldest first.
  Outcome<std::vector<Message>> history(const std::string& peer, std::size_t limit);

  Outcome<std::vector<Contact>> contacts();
  Outcome<Contact> add_contact(const std::string& account_id, const std::string& nickname);
  Outcome<Contact> set_blocked(const std::string& peer, bool blocked);
  Outcome<Contact> remove_contact(const std::string& peer);

 private:
  struct Impl;
  explicit Messenger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto
