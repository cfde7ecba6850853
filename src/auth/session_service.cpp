#include "auth/session_service.h"

#include <cassert>
#include <utility>

#include "auth/password_hasher.h"
#include "auth/password_policy.h"

namespace poise::auth {

LoginAttempt::LoginAttempt(LoginAttempt&& other) noexcept
    : throttle_(std::exchange(other.throttle_, nullptr)),
      keys_(std::move(other.keys_)),
      locked_(other.locked_),
      retry_after_(other.retry_after_),
      known_user_(other.known_user_),
      started_lock_(other.started_lock_) {}

LoginAttempt::~LoginAttempt() {
  // Never checked (refused by the hashing queue, or a storage error): free the slot only.
  if (throttle_ != nullptr)
    throttle_->finish(keys_, LoginThrottle::Outcome::Abandoned, TimePoint{});
}

void LoginAttempt::finish(LoginThrottle::Outcome outcome, TimePoint now) {
  if (throttle_ == nullptr) return;
  started_lock_ = throttle_->finish(keys_, outcome, now);
  throttle_ = nullptr;
}

SessionService::SessionService(storage::UserRepository& users, storage::SessionRepository& sessions,
                               const Clock& clock, SessionOptions options)
    : users_(users),
      sessions_(sessions),
      clock_(clock),
      options_(options),
      throttle_(options.throttle) {}

LoginAttempt SessionService::beginLogin(std::string_view username, std::string_view ip) {
  LoginAttempt a;
  a.keys_ = {"u:" + std::string(username), "ip:" + std::string(ip)};
  const auto d = throttle_.begin(a.keys_, clock_.now());
  if (d.admitted) {
    a.throttle_ = &throttle_;
  } else {
    a.locked_ = d.locked;
    // Whole seconds, rounded up, so a client that waits exactly this long is let in.
    a.retry_after_ =
        std::max(std::chrono::ceil<std::chrono::seconds>(d.retry_after), std::chrono::seconds(1));
  }
  return a;
}

Result<LoginResult> SessionService::login(LoginAttempt& attempt, std::string_view password,
                                          std::string_view user_agent) {
  assert(attempt.admitted());
  const std::string_view username = std::string_view(attempt.keys_[0]).substr(2);
  const std::string_view ip = std::string_view(attempt.keys_[1]).substr(3);
  auto found = users_.findByUsername(username);
  if (!found) return found.error();  // the attempt is dropped uncounted
  attempt.known_user_ = found->has_value();
  const bool verified = *found ? verifyPassword((**found).password_hash, password)
                               : (burnVerificationTime(password), false);
  const TimePoint now = clock_.now();
  if (!verified) {
    attempt.finish(LoginThrottle::Outcome::Failed, now);
    return makeError(ErrorCode::InvalidCredentials, "Incorrect username or password");
  }
  const storage::User& user = **found;
  // The right password for a disabled user: neither a failed guess nor a success.
  if (!user.is_active) return makeError(ErrorCode::Inactive, "this user is disabled");
  attempt.finish(LoginThrottle::Outcome::Succeeded, now);
  LoginResult out{generateToken(), user};
  storage::Session s;
  s.token_hash = hashToken(out.token);
  s.user_id = user.id;
  s.created_at = now;
  s.last_seen_at = now;
  s.expires_at = now + std::chrono::duration_cast<Millis>(options_.idle_ttl);
  s.absolute_expires_at = now + std::chrono::duration_cast<Millis>(options_.absolute_ttl);
  s.ip = std::string(ip);
  s.user_agent = std::string(user_agent.substr(0, 256));
  auto created = sessions_.create(std::move(s));
  if (!created) return created.error();
  return out;
}

Result<storage::User> SessionService::authenticate(std::string_view token) {
  if (token.empty() || token.size() > 256)
    return makeError(ErrorCode::Unauthorized, "Not authenticated");
  const TimePoint now = clock_.now();
  const std::string hash = hashToken(token);
  auto found = sessions_.findByTokenHash(hash);
  if (!found) return found.error();
  if (!*found || (*found)->expires_at <= now || (*found)->absolute_expires_at <= now) {
    return makeError(ErrorCode::Unauthorized, "Invalid authentication credentials");
  }
  auto user = users_.findById((*found)->user_id);
  if (!user) return user.error();
  if (!*user || !(*user)->is_active) {
    return makeError(ErrorCode::Unauthorized, "Invalid authentication credentials");
  }
  // Slide the expiry, at most once a minute per session to keep writes rare.
  if (now - (*found)->last_seen_at > std::chrono::minutes(1)) {
    auto next = std::min(now + std::chrono::duration_cast<Millis>(options_.idle_ttl),
                         (*found)->absolute_expires_at);
    // Best effort: the session is valid now; a failed slide only means it expires on the old
    // schedule, and the next request tries again.
    (void)sessions_.touch(hash, now, next);
  }
  return std::move(**user);
}

Status SessionService::logout(std::string_view token) {
  auto r = sessions_.revoke(hashToken(token));
  if (!r) return r.error();
  return {};
}

Status SessionService::changePassword(std::int64_t user_id, std::string_view current_token,
                                      std::string_view current_password,
                                      std::string_view new_password) {
  auto user = users_.findById(user_id);
  if (!user) return user.error();
  if (!*user) return makeError(ErrorCode::NotFound, "User not found");
  if (auto st = checkNewPassword(new_password, (*user)->username); !st) return st;
  if (!verifyPassword((*user)->password_hash, current_password)) {
    return makeError(ErrorCode::InvalidCredentials, "Current password is incorrect");
  }
  auto hash = hashPassword(new_password);
  if (!hash) return hash.error();
  if (auto st = users_.updatePassword(user_id, *hash, false); !st) return st;
  auto revoked = sessions_.revokeAllForUser(user_id, hashToken(current_token));
  if (!revoked) return revoked.error();
  return {};
}

}  // namespace poise::auth
