#include "http/history_fallback.h"

#include <gtest/gtest.h>

namespace poise::http {
namespace {

TEST(HistoryFallback, ConsolePagesFallBack) {
  const HistoryFallback fallback;
  for (const char* path : {"/", "/keys", "/keys/", "/logs", "/settings/advanced", "/login",
                           "/tokens/12", "//keys", "/apikeys", "/documents", "/metricsx/y"}) {
    EXPECT_TRUE(fallback.isPage(path)) << path;
  }
}

TEST(HistoryFallback, ApiAndOperationalPathsNeverFallBack) {
  const HistoryFallback fallback;
  for (const char* path : {"/api",
                           "/api/",
                           "/api/v1/nope",
                           "/v1",
                           "/v1/nope",
                           "/v1beta",
                           "/v1beta/models/x",
                           "/v1alpha/models",
                           "/v1x",
                           "/upload",
                           "/upload/v1beta/files",
                           "/uploads/x",
                           "/openapi.json",
                           "/docs",
                           "/docs/x",
                           "/metrics",
                           "/health",
                           "/healthz",
                           "/ready",
                           "/readyz",
                           "/claude/v1/x",
                           "/assets",
                           "/assets/x",
                           "/assets/missing"}) {
    EXPECT_FALSE(fallback.isPage(path)) << path;
  }
}

TEST(HistoryFallback, FilesAndMethodCallsNeverFallBack) {
  const HistoryFallback fallback;
  for (const char* path : {"/favicon.ico", "/robots.txt", "/index.html", "/keys/export.csv",
                           "/models/gemini:generateContent", "/a/..", "/x.js"}) {
    EXPECT_FALSE(fallback.isPage(path)) << path;
  }
}

TEST(HistoryFallback, OnlyOriginFormTargets) {
  const HistoryFallback fallback;
  EXPECT_FALSE(fallback.isPage("*"));
  EXPECT_FALSE(fallback.isPage("http://example.test/keys"));
  EXPECT_FALSE(fallback.isPage(""));
}

TEST(HistoryFallback, ReservesTheRouteTablesFirstSegments) {
  HistoryFallback fallback;
  EXPECT_TRUE(fallback.isPage("/status"));
  EXPECT_TRUE(fallback.isPage("/gemini/x"));
  fallback.reserveRoutes({RouteInfo{.method = "GET", .pattern = "/status"},
                          RouteInfo{.method = "*", .pattern = "/gemini/", .prefix = true},
                          RouteInfo{.method = "GET", .pattern = "/"}});
  EXPECT_FALSE(fallback.isPage("/status"));
  EXPECT_FALSE(fallback.isPage("/status/more"));
  EXPECT_FALSE(fallback.isPage("/gemini/x"));
  // A route at "/" reserves nothing: every other page still falls back.
  EXPECT_TRUE(fallback.isPage("/keys"));
  EXPECT_TRUE(fallback.isPage("/"));
}

}  // namespace
}  // namespace poise::http
