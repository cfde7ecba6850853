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

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;  // argon2id string; never logged
  bool is_active = true;
  bool must_change_password = false;
  TimePoint created_at;
  TimePoint updated_at;
};

class UserRepository {
 public:
  UserRepository(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Error "conflict" when the username is taken, "invalid_argument" when it is empty.
  Result<User> create(std::string_view username, std::string_view password_hash,
                      bool must_change_password);
  Result<std::optional<User>> findByUsername(std::string_view username);
  Result<std::optional<User>> findById(std::int64_t id);
  // Every user, by id.
  Result<std::vector<User>> list();
  // Error "not_found" when no such user.
  Status updatePassword(std::int64_t id, std::string_view password_hash,
                        bool must_change_password = false);
  Result<std::int64_t> count();

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace poise::storage
