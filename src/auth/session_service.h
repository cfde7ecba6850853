// SessionService: admin logins and sessions. Tokens are 256-bit random, stored only as SHA-256
// hashes, with a sliding expiry (ACCESS_TOKEN_EXPIRE_MINUTES) and an absolute cap. beginLogin()
// only takes a mutex and may run on any thread; every other method blocks (database, argon2id):
// run login() and changePassword() on the HashingPool, the rest on the BlockingPool. Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <string>

#include "auth/login_throttle.h"
#include "core/clock.h"
#include "core/result.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"

namespace poise::auth {

struct SessionOptions {
  std::chrono::minutes idle_ttl{60};
  std::chrono::hours absolute_ttl{24};
  // Login throttle, per username and per IP.
  ThrottleOptions throttle;
};

struct LoginResult {
  std::string token;  // shown to the client once
  storage::User user;
};

// One login attempt's place in the throttle. An admitted attempt holds a slot for its username
// and its IP until login() ends it; an attempt dropped before that frees the slot and counts
// nothing. Move-only; used by one request at a time.
class LoginAttempt {
 public:
  LoginAttempt(LoginAttempt&& other) noexcept;
  LoginAttempt& operator=(LoginAttempt&&) = delete;
  ~LoginAttempt();

  bool admitted() const { return throttle_ != nullptr; }
  // When refused: true for a lock (too many failures), false when every slot is in use.
  bool locked() const { return locked_; }
  // When refused: whole seconds until the client may try again (at least 1).
  std::chrono::seconds retryAfter() const { return retry_after_; }
  // After login(): whether the username named an existing user.
  bool knownUser() const { return known_user_; }
  // After login(): whether this failure started a lock on the username or the IP.
  bool startedLock() const { return started_lock_; }

 private:
  friend class SessionService;
  LoginAttempt() = default;
  void finish(LoginThrottle::Outcome outcome, TimePoint now);

  LoginThrottle* throttle_ = nullptr;  // set while a slot is held
  std::array<std::string, 2> keys_;    // "u:<username>", "ip:<address>"
  bool locked_ = false;
  std::chrono::seconds retry_after_{0};
  bool known_user_ = false;
  bool started_lock_ = false;
};

class SessionService {
 public:
  SessionService(storage::UserRepository& users, storage::SessionRepository& sessions,
                 const Clock& clock, SessionOptions options);

  // Takes a throttle slot for this username and IP, before any password is checked. Does not
  // block or touch the database.
  LoginAttempt beginLogin(std::string_view username, std::string_view ip);
  // Checks the password of an admitted attempt and ends it. Errors: "invalid_credentials",
  // "inactive", or a storage error (which counts as no attempt).
  Result<LoginResult> login(LoginAttempt& attempt, std::string_view password,
                            std::string_view user_agent);
  // The user behind a token, sliding its expiry. Error "unauthorized" when unknown or expired.
  Result<storage::User> authenticate(std::string_view token);
  Status logout(std::string_view token);
  // Checks the current password and the new one against the password policy, stores the new
  // hash, and revokes the user's other sessions. Errors: "weak_password", "invalid_credentials".
  Status changePassword(std::int64_t user_id, std::string_view current_token,
                        std::string_view current_password, std::string_view new_password);

 private:
  storage::UserRepository& users_;
  storage::SessionRepository& sessions_;
  const Clock& clock_;
  SessionOptions options_;
  LoginThrottle throttle_;
};

}  // namespace poise::auth
