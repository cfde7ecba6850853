// UserAccounts: an admin's management of console users (SPEC §1.3 /api/v1/users, §4): creating
// one with a given or generated password, changing a role or the active flag, deleting, and
// resetting a password. The rules that guard access live here: the password policy, no admin
// disabling or deleting their own account, at least one active admin (UserRepository enforces it
// atomically), and a user's sessions revoked when they are disabled or their password is reset.
// Every method blocks (database, argon2id): run create() and resetPassword() on the HashingPool,
// the rest on the BlockingPool. Thread-safe as far as the repositories are; holds no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"

namespace poise::auth {

struct NewUser {
  std::string username;
  std::optional<std::string> password;  // none: one is generated and must be changed at login
  storage::Role role = storage::Role::Viewer;
};

struct CreatedUser {
  storage::User user;
  std::optional<std::string> generated_password;  // shown to the admin once
};

class UserAccounts {
 public:
  UserAccounts(storage::UserRepository& users, storage::SessionRepository& sessions)
      : users_(users), sessions_(sessions) {}

  // Errors: "validation_error" (a blank username, control characters or surrounding spaces),
  // "invalid_argument" (too long), "weak_password", "conflict" (the username is taken).
  Result<CreatedUser> create(const NewUser& request);
  Result<std::vector<storage::User>> list();
  // Error "not_found" when no such user.
  Result<storage::User> find(std::int64_t id);
  // Applies `change` by the admin `actor_id`. Disabling revokes the user's sessions. Errors:
  // "own_account" (an admin disabling themself), "last_admin", "not_found".
  Result<storage::User> update(std::int64_t actor_id, std::int64_t id,
                               const storage::UserChange& change);
  // Errors: "own_account" (an admin deleting themself), "last_admin", "not_found".
  Status remove(std::int64_t actor_id, std::int64_t id);
  // Replaces the password with a generated one the user must change at their next login, and
  // revokes all their sessions. Returns the new password (shown once). Error "not_found".
  Result<std::string> resetPassword(std::int64_t id);

 private:
  storage::UserRepository& users_;
  storage::SessionRepository& sessions_;
};

// Refuses (code "validation_error") an empty username, one with control characters, or one
// with leading or trailing spaces. Pure; thread-safe.
Status checkUsername(std::string_view username);

}  // namespace poise::auth
