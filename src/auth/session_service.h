// SessionService: admin logins and sessions. Tokens are 256-bit random, stored only as SHA-256
// hashes, with a sliding expiry (ACCESS_TOKEN_EXPIRE_MINUTES) and an absolute cap. Every method
// blocks (database, argon2id): call it on the BlockingPool. Thread-safe; the login throttle
// state is guarded by a mutex.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"

namespace poise::auth {

struct SessionOptions {
  std::chrono::minutes idle_ttl{60};
  std::chrono::hours absolute_ttl{24};
  // Login throttle: after `free_failures` failures for a username or an IP, each further failure
  // doubles a lock starting at `base_lock`, up to `max_lock`. A success clears the counter.
  int free_failures = 5;
  std::chrono::seconds base_lock{2};
  std::chrono::seconds max_lock{900};
};

struct LoginResult {
  std::string token;  // shown to the client once
  storage::User user;
};

class SessionService {
 public:
  SessionService(storage::UserRepository& users, storage::SessionRepository& sessions,
                 const Clock& clock, SessionOptions options);

  // Errors: "locked" (throttled; message says for how long), "invalid_credentials", "inactive".
  Result<LoginResult> login(std::string_view username, std::string_view password,
                            std::string_view ip, std::string_view user_agent);
  // The user behind a token, sliding its expiry. Error "unauthorized" when unknown or expired.
  Result<storage::User> authenticate(std::string_view token);
  Status logout(std::string_view token);
  // Checks the current password, stores the new hash, and revokes the user's other sessions.
  Status changePassword(std::int64_t user_id, std::string_view current_token,
                        std::string_view current_password, std::string_view new_password);

 private:
  struct Failures {
    int count = 0;
    TimePoint locked_until;
  };
  std::optional<TimePoint> lockedUntil(const std::string& key, TimePoint now);
  void recordFailure(const std::string& key, TimePoint now);

  storage::UserRepository& users_;
  storage::SessionRepository& sessions_;
  const Clock& clock_;
  SessionOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Failures> failures_;
};

}  // namespace poise::auth
