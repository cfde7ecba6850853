// Router: the one explicit route table. Patterns are literal segments and `{name}` parameters;
// prefix routes take any path below them. Trailing slashes are ignored, so `/a/b` and `/a/b/`
// are the same route (no redirects). Built at start-up, then read-only: safe to share.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_exchange.h"

namespace poise::http {

struct RouteParams {
  std::vector<std::pair<std::string_view, std::string_view>> values;
  // The value of `{name}`, or empty.
  std::string_view get(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<void>(net::HttpExchange&, const RouteParams&)>;

class Router {
 public:
  void add(boost::beast::http::verb method, std::string pattern, Handler handler);
  // Any method, any path starting with `prefix` (which should end in '/').
  void addPrefix(std::string prefix, Handler handler);

  struct Match {
    const Handler* handler = nullptr;
    RouteParams params;
    bool method_not_allowed = false;
  };
  // `path` must outlive the returned params (they point into it).
  Match match(boost::beast::http::verb method, std::string_view path) const;

 private:
  struct Route {
    boost::beast::http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, Handler>> prefixes_;
};

// Splits "/a/b/c" into {"a","b","c"}; ignores empty segments (so trailing slashes vanish).
std::vector<std::string_view> splitPath(std::string_view path);

}  // namespace poise::http
