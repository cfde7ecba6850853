// Router: the one explicit route table. Each entry names its method (or any), its path pattern,
// who may call it, a one-line summary and its handler, and the table lists itself (what a
// generated /openapi.json needs). Patterns are literal segments and `{name}` parameters; prefix
// entries take any path that starts with them. An entry may also carry a predicate on the request,
// for routes a path alone cannot tell apart (native Gemini calls under /v1/). Trailing slashes
// are ignored, so `/a/b` and `/a/b/` are the same route (no redirects). The first registered
// entry that matches wins. Built at start-up, then read-only: safe to share between threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_record.h"
#include "net/http_exchange.h"

namespace poise::http {

// Who may call an entry. The table records it; the wrapper that builds the entry's handler
// enforces it (admin/admin_route for admin sessions, proxy/client_auth for the gateway token).
enum class Access {
  Anyone,        // no credential: login, health
  GatewayToken,  // a gateway token: the proxy routes
  // A console session (Bearer token, or the session cookie plus the CSRF header) …
  Viewer,  // … of any user, viewer or admin: the admin API's reads
  Admin,   // … of an admin: every write, and the reads that reveal a secret
};

// "anyone", "gateway_token", "viewer", "admin".
std::string_view toString(Access access);

// Whether an entry needs a console session (Viewer or Admin).
constexpr bool needsSession(Access access) {
  return access == Access::Viewer || access == Access::Admin;
}

struct RouteParams {
  std::vector<std::pair<std::string_view, std::string_view>> values;
  // The value of `{name}`, or empty.
  std::string_view get(std::string_view name) const;
};

// A route's handler: the exchange to answer, the path's parameters, and the request's record to
// fill in (the front finishes it).
using Handler = std::function<boost::asio::awaitable<void>(net::HttpExchange&, const RouteParams&,
                                                           RequestRecord&)>;

// Whether an entry takes a request whose method and path it matched; `path` is the target
// without its query. Must be pure and thread-safe.
using RequestPredicate = std::function<bool(const net::Request& request, std::string_view path)>;

struct Route {
  std::optional<boost::beast::http::verb> method;  // nullopt: any method
  // "/api/v1/api_keys/{id}"; for a prefix entry, the start of the path ("/v1beta/").
  std::string pattern;
  Access access = Access::Anyone;
  std::string summary;
  Handler handler;
  bool prefix = false;
  RequestPredicate when;  // empty: every request with a matching method and path
};

// One entry as the table lists it.
struct RouteInfo {
  std::string method;  // "GET", "POST", …; "*" for any
  std::string pattern;
  bool prefix = false;
  bool conditional = false;  // the entry carries a predicate
  Access access = Access::Anyone;
  std::string summary;
};

class Router {
 public:
  void add(Route route);
  // Shorthands: an exact entry anyone may call, and a prefix entry for any method.
  void add(boost::beast::http::verb method, std::string pattern, Handler handler);
  void addPrefix(std::string prefix, Handler handler);

  struct Match {
    const Handler* handler = nullptr;
    const Route* route = nullptr;  // the entry matched (its pattern, access and summary)
    RouteParams params;
    bool method_not_allowed = false;  // a path matched, but for other methods only
  };
  // The entry for `request`, predicates asked. The request's target must outlive the params
  // (they point into it).
  Match match(const net::Request& request) const;
  // The entry for a method and path alone: entries with a predicate never match. `path` must
  // outlive the params.
  Match match(boost::beast::http::verb method, std::string_view path) const;

  // Every entry, in registration order.
  std::vector<RouteInfo> list() const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;  // the pattern split, for exact entries
  };
  Match find(boost::beast::http::verb method, std::string_view path,
             const net::Request* request) const;

  std::vector<Entry> entries_;
};

// Splits "/a/b/c" into {"a","b","c"}; ignores empty segments (so trailing slashes vanish).
std::vector<std::string_view> splitPath(std::string_view path);

// The path of a request target: everything before '?'.
std::string_view targetPath(std::string_view target);

}  // namespace poise::http
