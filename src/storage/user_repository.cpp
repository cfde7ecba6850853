#include "storage/user_repository.h"

#include "storage/limits.h"

namespace poise::storage {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, username, password_hash, is_active, must_change_password, created_at, "
    "updated_at FROM users ";

User toUser(const Row& r) {
  return User{.id = r.int64(0),
              .username = r.text(1),
              .password_hash = r.text(2),
              .is_active = r.int64(3) != 0,
              .must_change_password = r.int64(4) != 0,
              .created_at = r.time(5),
              .updated_at = r.time(6)};
}

Result<std::optional<User>> firstUser(Result<Rows> rows) {
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<User>{};
  return std::optional<User>{toUser(rows->front())};
}

}  // namespace

Result<User> UserRepository::create(std::string_view username, std::string_view password_hash,
                                    bool must_change_password) {
  if (username.empty()) return makeError(ErrorCode::InvalidArgument, "username must not be empty");
  if (username.size() > kMaxUsernameBytes) {
    return makeError(ErrorCode::InvalidArgument,
                     "username is longer than " + std::to_string(kMaxUsernameBytes) + " bytes");
  }
  const TimePoint now = clock_.now();
  auto id = db_.insert(
      "INSERT INTO users (username, password_hash, is_active, must_change_password, created_at, "
      "updated_at) VALUES (?, ?, 1, ?, ?, ?)",
      {std::string(username), std::string(password_hash),
       std::int64_t{must_change_password ? 1 : 0}, timestampValue(now), timestampValue(now)});
  if (!id) {
    if (id.error().code == ErrorCode::Conflict) {
      return makeError(ErrorCode::Conflict, "a user with this username already exists");
    }
    return id.error();
  }
  return User{.id = *id,
              .username = std::string(username),
              .password_hash = std::string(password_hash),
              .is_active = true,
              .must_change_password = must_change_password,
              .created_at = now,
              .updated_at = now};
}

Result<std::optional<User>> UserRepository::findByUsername(std::string_view username) {
  return firstUser(db_.query(std::string(kSelect) + "WHERE username = ?", {std::string(username)}));
}

Result<std::optional<User>> UserRepository::findById(std::int64_t id) {
  return firstUser(db_.query(std::string(kSelect) + "WHERE id = ?", {id}));
}

Result<std::vector<User>> UserRepository::list() {
  auto rows = db_.query(std::string(kSelect) + "ORDER BY id");
  if (!rows) return rows.error();
  std::vector<User> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(toUser(r));
  return out;
}

Status UserRepository::updatePassword(std::int64_t id, std::string_view password_hash,
                                      bool must_change_password) {
  auto changed = db_.execute(
      "UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?",
      {std::string(password_hash), std::int64_t{must_change_password ? 1 : 0},
       timestampValue(clock_.now()), id});
  if (!changed) return changed.error();
  if (*changed == 0) return makeError(ErrorCode::NotFound, "user not found");
  return {};
}

Result<std::int64_t> UserRepository::count() {
  auto rows = db_.query("SELECT COUNT(*) FROM users");
  if (!rows) return rows.error();
  return rows->front().int64(0);
}

}  // namespace poise::storage
