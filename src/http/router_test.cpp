#include "http/router.h"

#include <gtest/gtest.h>

namespace poise::http {
namespace {

using boost::beast::http::verb;

Handler noop() {
  return [](net::HttpExchange&, const RouteParams&) -> boost::asio::awaitable<void> { co_return; };
}

TEST(Router, MatchesParamsAndIgnoresTrailingSlash) {
  Router r;
  r.add(verb::get, "/api/v1/api_keys/{id}", noop());
  r.add(verb::get, "/api/v1/api_keys/paginated", noop());
  auto m = r.match(verb::get, "/api/v1/api_keys/42/");
  ASSERT_TRUE(m.handler);
  EXPECT_EQ(m.params.get("id"), "42");
  // Registration order decides between a literal and a parameter.
  auto p = r.match(verb::get, "/api/v1/api_keys/paginated");
  ASSERT_TRUE(p.handler);
  EXPECT_EQ(p.params.get("id"), "paginated");
}

TEST(Router, ALiteralRouteAddedAfterAParameterRouteStillMatches) {
  // The admin routes register GET/PUT/DELETE /api_keys/{id} before the key check routes.
  Router r;
  r.add(verb::get, "/api/v1/api_keys/{id}", noop());
  r.add(verb::put, "/api/v1/api_keys/{id}", noop());
  r.add(verb::delete_, "/api/v1/api_keys/{id}", noop());
  r.add(verb::post, "/api/v1/api_keys/bulk-check", noop());
  r.add(verb::get, "/api/v1/api_keys/bulk-check/{task_id}/status", noop());
  r.add(verb::post, "/api/v1/api_keys/check/{id}", noop());
  auto bulk = r.match(verb::post, "/api/v1/api_keys/bulk-check/");
  ASSERT_TRUE(bulk.handler);
  EXPECT_TRUE(bulk.params.values.empty()) << "the literal route, not {id}";
  EXPECT_EQ(bulk.handler, r.match(verb::post, "/api/v1/api_keys/bulk-check").handler);
  auto status = r.match(verb::get, "/api/v1/api_keys/bulk-check/abc/status");
  ASSERT_TRUE(status.handler);
  EXPECT_EQ(status.params.get("task_id"), "abc");
  auto check = r.match(verb::post, "/api/v1/api_keys/check/7");
  ASSERT_TRUE(check.handler);
  EXPECT_EQ(check.params.get("id"), "7");
  auto get = r.match(verb::get, "/api/v1/api_keys/7");
  ASSERT_TRUE(get.handler);
  EXPECT_EQ(get.params.get("id"), "7");
  EXPECT_NE(get.handler, bulk.handler);
}

TEST(Router, ReportsMethodNotAllowed) {
  Router r;
  r.add(verb::post, "/api/v1/login", noop());
  auto m = r.match(verb::get, "/api/v1/login");
  EXPECT_FALSE(m.handler);
  EXPECT_TRUE(m.method_not_allowed);
  EXPECT_FALSE(r.match(verb::get, "/nope").method_not_allowed);
}

TEST(Router, PrefixRoutesTakeAnyMethod) {
  Router r;
  r.addPrefix("/v1beta/", noop());
  EXPECT_TRUE(r.match(verb::delete_, "/v1beta/models/x:generateContent").handler);
  EXPECT_FALSE(r.match(verb::get, "/v1betax").handler);
}

}  // namespace
}  // namespace poise::http
