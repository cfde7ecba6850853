// UserRepository: console accounts (table users). A plain class over a Database: every method
// blocks (run it on the BlockingPool) and writes in one short transaction. Thread-safe as far as
// the Database is; holds no state of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

// What a console user may do: an admin everything, a viewer only read (no key reveal).
enum class Role { Admin, Viewer };

// "admin" or "viewer": the stored and wire form.
std::string_view toString(Role role);
// nullopt for anything but "admin" and "viewer".
std::optional<Role> parseRole(std::string_view text);

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;  // argon2id string; never logged
  bool is_active = true;
  bool must_change_password = false;
  Role role = Role::Admin;
  TimePoint created_at;
  TimePoint updated_at;

  // Active and an admin: one of those that must never all go.
  bool isActiveAdmin() const { return is_active && role == Role::Admin; }
};

// A change to a user's role or active flag; an unset field is left as it is.
struct UserChange {
  std::optional<Role> role;
  std::optional<bool> is_active;
};

class UserRepository {
 public:
  UserRepository(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Error "conflict" when the username is taken, "invalid_argument" when it is empty.
  Result<User> create(std::string_view username, std::string_view password_hash,
                      bool must_change_password, Role role = Role::Admin);
  Result<std::optional<User>> findByUsername(std::string_view username);
  Result<std::optional<User>> findById(std::int64_t id);
  // Every user, by id.
  Result<std::vector<User>> list();
  // Error "not_found" when no such user.
  Status updatePassword(std::int64_t id, std::string_view password_hash,
                        bool must_change_password = false);
  Result<std::int64_t> count();
  // Active users with the admin role.
  Result<std::int64_t> countActiveAdmins();
  // Applies `change` and returns the user as it is now. Refuses, in the same write transaction
  // that would write it, a change that leaves no active admin (error "last_admin"); write
  // transactions are serialised, so two concurrent demotions cannot both pass. Error
  // "not_found" when no such user.
  Result<User> update(std::int64_t id, const UserChange& change);
  // Deletes the user (their sessions go with them), under the same last-admin rule as update().
  // Error "not_found" when no such user.
  Status remove(std::int64_t id);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace poise::storage
