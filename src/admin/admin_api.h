// AdminApi: the /api/v1 surface (SPEC §1.3, the seed's paths and shapes). It holds what the
// feature route files share (dependencies, the session lookup, audit, config saving) and adds
// their entries to the Router through the one admin wrapper (admin_route.h), which
// authenticates, parses and answers refusals once. Handlers run on worker threads; every
// dependency is thread-safe and must outlive the router.
#pragma once

#include <filesystem>
#include <functional>

#include "admin/admin_route.h"
#include "auth/hashing_pool.h"
#include "auth/session_service.h"
#include "auth/user_accounts.h"
#include "config/runtime_config.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/router.h"
#include "keys/key_pool.h"
#include "stats/call_counters.h"
#include "storage/api_key_repository.h"
#include "storage/audit_repository.h"
#include "storage/config_repository.h"
#include "storage/request_log_repository.h"

namespace poise::admin {

// What a reload of the key pool from the database found.
struct PoolReload {
  std::size_t keys = 0;
  std::size_t undecryptable = 0;  // stored keys whose value does not decrypt (marked error)
};
// Reloads the key pool from the database the way start-up loads it. Blocking: call it on the
// BlockingPool.
using PoolReloader = std::function<Result<PoolReload>()>;

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
  std::filesystem::path data_dir;          // holds initial-admin-password; empty: none to remove
  config::ListenAddress listen;            // the gateway's own address, refused as target_api_url
  auth::UserAccounts* accounts = nullptr;  // the /users routes; registerRoutes needs it
  PoolReloader reload_pool;                // api_keys/cache/*; empty: those routes answer 503
  storage::RequestLogRepository* request_logs = nullptr;  // the /logs routes; none when null
};

class AdminApi {
 public:
  explicit AdminApi(AdminDeps deps) : d_(deps) {}

  // Adds the session, user, key, key bulk, config and audit routes (the token bucket, statistics
  // and key check routes have their own register functions).
  void registerRoutes(http::Router& router);
  // Adds one entry through the admin wrapper.
  void add(http::Router& router, AdminRoute route);

  // Answers an /api/ path no route matched: 401 without a valid session (so the surface is not
  // probed anonymously), else 404 or 405. Suspends.
  boost::asio::awaitable<void> unmatched(net::HttpExchange& ex, bool method_not_allowed);

  // Re-reads the config table into the runtime store (start-up and after writes).
  Status reloadConfig();

  // Appends an audit entry by the caller of `rq` off the request path (on the blocking pool).
  void audit(const AdminRequest& rq, std::string action, std::string target, std::string detail);
  // Appends `e` as it is off the request path; a failed write is logged, never fatal to the
  // request it records.
  void appendAudit(storage::AuditEntry e);
  // Validates, stores and applies config entries (as POST /config/bulk-save), audited. A secret
  // sent back in the masked form GET shows is left unchanged. nullopt when saved; else the
  // refusal to send (422 for a bad value). Suspends.
  // `action` names the audit entry.
  boost::asio::awaitable<std::optional<net::Response>> saveConfig(
      const AdminRequest& rq, std::vector<storage::ConfigEntry> entries,
      std::string action = "config.update");

  const AdminDeps& deps() const { return d_; }

 private:
  // Session tokens looked up on the BlockingPool.
  SessionLookup sessionLookup();

  AdminDeps d_;
};

}  // namespace poise::admin
