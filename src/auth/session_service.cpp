#include "auth/session_service.h"

#include "auth/password_hasher.h"

namespace poise::auth {

SessionService::SessionService(storage::UserRepository& users, storage::SessionRepository& sessions,
                               const Clock& clock, SessionOptions options)
    : users_(users), sessions_(sessions), clock_(clock), options_(options) {}

std::optional<TimePoint> SessionService::lockedUntil(const std::string& key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end() || it->second.locked_until <= now) return std::nullopt;
  return it->second.locked_until;
}

void SessionService::recordFailure(const std::string& key, TimePoint now) {
  std::lock_guard lock(mu_);
  if (failures_.size() > 100'000) failures_.clear();  // bound memory under a spray of names
  auto& f = failures_[key];
  f.count += 1;
  if (f.count > options_.free_failures) {
    const int doublings = std::min(f.count - options_.free_failures - 1, 20);
    auto lock_for = options_.base_lock * (1LL << doublings);
    if (lock_for > options_.max_lock) lock_for = options_.max_lock;
    f.locked_until = now + std::chrono::duration_cast<Millis>(lock_for);
  }
}

Result<LoginResult> SessionService::login(std::string_view username, std::string_view password,
                                          std::string_view ip, std::string_view user_agent) {
  const TimePoint now = clock_.now();
  const std::string user_key = "u:" + std::string(username);
  const std::string ip_key = "ip:" + std::string(ip);
  for (const auto& key : {user_key, ip_key}) {
    if (auto until = lockedUntil(key, now)) {
      const auto secs = std::chrono::duration_cast<std::chrono::seconds>(*until - now).count() + 1;
      return makeError("locked",
                       "too many failed logins; try again in " + std::to_string(secs) + " seconds");
    }
  }
  auto found = users_.findByUsername(username);
  if (!found) return found.error();
  if (!*found) {
    burnVerificationTime(password);
    recordFailure(user_key, now);
    recordFailure(ip_key, now);
    return makeError("invalid_credentials", "Incorrect username or password");
  }
  const storage::User& user = **found;
  if (!verifyPassword(user.password_hash, password)) {
    recordFailure(user_key, now);
    recordFailure(ip_key, now);
    return makeError("invalid_credentials", "Incorrect username or password");
  }
  if (!user.is_active) return makeError("inactive", "this user is disabled");
  {
    std::lock_guard lock(mu_);
    failures_.erase(user_key);
    failures_.erase(ip_key);
  }
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
  if (token.empty() || token.size() > 256) return makeError("unauthorized", "Not authenticated");
  const TimePoint now = clock_.now();
  const std::string hash = hashToken(token);
  auto found = sessions_.findByTokenHash(hash);
  if (!found) return found.error();
  if (!*found || (*found)->expires_at <= now || (*found)->absolute_expires_at <= now) {
    return makeError("unauthorized", "Invalid authentication credentials");
  }
  auto user = users_.findById((*found)->user_id);
  if (!user) return user.error();
  if (!*user || !(*user)->is_active) {
    return makeError("unauthorized", "Invalid authentication credentials");
  }
  // Slide the expiry, at most once a minute per session to keep writes rare.
  if (now - (*found)->last_seen_at > std::chrono::minutes(1)) {
    auto next = std::min(now + std::chrono::duration_cast<Millis>(options_.idle_ttl),
                         (*found)->absolute_expires_at);
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
  if (new_password.size() < 8) {
    return makeError("weak_password", "the new password must have at least 8 characters");
  }
  if (new_password.size() > 256) {
    return makeError("weak_password", "the new password must have at most 256 characters");
  }
  auto user = users_.findById(user_id);
  if (!user) return user.error();
  if (!*user) return makeError("not_found", "User not found");
  if (!verifyPassword((*user)->password_hash, current_password)) {
    return makeError("invalid_credentials", "Current password is incorrect");
  }
  auto hash = hashPassword(new_password);
  if (!hash) return hash.error();
  if (auto st = users_.updatePassword(user_id, *hash, false); !st) return st;
  auto revoked = sessions_.revokeAllForUser(user_id, hashToken(current_token));
  if (!revoked) return revoked.error();
  return {};
}

}  // namespace poise::auth
