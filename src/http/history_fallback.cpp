#include "http/history_fallback.h"

#include <algorithm>
#include <array>

namespace poise::http {

namespace {

// First segments that are never pages, whether or not this build routes them.
constexpr std::array<std::string_view, 6> kReserved = {"api",     "openapi.json", "docs",
                                                       "metrics", "claude",       "assets"};
// First segments that are never pages when they start with one of these: /v1, /v1beta,
// /v1alpha, /upload, /uploads, /health, /healthz, /ready, /readyz.
constexpr std::array<std::string_view, 4> kReservedPrefixes = {"v1", "upload", "health", "ready"};

}  // namespace

void HistoryFallback::reserveRoutes(const std::vector<RouteInfo>& routes) {
  for (const RouteInfo& r : routes) {
    const auto segs = splitPath(r.pattern);
    if (segs.empty()) continue;
    if (std::find(reserved_.begin(), reserved_.end(), segs.front()) == reserved_.end()) {
      reserved_.emplace_back(segs.front());
    }
  }
}

bool HistoryFallback::isPage(std::string_view path) const {
  if (!path.starts_with('/')) return false;  // "*", or an absolute-form target
  const auto segs = splitPath(path);
  if (segs.empty()) return true;  // "/"
  const std::string_view first = segs.front();
  if (std::find(kReserved.begin(), kReserved.end(), first) != kReserved.end()) return false;
  for (const std::string_view prefix : kReservedPrefixes) {
    if (first.starts_with(prefix)) return false;
  }
  if (std::find(reserved_.begin(), reserved_.end(), first) != reserved_.end()) return false;
  return segs.back().find_first_of(".:") == std::string_view::npos;
}

}  // namespace poise::http
