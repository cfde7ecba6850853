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
