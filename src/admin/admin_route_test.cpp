#include "admin/admin_route.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <set>

#include "admin/admin_api.h"
#include "admin/admin_support.h"
#include "admin/statistics_routes.h"
#include "admin/token_bucket_routes.h"
#include "admin/usage_routes.h"
#include "storage/key_cipher.h"
#include "storage/session_repository.h"
#include "storage/test_database.h"
#include "storage/user_repository.h"

namespace poise::admin {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::field;
using boost::beast::http::verb;
using http::Access;

// A session store of three tokens: "good" for admin 7, "viewer" for viewer 8, "fresh" for
// admin 9, who must change their password first; counts the lookups.
struct FakeSessions {
  int lookups = 0;
  Error failure = makeError(ErrorCode::Unauthorized, "invalid or expired session");
  SessionLookup lookup() {
    return [this](const std::string& token) -> asio::awaitable<Result<storage::User>> {
      ++lookups;
      storage::User u;
      if (token == "good") {
        u.id = 7;
        u.username = "root";
      } else if (token == "viewer") {
        u.id = 8;
        u.username = "watcher";
        u.role = storage::Role::Viewer;
      } else if (token == "fresh") {
        u.id = 9;
        u.username = "newcomer";
        u.must_change_password = true;
      } else {
        co_return failure;
      }
      co_return u;
    };
  }
};

Admission runGate(const Gate& gate, const net::Request& req, const SessionLookup& lookup,
                  const net::ExchangeInfo& info = {}) {
  asio::io_context io;
  Admission out;
  asio::co_spawn(io, admit(gate, req, info, lookup), [&](std::exception_ptr e, Admission a) {
    if (e) std::rethrow_exception(e);
    out = std::move(a);
  });
  io.run();
  return out;
}

Admission run(Access access, Body body, const net::Request& req, const SessionLookup& lookup) {
  return runGate(Gate{.access = access, .body = body}, req, lookup);
}

net::Request post(std::string body = {}) {
  net::Request req{verb::post, "/api/v1/thing", 11};
  req.body() = std::move(body);
  return req;
}

net::Request withBearer(net::Request req, std::string_view token) {
  req.set(field::authorization, "Bearer " + std::string(token));
  return req;
}

net::Request withCookie(net::Request req, std::string_view token) {
  req.set(field::cookie, "theme=dark; poise_session=" + std::string(token));
  return req;
}

void expectRefused(const Admission& a, unsigned status, ErrorCode code) {
  ASSERT_TRUE(a.refusal) << "expected a " << status;
  EXPECT_EQ(a.refusal->status, status);
  EXPECT_EQ(a.refusal->error.code, code);
  EXPECT_FALSE(a.refusal->error.message.empty());
  EXPECT_FALSE(a.caller);
}

TEST(AdminRoute, AnyoneEntriesNeedNoCredential) {
  FakeSessions s;
  const auto a = run(Access::Anyone, Body::None, post(), s.lookup());
  EXPECT_FALSE(a.refusal);
  EXPECT_FALSE(a.caller);
  EXPECT_EQ(s.lookups, 0);
}

TEST(AdminRoute, SessionEntriesRefuseAMissingOrUnknownSession) {
  FakeSessions s;
  expectRefused(run(Access::Admin, Body::None, post(), s.lookup()), 401, ErrorCode::Unauthorized);
  EXPECT_EQ(s.lookups, 0) << "no credential, no lookup";
  expectRefused(run(Access::Admin, Body::None, withBearer(post(), "bad"), s.lookup()), 401,
                ErrorCode::Unauthorized);
  EXPECT_EQ(s.lookups, 1);
}

TEST(AdminRoute, ABearerSessionGivesTheCaller) {
  FakeSessions s;
  const auto a = run(Access::Admin, Body::None, withBearer(post(), "good"), s.lookup());
  ASSERT_FALSE(a.refusal);
  ASSERT_TRUE(a.caller);
  EXPECT_EQ(a.caller->user.id, 7);
  EXPECT_EQ(a.caller->token, "good");
}

TEST(AdminRoute, CookieSessionsNeedTheCsrfHeaderOnWritesOnly) {
  FakeSessions s;
  expectRefused(run(Access::Admin, Body::None, withCookie(post(), "good"), s.lookup()), 403,
                ErrorCode::Csrf);
  EXPECT_EQ(s.lookups, 0) << "refused before the session is looked up";

  net::Request get{verb::get, "/api/v1/thing", 11};
  EXPECT_TRUE(run(Access::Admin, Body::None, withCookie(get, "good"), s.lookup()).caller);

  auto marked = withCookie(post(), "good");
  marked.set("X-Poise-Request", "1");
  EXPECT_TRUE(run(Access::Admin, Body::None, marked, s.lookup()).caller);
  // A bearer token is not sent by browsers on their own: no header needed.
  EXPECT_TRUE(run(Access::Admin, Body::None, withBearer(post(), "good"), s.lookup()).caller);
}

TEST(AdminRoute, LookupFailuresKeepTheirStatus) {
  FakeSessions s;
  s.failure = makeError(ErrorCode::Busy, "the database is busy");
  expectRefused(run(Access::Admin, Body::None, withBearer(post(), "x"), s.lookup()), 503,
                ErrorCode::Busy);
  s.failure = makeError(ErrorCode::DbError, "connection lost");
  const auto a = run(Access::Admin, Body::None, withBearer(post(), "x"), s.lookup());
  expectRefused(a, 500, ErrorCode::DbError);
  // A 500 is answered without the internal message.
  const auto res = support::failureReply(a.refusal->error, "req-1", a.refusal->status);
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_EQ(res.body().find("connection lost"), std::string::npos);
}

TEST(AdminRoute, TheSessionIsCheckedBeforeTheBody) {
  FakeSessions s;
  expectRefused(run(Access::Admin, Body::Object, post("{nope"), s.lookup()), 401,
                ErrorCode::Unauthorized);
}

TEST(AdminRoute, DeclaredBodiesAreParsedOnce) {
  FakeSessions s;
  const auto obj = run(Access::Admin, Body::Object,
                       withBearer(post(R"({"keys_string":"a,b"})"), "good"), s.lookup());
  ASSERT_FALSE(obj.refusal);
  ASSERT_TRUE(obj.body);
  EXPECT_EQ(obj.body->as_object().at("keys_string").as_string(), "a,b");

  const auto arr = run(Access::Admin, Body::Json, withBearer(post("[1,2]"), "good"), s.lookup());
  ASSERT_TRUE(arr.body);
  EXPECT_TRUE(arr.body->is_array());

  // Bodies an entry does not take are not read.
  const auto none = run(Access::Admin, Body::None, withBearer(post("{nope"), "good"), s.lookup());
  EXPECT_FALSE(none.refusal);
  EXPECT_FALSE(none.body);
}

TEST(AdminRoute, BadBodiesAre422InTheAdminEnvelope) {
  FakeSessions s;
  for (const char* body : {"{nope", "", "[1]", "\"text\""}) {
    const auto a = run(Access::Admin, Body::Object, withBearer(post(body), "good"), s.lookup());
    expectRefused(a, 422, ErrorCode::ValidationError);
    const auto res = support::failureReply(a.refusal->error, "req-1", a.refusal->status);
    EXPECT_EQ(res.result_int(), 422u);
    const auto v = json::parse(res.body());
    EXPECT_EQ(v.as_object().size(), 2u) << res.body();
    EXPECT_EQ(v.at("code").as_string(), "validation_error");
    EXPECT_TRUE(v.at("detail").is_string());
  }
  // Any JSON value for Body::Json, but JSON it must be.
  expectRefused(run(Access::Anyone, Body::Json, post("[1,"), s.lookup()), 422,
                ErrorCode::ValidationError);
}

TEST(AdminRoute, ViewersReadButAdminEntriesRefuseThem) {
  FakeSessions s;
  net::Request get{verb::get, "/api/v1/thing", 11};
  const auto read = run(Access::Viewer, Body::None, withBearer(get, "viewer"), s.lookup());
  ASSERT_TRUE(read.caller);
  EXPECT_EQ(read.caller->user.role, storage::Role::Viewer);
  // Admin entries (every write, and reads such as a key's reveal) are not for viewers, whatever
  // the method.
  expectRefused(run(Access::Admin, Body::None, withBearer(get, "viewer"), s.lookup()), 403,
                ErrorCode::Forbidden);
  expectRefused(run(Access::Admin, Body::Object, withBearer(post("{}"), "viewer"), s.lookup()), 403,
                ErrorCode::Forbidden);
  EXPECT_TRUE(run(Access::Admin, Body::None, withBearer(post(), "good"), s.lookup()).caller);
  EXPECT_TRUE(run(Access::Viewer, Body::None, withBearer(get, "good"), s.lookup()).caller);
}

TEST(AdminRoute, APendingPasswordChangeOpensOnlyTheEntriesThatAllowIt) {
  FakeSessions s;
  net::Request get{verb::get, "/api/v1/thing", 11};
  expectRefused(run(Access::Viewer, Body::None, withBearer(get, "fresh"), s.lookup()), 403,
                ErrorCode::PasswordChangeRequired);
  expectRefused(run(Access::Admin, Body::None, withBearer(post(), "fresh"), s.lookup()), 403,
                ErrorCode::PasswordChangeRequired);
  const Gate open{.access = Access::Admin, .open_before_password_change = true};
  const auto a = runGate(open, withBearer(post(), "fresh"), s.lookup());
  ASSERT_TRUE(a.caller);
  EXPECT_EQ(a.caller->user.id, 9);
  // Users without a pending change pass either way.
  EXPECT_TRUE(runGate(open, withBearer(post(), "good"), s.lookup()).caller);
}

TEST(AdminRoute, OverHttpsOnlyTheHostPrefixedCookieCounts) {
  FakeSessions s;
  net::Request get{verb::get, "/api/v1/thing", 11};
  const Gate gate{.access = Access::Viewer};
  net::ExchangeInfo https;
  https.https = true;
  net::Request host_cookie = get;
  host_cookie.set(field::cookie, "theme=dark; __Host-poise_session=good");
  EXPECT_EQ(sessionCookieName(true), "__Host-poise_session");
  EXPECT_EQ(sessionCookieName(false), "poise_session");
  EXPECT_TRUE(runGate(gate, host_cookie, s.lookup(), https).caller);
  // The plain name is refused over HTTPS (it may have been planted), and the __Host- name over
  // plain HTTP.
  expectRefused(runGate(gate, withCookie(get, "good"), s.lookup(), https), 401,
                ErrorCode::Unauthorized);
  expectRefused(runGate(gate, host_cookie, s.lookup()), 401, ErrorCode::Unauthorized);
  EXPECT_TRUE(runGate(gate, withCookie(get, "good"), s.lookup()).caller);
}

// The real admin table, built as app.cpp builds it (less the key check routes, which need a
// running checker).
struct AdminTable {
  storage::TestDatabase t;
  ManualClock clock;
  storage::MasterKey master{};
  storage::KeyCipher cipher{master};
  storage::UserRepository users{t.db(), clock};
  storage::SessionRepository sessions{t.db()};
  storage::ApiKeyRepository keys{t.db(), cipher, clock};
  storage::ConfigRepository config{t.db(), clock};
  storage::AuditRepository audit{t.db()};
  storage::StatisticsRepository stats_repo{t.db()};
  storage::UsageAggregateRepository usage_repo{t.db()};
  storage::BucketOverrideRepository overrides{t.db()};
  keys::KeyPool pool{clock};
  config::RuntimeConfigStore runtime;
  BlockingPool blocking{1};
  auth::HashingPool hashing{auth::HashingPoolOptions{.threads = 1, .queue = 1}};
  auth::SessionService session_service{users, sessions, clock, auth::SessionOptions{}};
  auth::UserAccounts accounts{users, sessions};
  AdminApi admin{AdminDeps{.blocking = blocking,
                           .hashing = hashing,
                           .sessions = session_service,
                           .keys = keys,
                           .config = config,
                           .audit = audit,
                           .pool = pool,
                           .runtime = runtime,
                           .clock = clock,
                           .accounts = &accounts}};
  http::Router router;

  AdminTable() {
    admin.registerRoutes(router);
    registerTokenBucketRoutes(router, admin, overrides);
    registerStatisticsRoutes(router, admin,
                             StatisticsDeps{blocking, stats_repo, usage_repo, clock});
    registerUsageRoutes(router, admin, UsageDeps{blocking, usage_repo, clock});
  }
};

// Every entry is listed with a summary, only login is open to anyone, and no method and path is
// registered twice. The user routes are there.
TEST(AdminRoute, TheAdminTableListsItself) {
  AdminTable table;
  const auto list = table.router.list();
  EXPECT_GE(list.size(), 30u);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& e : list) {
    EXPECT_TRUE(e.pattern.starts_with("/api/v1/")) << e.pattern;
    EXPECT_FALSE(e.summary.empty()) << e.method << " " << e.pattern;
    EXPECT_FALSE(e.prefix);
    // Reads are open to viewers and writes to admins, unless an entry says otherwise (login is
    // open to anyone; a key's reveal is for admins only).
    Access expected = e.method == "GET" ? Access::Viewer : Access::Admin;
    if (e.pattern == "/api/v1/login") expected = Access::Anyone;
    if (e.pattern == "/api/v1/api_keys/{id}/reveal") expected = Access::Admin;
    // Every signed-in user, viewers too, may log out and change their own password.
    if (e.pattern == "/api/v1/logout" || e.pattern == "/api/v1/users/change-password") {
      expected = Access::Viewer;
    }
    EXPECT_EQ(e.access, expected) << e.method << " " << e.pattern;
    EXPECT_TRUE(seen.emplace(e.method, e.pattern).second) << e.method << " " << e.pattern;
  }
  EXPECT_TRUE(seen.contains({"DELETE", "/api/v1/api_keys/bulk-delete"}));
  EXPECT_TRUE(seen.contains({"POST", "/api/v1/token-bucket/test-selection"}));
  EXPECT_TRUE(seen.contains({"GET", "/api/v1/usage/keys/{id}"}));
  for (const auto& [method, pattern] :
       {std::pair{"GET", "/api/v1/users"}, std::pair{"POST", "/api/v1/users"},
        std::pair{"GET", "/api/v1/users/{id}"}, std::pair{"PUT", "/api/v1/users/{id}"},
        std::pair{"DELETE", "/api/v1/users/{id}"},
        std::pair{"POST", "/api/v1/users/{id}/reset-password"}}) {
    EXPECT_TRUE(seen.contains({method, pattern})) << method << " " << pattern;
  }
}

// Literal paths reach their own entries, not the {id} ones beside them (the Router takes the
// first registered match), with or without a trailing slash.
TEST(AdminRoute, LiteralPathsAreNotSwallowedByTheIdEntries) {
  AdminTable table;
  const http::Router& router = table.router;
  for (const auto& [method, path] : {std::pair{verb::delete_, "/api/v1/api_keys/bulk-delete"},
                                     std::pair{verb::get, "/api/v1/api_keys/paginated/"},
                                     std::pair{verb::get, "/api/v1/api_keys/statistics/keys"},
                                     std::pair{verb::get, "/api/v1/api_keys/statistics/survival"},
                                     std::pair{verb::get, "/api/v1/api_keys/statistics/survival/"},
                                     std::pair{verb::get, "/api/v1/api_keys/statistics/calls"},
                                     std::pair{verb::get, "/api/v1/api_keys/statistics/calls/"},
                                     std::pair{verb::get, "/api/v1/token-bucket/api-keys/status"},
                                     std::pair{verb::get, "/api/v1/users/me"},
                                     std::pair{verb::post, "/api/v1/users/change-password"}}) {
    auto m = router.match(method, path);
    ASSERT_TRUE(m.route) << path;
    EXPECT_TRUE(m.params.values.empty()) << path << " went to " << m.route->pattern;
  }
  // The id entries still work beside them.
  auto by_id = router.match(verb::get, "/api/v1/api_keys/42");
  ASSERT_TRUE(by_id.handler);
  EXPECT_EQ(by_id.params.get("id"), "42");
  EXPECT_TRUE(router.match(verb::post, "/api/v1/api_keys/statistics/calls").method_not_allowed);
}

}  // namespace
}  // namespace poise::admin
