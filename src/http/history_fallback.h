// The History-API fallback of a single-page app served at "/" (the web console): which GET and
// HEAD paths that no route and no file of the bundle took are the app's own pages, answered with
// its index.html so that a deep link (/keys, /logs?status=5xx, /settings/advanced) loads the app.
// The API and the operational paths never are: /api, /v1 and every "/v1…" (/v1beta, /v1alpha),
// /upload…, /openapi.json, /docs, /metrics, /health…, /ready…, /claude, the bundle's /assets, and
// the first segment of every route in the table; nor is a path whose last segment names a file
// (has a '.') or a method call (has a ':'). Pure; immutable once built: safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"

namespace poise::http {

class HistoryFallback {
 public:
  // With the fixed set of reserved first segments only.
  HistoryFallback() = default;
  // Also reserves the first segment of each entry's pattern (a pattern of "/" reserves nothing).
  void reserveRoutes(const std::vector<RouteInfo>& routes);
  // Whether `path` (a request target's path, without its query) is a page of the app.
  bool isPage(std::string_view path) const;

 private:
  std::vector<std::string> reserved_;  // first segments, from the route table
};

}  // namespace poise::http
