// Helpers shared by the /api/v1 route files (admin_api.cpp and the feature route files next to
// it): JSON answers and errors in the admin envelope, error-code → status mapping, body and query
// parsing. Stateless; safe from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_exchange.h"

namespace poise::admin::support {

// Writes an /api/v1 answer. Every admin answer goes through here, so every one carries
// `Cache-Control: no-store` (sessions, keys and tokens must not linger in caches) and
// `X-Content-Type-Options: nosniff`. Suspends.
boost::asio::awaitable<void> respond(net::HttpExchange& ex, net::Response res);

boost::asio::awaitable<void> sendJson(net::HttpExchange& ex, unsigned status,
                                      const boost::json::value& v);
boost::asio::awaitable<void> sendError(net::HttpExchange& ex, unsigned status,
                                       std::string_view message, std::string_view code = {});
// An error the client may retry: with `Retry-After` in whole seconds (at least 1).
boost::asio::awaitable<void> sendRetryLater(net::HttpExchange& ex, unsigned status,
                                            std::string_view message, std::string_view code,
                                            std::chrono::seconds retry_after);
// A repository or service error as its status (404, 409, 422, 401, 429, 503, else 500); a 500
// is logged and answered without the internal message.
unsigned statusFor(const Error& e);
boost::asio::awaitable<void> sendFailure(net::HttpExchange& ex, const Error& e);

// The request body as JSON; nullopt when it does not parse.
std::optional<boost::json::value> parseBody(net::HttpExchange& ex);
// One decoded query parameter of the request target; empty when absent.
std::string queryParam(const net::HttpExchange& ex, std::string_view name);
// A config value sent as JSON, as the text stored: strings as they are, booleans as true/false,
// numbers as plain decimals (1000, not 1E3; 14.29, not 1.429E1). nullopt for other types.
std::optional<std::string> configValueText(const boost::json::value& v);
// A string member; nullopt when absent, null or not a string.
std::optional<std::string> optionalString(const boost::json::object& o, std::string_view k);
boost::json::value timeOrNull(const std::optional<TimePoint>& t);

// The whole of `s` as a number.
template <class T>
bool parseNumber(std::string_view s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

}  // namespace poise::admin::support
