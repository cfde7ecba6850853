#include "http/router.h"

#include <gtest/gtest.h>

namespace poise::http {
namespace {

using boost::beast::http::verb;

Handler noop() {
  return [](net::HttpExchange&, const RouteParams&,
            RequestRecord&) -> boost::asio::awaitable<void> { co_return; };
}

net::Request request(verb method, std::string target) {
  net::Request req{method, target, 11};
  return req;
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

TEST(Router, TheFirstRegisteredMatchWinsWhateverItsKind) {
  Router r;
  r.add(verb::get, "/v1/models", noop());
  r.addPrefix("/v1/", noop());
  EXPECT_EQ(r.match(verb::get, "/v1/models").route->prefix, false);
  EXPECT_EQ(r.match(verb::get, "/v1/other").route->prefix, true);
}

// The native Gemini dispatch as entries: a prefix with a predicate on the request, ahead of the
// OpenAI-compatible /v1/models entries.
TEST(Router, PrefixEntriesWithAPredicateTakeOnlyTheRequestsItAccepts) {
  Router r;
  auto native = [](const net::Request& req, std::string_view path) {
    const bool method_suffix = path.find(':', path.rfind('/')) != std::string_view::npos;
    return method_suffix || !req["x-goog-api-key"].empty();
  };
  r.add(Route{.pattern = "/v1/",
              .access = Access::GatewayToken,
              .summary = "native Gemini",
              .handler = noop(),
              .prefix = true,
              .when = native});
  r.add(Route{.method = verb::get,
              .pattern = "/v1/models",
              .access = Access::GatewayToken,
              .summary = "OpenAI models",
              .handler = noop()});

  auto call = request(verb::post, "/v1/models/gemini-pro:generateContent?alt=sse");
  auto m = r.match(call);
  ASSERT_TRUE(m.handler);
  EXPECT_EQ(m.route->summary, "native Gemini");

  auto openai = request(verb::get, "/v1/models");
  EXPECT_EQ(r.match(openai).route->summary, "OpenAI models");
  auto google = request(verb::get, "/v1/models");
  google.set("x-goog-api-key", "k");
  EXPECT_EQ(r.match(google).route->summary, "native Gemini");

  // A predicate that says no is not a method mismatch.
  auto post = request(verb::post, "/v1/other");
  auto none = r.match(post);
  EXPECT_FALSE(none.handler);
  EXPECT_FALSE(none.method_not_allowed);
  // Without the request, entries with a predicate never match.
  EXPECT_EQ(r.match(verb::post, "/v1/models/x:generateContent").handler, nullptr);
}

TEST(Router, MatchingARequestReadsThePathWithoutTheQuery) {
  Router r;
  r.add(verb::get, "/api/v1/api_keys/{id}", noop());
  auto req = request(verb::get, "/api/v1/api_keys/9?x=1");
  auto m = r.match(req);
  ASSERT_TRUE(m.handler);
  EXPECT_EQ(m.params.get("id"), "9");
  EXPECT_TRUE(r.match(request(verb::delete_, "/api/v1/api_keys/9?x=1")).method_not_allowed);
}

TEST(Router, ListsEveryEntryInOrder) {
  Router r;
  r.add(Route{.method = verb::post,
              .pattern = "/api/v1/login",
              .access = Access::Anyone,
              .summary = "Log in",
              .handler = noop()});
  r.add(Route{.method = verb::get,
              .pattern = "/api/v1/api_keys/{id}",
              .access = Access::Viewer,
              .summary = "One key",
              .handler = noop()});
  r.add(Route{.pattern = "/v1beta/",
              .access = Access::GatewayToken,
              .summary = "native Gemini",
              .handler = noop(),
              .prefix = true,
              .when = [](const net::Request&, std::string_view) { return true; }});
  const auto list = r.list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].method, "POST");
  EXPECT_EQ(list[0].pattern, "/api/v1/login");
  EXPECT_EQ(list[0].access, Access::Anyone);
  EXPECT_EQ(list[0].summary, "Log in");
  EXPECT_FALSE(list[0].prefix);
  EXPECT_EQ(list[1].method, "GET");
  EXPECT_EQ(list[1].access, Access::Viewer);
  EXPECT_EQ(list[2].method, "*");
  EXPECT_TRUE(list[2].prefix);
  EXPECT_TRUE(list[2].conditional);
  EXPECT_EQ(toString(list[2].access), "gateway_token");
}

}  // namespace
}  // namespace poise::http
