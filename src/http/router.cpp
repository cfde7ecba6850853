#include "http/router.h"

namespace poise::http {

std::string_view RouteParams::get(std::string_view name) const {
  for (const auto& [k, v] : values) {
    if (k == name) return v;
  }
  return {};
}

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const std::size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    if (i > start) out.push_back(path.substr(start, i - start));
  }
  return out;
}

void Router::add(boost::beast::http::verb method, std::string pattern, Handler handler) {
  Route r{method, {}, std::move(handler)};
  for (auto seg : splitPath(pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

void Router::addPrefix(std::string prefix, Handler handler) {
  prefixes_.emplace_back(std::move(prefix), std::move(handler));
}

Router::Match Router::match(boost::beast::http::verb method, std::string_view path) const {
  Match m;
  for (const auto& [prefix, handler] : prefixes_) {
    if (path.substr(0, prefix.size()) == prefix) {
      m.handler = &handler;
      return m;
    }
  }
  const auto segs = splitPath(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    RouteParams params;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& p = r.segments[i];
      if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
        params.values.emplace_back(std::string_view(p).substr(1, p.size() - 2), segs[i]);
      } else if (p != segs[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      m.method_not_allowed = true;
      continue;
    }
    m.handler = &r.handler;
    m.params = std::move(params);
    m.method_not_allowed = false;
    return m;
  }
  return m;
}

}  // namespace poise::http
