#include "admin/admin_support.h"

#include "core/log.h"
#include "http/error_envelope.h"
#include "http/query.h"

namespace poise::admin::support {

namespace asio = boost::asio;
namespace json = boost::json;

asio::awaitable<void> sendJson(net::HttpExchange& ex, unsigned status, const json::value& v) {
  co_await ex.respond(http::jsonResponse(status, json::serialize(v)));
}

asio::awaitable<void> sendError(net::HttpExchange& ex, unsigned status, std::string_view message,
                                std::string_view code) {
  co_await ex.respond(http::errorResponse(http::Protocol::Admin, status, message, code));
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

asio::awaitable<void> sendFailure(net::HttpExchange& ex, const Error& e) {
  const unsigned status = statusFor(e);
  if (status == 500) {
    spdlog::error("msg=\"admin request failed\" request_id={} code={} error={}",
                  ex.info().request_id, e.code, logValue(e.message));
    co_await sendError(ex, 500, "internal error", e.code);
    co_return;
  }
  co_await sendError(ex, status, e.message, e.code);
}

std::optional<json::value> parseBody(net::HttpExchange& ex) {
  boost::system::error_code ec;
  auto v = json::parse(ex.request().body(), ec);
  if (ec) return std::nullopt;
  return v;
}

std::string queryParam(const net::HttpExchange& ex, std::string_view name) {
  const std::string_view target = const_cast<net::HttpExchange&>(ex).request().target();
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  return http::queryParam(target.substr(q + 1), name);
}

std::optional<std::string> optionalString(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (!v || v->is_null() || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

json::value timeOrNull(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return json::value(formatIso8601(*t));
}

}  // namespace poise::admin::support
