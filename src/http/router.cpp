#include "http/router.h"

namespace poise::http {

namespace bhttp = boost::beast::http;

std::string_view toString(Access access) {
  switch (access) {
    case Access::Anyone:
      return "anyone";
    case Access::GatewayToken:
      return "gateway_token";
    case Access::Viewer:
      return "viewer";
    case Access::Admin:
      return "admin";
  }
  return "anyone";
}

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

std::string_view targetPath(std::string_view target) {
  return target.substr(0, target.find('?'));
}

void Router::add(Route route) {
  Entry e{std::move(route), {}};
  if (!e.route.prefix) {
    for (auto seg : splitPath(e.route.pattern)) e.segments.emplace_back(seg);
  }
  entries_.push_back(std::move(e));
}

void Router::add(bhttp::verb method, std::string pattern, Handler handler) {
  add(Route{.method = method, .pattern = std::move(pattern), .handler = std::move(handler)});
}

void Router::addPrefix(std::string prefix, Handler handler) {
  add(Route{.pattern = std::move(prefix), .handler = std::move(handler), .prefix = true});
}

Router::Match Router::match(const net::Request& request) const {
  return find(request.method(), targetPath(request.target()), &request);
}

Router::Match Router::match(bhttp::verb method, std::string_view path) const {
  return find(method, path, nullptr);
}

Router::Match Router::find(bhttp::verb method, std::string_view path,
                           const net::Request* request) const {
  Match m;
  std::vector<std::string_view> segs;
  bool split = false;
  for (const auto& e : entries_) {
    const Route& r = e.route;
    RouteParams params;
    if (r.prefix) {
      if (!path.starts_with(r.pattern)) continue;
    } else {
      if (!split) {
        segs = splitPath(path);
        split = true;
      }
      if (e.segments.size() != segs.size()) continue;
      bool ok = true;
      for (std::size_t i = 0; i < segs.size() && ok; ++i) {
        const std::string& p = e.segments[i];
        if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
          params.values.emplace_back(std::string_view(p).substr(1, p.size() - 2), segs[i]);
        } else if (p != segs[i]) {
          ok = false;
        }
      }
      if (!ok) continue;
    }
    if (r.when && (request == nullptr || !r.when(*request, path))) continue;
    if (r.method && *r.method != method) {
      m.method_not_allowed = true;
      continue;
    }
    m.handler = &r.handler;
    m.route = &r;
    m.params = std::move(params);
    m.method_not_allowed = false;
    return m;
  }
  return m;
}

std::vector<RouteInfo> Router::list() const {
  std::vector<RouteInfo> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) {
    const Route& r = e.route;
    out.push_back(RouteInfo{.method = r.method ? std::string(bhttp::to_string(*r.method)) : "*",
                            .pattern = r.pattern,
                            .prefix = r.prefix,
                            .conditional = static_cast<bool>(r.when),
                            .access = r.access,
                            .summary = r.summary});
  }
  return out;
}

}  // namespace poise::http
