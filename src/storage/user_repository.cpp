#include "storage/user_repository.h"

#include "storage/limits.h"

namespace poise::storage {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, username, password_hash, is_active, must_change_password, created_at, "
    "updated_at, role FROM users ";

User toUser(const Row& r) {
  return User{.id = r.int64(0),
              .username = r.text(1),
              .password_hash = r.text(2),
              .is_active = r.int64(3) != 0,
              .must_change_password = r.int64(4) != 0,
              // The column's CHECK admits only the two names; anything else reads as the lesser.
              .role = parseRole(r.text(7)).value_or(Role::Viewer),
              .created_at = r.time(5),
              .updated_at = r.time(6)};
}

Error userNotFound() {
  return makeError(ErrorCode::NotFound, "user not found");
}

// Inside a write transaction: the user `id`, or "not_found".
Result<User> userIn(Connection& c, std::int64_t id) {
  auto rows = c.query(std::string(kSelect) + "WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return userNotFound();
  return toUser(rows->front());
}

// Inside a write transaction: refuses with "last_admin" when `user` is the only active admin.
// Database::transaction serialises writers on every dialect (SQLite's BEGIN IMMEDIATE, an
// advisory lock on PostgreSQL, GET_LOCK on MySQL), so a concurrent transaction removing another
// admin runs wholly before or after this one and sees its outcome.
Status keepsAnAdmin(Connection& c, const User& user) {
  auto rows = c.query("SELECT id FROM users WHERE role = 'admin' AND is_active = 1");
  if (!rows) return rows.error();
  for (const Row& r : *rows) {
    if (r.int64(0) != user.id) return {};
  }
  return makeError(ErrorCode::LastAdmin, "at least one active admin must remain");
}

Result<std::optional<User>> firstUser(Result<Rows> rows) {
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<User>{};
  return std::optional<User>{toUser(rows->front())};
}

}  // namespace

std::string_view toString(Role role) {
  switch (role) {
    case Role::Admin:
      return "admin";
    case Role::Viewer:
      return "viewer";
  }
  return "viewer";
}

std::optional<Role> parseRole(std::string_view text) {
  if (text == "admin") return Role::Admin;
  if (text == "viewer") return Role::Viewer;
  return std::nullopt;
}

Result<User> UserRepository::create(std::string_view username, std::string_view password_hash,
                                    bool must_change_password, Role role) {
  if (username.empty()) return makeError(ErrorCode::InvalidArgument, "username must not be empty");
  if (username.size() > kMaxUsernameBytes) {
    return makeError(ErrorCode::InvalidArgument,
                     "username is longer than " + std::to_string(kMaxUsernameBytes) + " bytes");
  }
  const TimePoint now = clock_.now();
  auto id = db_.insert(
      "INSERT INTO users (username, password_hash, is_active, must_change_password, role, "
      "created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?)",
      {std::string(username), std::string(password_hash),
       std::int64_t{must_change_password ? 1 : 0}, std::string(toString(role)), timestampValue(now),
       timestampValue(now)});
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
              .role = role,
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
  if (*changed == 0) return userNotFound();
  return {};
}

Result<std::int64_t> UserRepository::count() {
  auto rows = db_.query("SELECT COUNT(*) FROM users");
  if (!rows) return rows.error();
  return rows->front().int64(0);
}

Result<std::int64_t> UserRepository::countActiveAdmins() {
  auto rows = db_.query("SELECT COUNT(*) FROM users WHERE role = 'admin' AND is_active = 1");
  if (!rows) return rows.error();
  return rows->front().int64(0);
}

Result<User> UserRepository::update(std::int64_t id, const UserChange& change) {
  User out;
  const TimePoint now = clock_.now();
  auto st = db_.transaction([&](Connection& c) -> Status {
    auto user = userIn(c, id);
    if (!user) return user.error();
    User next = *user;
    if (change.role) next.role = *change.role;
    if (change.is_active) next.is_active = *change.is_active;
    if (user->isActiveAdmin() && !next.isActiveAdmin()) {
      if (auto kept = keepsAnAdmin(c, *user); !kept) return kept;
    }
    next.updated_at = now;
    auto written =
        c.execute("UPDATE users SET role = ?, is_active = ?, updated_at = ? WHERE id = ?",
                  {std::string(toString(next.role)), std::int64_t{next.is_active ? 1 : 0},
                   timestampValue(now), id});
    if (!written) return written.error();
    out = std::move(next);
    return {};
  });
  if (!st) return st.error();
  return out;
}

Status UserRepository::remove(std::int64_t id) {
  return db_.transaction([&](Connection& c) -> Status {
    auto user = userIn(c, id);
    if (!user) return user.error();
    if (user->isActiveAdmin()) {
      if (auto kept = keepsAnAdmin(c, *user); !kept) return kept;
    }
    auto removed = c.execute("DELETE FROM users WHERE id = ?", {id});
    if (!removed) return removed.error();
    return {};
  });
}

}  // namespace poise::storage
