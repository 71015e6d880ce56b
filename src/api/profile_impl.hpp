#pragma once
// Internal to src/api: what a public Profile holds, and what Messenger shares with it.

#include <memory>
#include <string>

#include "api/failure.hpp"
#include "client/local_store.hpp"
#include "client/profile.hpp"
#include "sotto/profile.hpp"

namespace sotto {

struct Profile::Impl {
  explicit Impl(const std::string& dir) : profile(dir), dir_text(dir) {}
  client::Profile profile;
  std::string dir_text;
  std::unique_ptr<client::LocalStore> store;  // opened on first use (it needs an account)
  client::LocalStore* borrowed = nullptr;     // a Messenger's, when the Profile is its

  // The profile's local database (NoAccount without an account).
  Result<client::LocalStore*> local();
};

namespace api {

inline constexpr const char* kAutoBackupSetting = "backup.auto_minutes";
inline constexpr std::int64_t kAutoBackupDefaultMinutes = 30;

Message message_of(const client::StoredMessage& m);

}  // namespace api
}  // namespace sotto
