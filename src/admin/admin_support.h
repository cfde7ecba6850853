// Helpers shared by the /api/v1 feature route files: answers in the admin envelope (built as
// values; admin_route sends them), error-code → status mapping, query and JSON field reading.
// Stateless; safe from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "admin/admin_route.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/http_exchange.h"
#include "storage/user_repository.h"

namespace poise::admin::support {

// Writes an /api/v1 answer. Every admin answer goes through here, so every one carries
// `Cache-Control: no-store` (sessions, keys and tokens must not linger in caches) and
// `X-Content-Type-Options: nosniff`. Suspends.
boost::asio::awaitable<void> respond(net::HttpExchange& ex, net::Response res);

// A JSON answer.
net::Response jsonReply(unsigned status, const boost::json::value& v);
// An answer without a body (204).
net::Response emptyReply(unsigned status);
// An error in the admin envelope {"detail","code"}; without `code`, one derived from the status.
net::Response errorReply(unsigned status, std::string_view detail);
net::Response errorReply(unsigned status, std::string_view detail, ErrorCode code);
// An error the client may retry: with `Retry-After` in whole seconds (at least 1).
net::Response retryLaterReply(unsigned status, std::string_view detail, ErrorCode code,
                              std::chrono::seconds retry_after);
// The HashingPool's queue is full (503 "busy"): the client may retry in a second.
net::Response hashingBusyReply();
// The /api/v1 status of an error code: the one code → status mapping (404, 409, 422, 401, 403,
// 429, 503; 500 for the gateway's own failures).
unsigned statusFor(const Error& e);
// `e` answered with statusFor(e) (or `status` when given); a 500 is logged under `request_id`
// and answered without the internal message.
net::Response failureReply(const Error& e, std::string_view request_id, unsigned status = 0);

// One decoded query parameter of the request target; empty when absent.
std::string queryParam(const net::Request& req, std::string_view name);
// A config value sent as JSON, as the text stored: strings as they are, booleans as true/false,
// numbers as plain decimals (1000, not 1E3; 14.29, not 1.429E1). nullopt for other types.
std::optional<std::string> configValueText(const boost::json::value& v);
// A string member; nullopt when absent, null or not a string.
std::optional<std::string> optionalString(const boost::json::object& o, std::string_view k);
// An array member; nullptr when absent or not an array.
const boost::json::array* arrayMember(const boost::json::object& o, std::string_view k);

// The `page` and `page_size` query parameters of a listing.
struct PageQuery {
  int page = 1;  // 1-based
  int page_size = 50;
};
// nullopt when either is not a number, page < 1, or page_size is outside 1..1000.
std::optional<PageQuery> pageQuery(const net::Request& req);
inline constexpr std::string_view kBadPageQuery = "page must be >= 1 and page_size 1..1000";
boost::json::value timeOrNull(const std::optional<TimePoint>& t);

// The whole of `s` as a number.
template <class T>
bool parseNumber(std::string_view s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// A console user as /api/v1 shows one: {"id","username","role","is_active",
// "must_change_password","created_at","updated_at"}; never the password hash.
boost::json::object userJson(const storage::User& user);

// A positive integer id (a `{id}` path parameter); nullopt otherwise.
std::optional<std::int64_t> positiveId(std::string_view s);

// The query parameters every newest-first listing paged by cursor shares: `since` (inclusive)
// and `until` (exclusive) as ISO-8601, `limit` (1..max_limit, else the default kept) and `cursor`
// (the id of the previous page's last entry).
struct CursorListing {
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  int limit = 50;
  std::optional<std::int64_t> before_id;
};
// Fills `out` from the request; the refusal's detail when a parameter is invalid, else "".
std::string parseCursorListing(const net::Request& req, CursorListing& out, int max_limit);

// GET …/{id}: finds the stored item named by {id} with `find(id)` (a Result<optional<T>>) on the
// BlockingPool and answers 200 with `render(item)`, or `missing()` for an unknown or malformed
// id. Suspends.
template <class Find, class Render>
boost::asio::awaitable<net::Response> readById(BlockingPool& blocking, const AdminRequest& rq,
                                               Find find, Render render, Error (*missing)()) {
  auto id = positiveId(rq.param("id"));
  if (!id) co_return failureReply(missing(), rq.info.request_id);
  auto job = [&find, i = *id] { return find(i); };
  auto found = co_await blocking.run(job);
  if (!found) co_return failureReply(found.error(), rq.info.request_id);
  if (!*found) co_return failureReply(missing(), rq.info.request_id);
  co_return jsonReply(200, render(**found));
}

}  // namespace poise::admin::support
