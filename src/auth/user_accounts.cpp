#include "auth/user_accounts.h"

#include "auth/password_hasher.h"
#include "auth/password_policy.h"

namespace poise::auth {

namespace {

Error ownAccount(std::string_view what) {
  return makeError(ErrorCode::OwnAccount, "an admin cannot " + std::string(what) +
                                              " their own account; ask another admin");
}

}  // namespace

Status checkUsername(std::string_view username) {
  if (username.empty()) return makeError(ErrorCode::ValidationError, "username must not be empty");
  for (const char c : username) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return makeError(ErrorCode::ValidationError, "username must not contain control characters");
    }
  }
  if (username.front() == ' ' || username.back() == ' ') {
    return makeError(ErrorCode::ValidationError, "username must not start or end with a space");
  }
  return {};
}

Result<CreatedUser> UserAccounts::create(const NewUser& request) {
  if (auto st = checkUsername(request.username); !st) return st.error();
  CreatedUser out;
  std::string password;
  if (request.password) {
    if (auto st = checkNewPassword(*request.password, request.username); !st) return st.error();
    password = *request.password;
  } else {
    password = generatePassword();
    out.generated_password = password;
  }
  auto hash = hashPassword(password);
  if (!hash) return hash.error();
  auto created = users_.create(request.username, *hash, !request.password, request.role);
  if (!created) return created.error();
  out.user = std::move(*created);
  return out;
}

Result<std::vector<storage::User>> UserAccounts::list() {
  return users_.list();
}

Result<storage::User> UserAccounts::find(std::int64_t id) {
  auto user = users_.findById(id);
  if (!user) return user.error();
  if (!*user) return makeError(ErrorCode::NotFound, "user not found");
  return std::move(**user);
}

Result<storage::User> UserAccounts::update(std::int64_t actor_id, std::int64_t id,
                                           const storage::UserChange& change) {
  if (id == actor_id && change.is_active == false) return ownAccount("disable");
  auto updated = users_.update(id, change);
  if (!updated) return updated.error();
  if (!updated->is_active) {
    auto revoked = sessions_.revokeAllForUser(id);
    if (!revoked) return revoked.error();
  }
  return updated;
}

Status UserAccounts::remove(std::int64_t actor_id, std::int64_t id) {
  if (id == actor_id) return ownAccount("delete");
  // The sessions go with the row (ON DELETE CASCADE).
  return users_.remove(id);
}

Result<std::string> UserAccounts::resetPassword(std::int64_t id) {
  std::string password = generatePassword();
  auto hash = hashPassword(password);
  if (!hash) return hash.error();
  if (auto st = users_.updatePassword(id, *hash, true); !st) return st.error();
  auto revoked = sessions_.revokeAllForUser(id);
  if (!revoked) return revoked.error();
  return password;
}

}  // namespace poise::auth
