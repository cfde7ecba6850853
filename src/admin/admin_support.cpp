#include "admin/admin_support.h"

#include <algorithm>
#include <cmath>

#include "core/log.h"
#include "http/error_envelope.h"
#include "http/query.h"

namespace poise::admin::support {

namespace asio = boost::asio;
namespace json = boost::json;

namespace bhttp = boost::beast::http;

asio::awaitable<void> respond(net::HttpExchange& ex, net::Response res) {
  res.set(bhttp::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  co_await ex.respond(std::move(res));
}

net::Response jsonReply(unsigned status, const json::value& v) {
  return http::jsonResponse(status, json::serialize(v));
}

net::Response errorReply(unsigned status, std::string_view detail, std::string_view code) {
  return http::errorResponse(http::Protocol::Admin, status, detail, code);
}

net::Response retryLaterReply(unsigned status, std::string_view detail, std::string_view code,
                              std::chrono::seconds retry_after) {
  auto res = http::errorResponse(http::Protocol::Admin, status, detail, code);
  res.set(bhttp::field::retry_after,
          std::to_string(std::max<std::int64_t>(retry_after.count(), 1)));
  return res;
}

unsigned statusFor(const Error& e) {
  if (e.code == "not_found") return 404;
  if (e.code == "conflict") return 409;
  if (e.code == "invalid_status" || e.code == "invalid_argument" || e.code == "invalid_config" ||
      e.code == "weak_password" || e.code == "invalid_priority") {
    return 422;
  }
  if (e.code == "unauthorized" || e.code == "invalid_credentials") return 401;
  if (e.code == "locked") return 429;
  if (e.code == "busy") return 503;
  return 500;
}

net::Response failureReply(const Error& e, std::string_view request_id, unsigned status) {
  if (status == 0) status = statusFor(e);
  if (status == 500) {
    spdlog::error("msg=\"admin request failed\" request_id={} code={} error={}", request_id, e.code,
                  logValue(e.message));
    return errorReply(500, "internal error", e.code);
  }
  return errorReply(status, e.message, e.code);
}

std::string queryParam(const net::Request& req, std::string_view name) {
  const std::string_view target = req.target();
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  return http::queryParam(target.substr(q + 1), name);
}

std::optional<std::string> configValueText(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return std::string(v.as_bool() ? "true" : "false");
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (!v.is_double()) return std::nullopt;
  const double d = v.as_double();
  // Whole numbers as integers while a double holds them exactly (|d| < 2^53).
  if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
    return std::to_string(static_cast<std::int64_t>(d));
  }
  char buf[400];  // the longest fixed form of a double (about 330 digits) fits
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  if (r.ec != std::errc{}) return std::nullopt;
  return std::string(buf, r.ptr);
}

std::optional<std::string> optionalString(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (!v || v->is_null() || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

const json::array* arrayMember(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v ? v->if_array() : nullptr;
}

std::optional<PageQuery> pageQuery(const net::Request& req) {
  PageQuery q;
  const auto page = queryParam(req, "page");
  const auto size = queryParam(req, "page_size");
  if ((!page.empty() && !parseNumber(page, q.page)) ||
      (!size.empty() && !parseNumber(size, q.page_size)) || q.page < 1 || q.page_size < 1 ||
      q.page_size > 1000) {
    return std::nullopt;
  }
  return q;
}

json::value timeOrNull(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return json::value(formatIso8601(*t));
}

std::optional<std::int64_t> positiveId(std::string_view s) {
  std::int64_t id = 0;
  if (!parseNumber(s, id) || id <= 0) return std::nullopt;
  return id;
}

}  // namespace poise::admin::support
