#include "admin/statistics_routes.h"

#include <gtest/gtest.h>

#include "storage/key_cipher.h"
#include "storage/session_repository.h"
#include "storage/test_database.h"
#include "storage/user_repository.h"

namespace poise::admin {
namespace {

using boost::beast::http::verb;

// The real route table, built as app.cpp builds it: the statistics paths must reach their own
// handlers, not /api/v1/api_keys/{id}… (the Router takes the first registered match).
TEST(StatisticsRoutes, AreNotSwallowedByTheKeyIdRoutes) {
  storage::TestDatabase t;
  ManualClock clock;
  storage::MasterKey master{};
  storage::KeyCipher cipher(master);
  storage::UserRepository users(t.db(), clock);
  storage::SessionRepository sessions(t.db());
  storage::ApiKeyRepository keys(t.db(), cipher, clock);
  storage::ConfigRepository config(t.db(), clock);
  storage::AuditRepository audit(t.db());
  storage::StatisticsRepository stats_repo(t.db());
  keys::KeyPool pool(clock);
  config::RuntimeConfigStore runtime;
  stats::CallCounters counters;
  BlockingPool blocking(1);
  auth::HashingPool hashing(auth::HashingPoolOptions{.threads = 1, .queue = 1});
  auth::SessionService session_service(users, sessions, clock, auth::SessionOptions{});
  AdminApi admin(
      AdminDeps{blocking, hashing, session_service, keys, config, audit, pool, runtime, clock});

  http::Router router;
  admin.registerRoutes(router);
  registerStatisticsRoutes(router, admin, StatisticsDeps{blocking, stats_repo, counters, clock});

  for (const char* path :
       {"/api/v1/api_keys/statistics/survival", "/api/v1/api_keys/statistics/survival/",
        "/api/v1/api_keys/statistics/calls", "/api/v1/api_keys/statistics/calls/"}) {
    auto m = router.match(verb::get, path);
    ASSERT_TRUE(m.handler) << path;
    EXPECT_TRUE(m.params.values.empty()) << path << " went to a route with parameters";
  }
  // The id routes still work beside them.
  auto by_id = router.match(verb::get, "/api/v1/api_keys/42");
  ASSERT_TRUE(by_id.handler);
  EXPECT_EQ(by_id.params.get("id"), "42");
  EXPECT_TRUE(router.match(verb::post, "/api/v1/api_keys/statistics/calls").method_not_allowed);
}

}  // namespace
}  // namespace poise::admin
