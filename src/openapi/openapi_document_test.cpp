#include "openapi/openapi_document.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "openapi/operation_docs.h"

namespace poise::openapi {
namespace {

namespace json = boost::json;
using http::Access;
using http::RouteInfo;

constexpr std::string_view kBase = R"({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "components": {"responses": {"AdminUnauthorized": {"description": "x"}}}})";

RouteInfo route(std::string method, std::string pattern, Access access, bool prefix = false) {
  return RouteInfo{.method = std::move(method),
                   .pattern = std::move(pattern),
                   .prefix = prefix,
                   .access = access,
                   .summary = "the summary"};
}

const json::object& op(const Document& d, std::string_view path, std::string_view method) {
  return d.json.at("paths").at(path).at(method).as_object();
}

TEST(OpenApiDocument, JoinsTableAndDocs) {
  const std::vector<RouteInfo> routes = {
      route("GET", "/api/v1/things/{id}", Access::Viewer),
      route("POST", "/api/v1/things", Access::Admin),
      route("*", "/v1beta/", Access::GatewayToken, true),
      route("GET", "/health", Access::Anyone),
  };
  const OperationDoc docs[] = {
      {.method = "GET", .pattern = "/api/v1/things/{id}", .operation = R"({"tags": ["t"]})"},
      {.method = "POST",
       .pattern = "/api/v1/things",
       .operation =
           R"({"requestBody": {"content": {}}, "responses": {"201": {"description": "x"}}})"},
      {.method = "*",
       .pattern = "/v1beta/",
       .operation = R"({"get": {"summary": "own"}, "post": {}})"},
      {.method = "GET", .pattern = "/health", .operation = R"({})"},
  };
  auto d = buildDocument(routes, docs, kBase);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->coverage.complete());

  const auto& get = op(*d, "/api/v1/things/{id}", "get");
  EXPECT_EQ(get.at("summary"), "the summary");
  EXPECT_EQ(get.at("x-poise-access"), "viewer");
  EXPECT_EQ(get.at("operationId"), "getApiV1ThingsId");
  ASSERT_EQ(get.at("parameters").as_array().size(), 1u);
  EXPECT_EQ(get.at("parameters").at(0).at("name"), "id");
  EXPECT_EQ(get.at("parameters").at(0).at("in"), "path");
  // A read by a viewer: the cookie needs no CSRF header; 403 still comes for a user who must
  // change their password first.
  EXPECT_EQ(json::serialize(get.at("security")), R"([{"sessionBearer":[]},{"sessionCookie":[]}])");
  EXPECT_TRUE(get.at("responses").as_object().contains("401"));
  EXPECT_TRUE(get.at("responses").as_object().contains("403"));

  const auto& post = op(*d, "/api/v1/things", "post");
  EXPECT_EQ(post.at("x-poise-access"), "admin");
  EXPECT_EQ(json::serialize(post.at("security")),
            R"([{"sessionBearer":[]},{"sessionCookie":[],"csrfHeader":[]}])");
  for (const char* status : {"201", "401", "403", "422"}) {
    EXPECT_TRUE(post.at("responses").as_object().contains(status)) << status;
  }

  // A prefix entry: pattern + {path}, one operation per documented method.
  const auto& native = d->json.at("paths").at("/v1beta/{path}").as_object();
  EXPECT_EQ(native.size(), 2u);
  EXPECT_EQ(native.at("get").at("summary"), "own");
  EXPECT_EQ(native.at("post").at("summary"), "the summary");
  EXPECT_EQ(native.at("post").at("security").as_array().size(), 4u);
  EXPECT_EQ(native.at("post").at("x-poise-access"), "gateway_token");

  const auto& health = op(*d, "/health", "get");
  EXPECT_TRUE(health.at("security").as_array().empty());
  EXPECT_EQ(health.at("x-poise-access"), "anyone");
}

TEST(OpenApiDocument, ReportsUndocumentedRoutesAndUnroutedDocs) {
  const std::vector<RouteInfo> routes = {route("GET", "/api/v1/new", Access::Viewer),
                                         route("GET", "/health", Access::Anyone)};
  const OperationDoc docs[] = {
      {.method = "GET", .pattern = "/health", .operation = "{}"},
      {.method = "DELETE", .pattern = "/api/v1/gone", .operation = "{}"},
  };
  auto d = buildDocument(routes, docs, kBase);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->coverage.complete());
  EXPECT_EQ(d->coverage.undocumented, std::vector<std::string>{"GET /api/v1/new"});
  EXPECT_EQ(d->coverage.unrouted, std::vector<std::string>{"DELETE /api/v1/gone"});
  // Still listed, and marked.
  EXPECT_EQ(op(*d, "/api/v1/new", "get").at("x-poise-undocumented"), true);
  EXPECT_EQ(json::serialize(d->json.at("x-poise-coverage")),
            R"({"undocumented":["GET /api/v1/new"],"unrouted":["DELETE /api/v1/gone"]})");
}

TEST(OpenApiDocument, RefusesBrokenDocs) {
  const std::vector<RouteInfo> routes = {route("GET", "/a", Access::Anyone)};
  const OperationDoc bad_json[] = {{.method = "GET", .pattern = "/a", .operation = "{"}};
  EXPECT_FALSE(buildDocument(routes, bad_json, kBase));
  const OperationDoc twice[] = {{.method = "GET", .pattern = "/a", .operation = "{}"},
                                {.method = "GET", .pattern = "/a", .operation = "{}"}};
  EXPECT_FALSE(buildDocument(routes, twice, kBase));
  // Two entries documented on one path and method.
  const std::vector<RouteInfo> clash = {route("GET", "/b", Access::Anyone),
                                        route("GET", "/b/", Access::Anyone)};
  const OperationDoc paths[] = {
      {.method = "GET", .pattern = "/b", .operation = "{}"},
      {.method = "GET", .pattern = "/b/", .operation = "{}", .path = "/b"}};
  EXPECT_FALSE(buildDocument(clash, paths, kBase));
}

// Every $ref in `v` (recursively).
void collectRefs(const json::value& v, std::set<std::string>& out) {
  if (const auto* o = v.if_object()) {
    for (const auto& [k, x] : *o) {
      if (k == "$ref" && x.is_string()) out.insert(std::string(x.as_string()));
      collectRefs(x, out);
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& x : *a) collectRefs(x, out);
  }
}

// The real registry, each doc routed as its own table entry: every doc parses, every operation
// has tags and responses, and every $ref names a component of the real base.
TEST(OpenApiDocument, RegistryDocsAreWellFormed) {
  std::vector<RouteInfo> routes;
  for (const OperationDoc& d : operationDocs()) {
    const bool prefix = d.pattern.ends_with('/') && d.pattern.size() > 1;
    routes.push_back(route(std::string(d.method), std::string(d.pattern), Access::Admin, prefix));
  }
  auto d = buildDocument(routes, operationDocs(), documentBase());
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->coverage.complete());
  std::set<std::string> ids;
  for (const auto& [path, item] : d->json.at("paths").as_object()) {
    for (const auto& [method, o] : item.as_object()) {
      const std::string where = std::string(method) + " " + std::string(path);
      EXPECT_FALSE(o.at("tags").as_array().empty()) << where;
      EXPECT_FALSE(o.at("responses").as_object().empty()) << where;
      EXPECT_TRUE(ids.insert(std::string(o.at("operationId").as_string())).second) << where;
    }
  }
  std::set<std::string> refs;
  collectRefs(d->json, refs);
  const auto& components = d->json.at("components").as_object();
  for (const std::string& r : refs) {
    ASSERT_TRUE(r.starts_with("#/components/")) << r;
    const std::string rest = r.substr(13);
    const auto slash = rest.find('/');
    ASSERT_NE(slash, std::string::npos) << r;
    const auto* kind = components.if_contains(rest.substr(0, slash));
    ASSERT_TRUE(kind) << r;
    EXPECT_TRUE(kind->as_object().contains(rest.substr(slash + 1))) << r;
  }
}

}  // namespace
}  // namespace poise::openapi
