// AdminApi: the /api/v1 handlers (SPEC §1.3, the seed's paths and shapes). Thin: authenticate,
// validate, call a repository on the BlockingPool, keep the in-memory KeyPool and runtime config
// in step, audit, and map errors to {"detail","code"} with a real status. Handlers run on worker
// threads; every dependency is thread-safe.
#pragma once

#include <filesystem>

#include "auth/hashing_pool.h"
#include "auth/session_service.h"
#include "config/runtime_config.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/router.h"
#include "keys/key_pool.h"
#include "stats/call_counters.h"
#include "storage/api_key_repository.h"
#include "storage/audit_repository.h"
#include "storage/config_repository.h"

namespace poise::admin {

struct AdminDeps {
  BlockingPool& blocking;
  auth::HashingPool& hashing;  // logins and password changes (argon2id), bounded
  auth::SessionService& sessions;
  storage::ApiKeyRepository& keys;
  storage::ConfigRepository& config;
  storage::AuditRepository& audit;
  keys::KeyPool& pool;
  config::RuntimeConfigStore& runtime;
  const Clock& clock;
  int session_minutes = 60;
  const stats::CallCounters* calls = nullptr;  // per-key 24 h figures in the key detail
  std::filesystem::path data_dir;  // holds initial-admin-password; empty: none to remove
  config::ListenAddress listen;    // the gateway's own address, refused as target_api_url
};

class AdminApi {
 public:
  explicit AdminApi(AdminDeps deps) : d_(deps) {}
  void registerRoutes(http::Router& router);

  // Answers an /api/ path no route matched: 401 without a valid session (so the surface is not
  // probed anonymously), else 404 or 405.
  boost::asio::awaitable<void> unmatched(net::HttpExchange& ex, bool method_not_allowed);

  // Re-reads the config table into the runtime store (start-up and after writes).
  Status reloadConfig();

  // For the feature route files (token_bucket_routes.cpp, …) as much as for registerRoutes.
  struct Caller {
    storage::User user;
    std::string token;
  };
  // Authenticates the caller (Bearer token, or the session cookie plus the CSRF header). On
  // failure it answers 401/403 and returns nullopt.
  boost::asio::awaitable<std::optional<Caller>> requireAdmin(net::HttpExchange& ex);
  // Appends an audit entry off the request path (on the blocking pool).
  void audit(const Caller& c, net::HttpExchange& ex, std::string action, std::string target,
             std::string detail);
  // Validates, stores and applies config entries (as POST /config/bulk-save), audited. A secret
  // sent back in the masked form GET shows is left unchanged. On a bad value it answers 422 and
  // returns false.
  boost::asio::awaitable<bool> saveConfig(net::HttpExchange& ex, const Caller& caller,
                                          std::vector<storage::ConfigEntry> entries);
  const AdminDeps& deps() const { return d_; }

 private:
  AdminDeps d_;
};

}  // namespace poise::admin
