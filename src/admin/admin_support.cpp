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

net::Response emptyReply(unsigned status) {
  net::Response res;
  res.result(status);
  res.prepare_payload();
  return res;
}

net::Response errorReply(unsigned status, std::string_view detail) {
  return http::errorResponse(http::Protocol::Admin, status, detail);
}

net::Response errorReply(unsigned status, std::string_view detail, ErrorCode code) {
  return http::errorResponse(http::Protocol::Admin, status, detail, toString(code));
}

net::Response retryLaterReply(unsigned status, std::string_view detail, ErrorCode code,
                              std::chrono::seconds retry_after) {
  auto res = http::errorResponse(http::Protocol::Admin, status, detail, toString(code));
  res.set(bhttp::field::retry_after,
          std::to_string(std::max<std::int64_t>(retry_after.count(), 1)));
  return res;
}

net::Response hashingBusyReply() {
  return retryLaterReply(503, "too many password checks in progress; try again", ErrorCode::Busy,
                         std::chrono::seconds(1));
}

unsigned statusFor(const Error& e) {
  switch (e.code) {
    case ErrorCode::BadRequest:
      return 400;
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::Conflict:
      return 409;
    case ErrorCode::InvalidArgument:
    case ErrorCode::ValidationError:
    case ErrorCode::InvalidStatus:
    case ErrorCode::InvalidPriority:
    case ErrorCode::InvalidConfig:
    case ErrorCode::ConfigRequired:
    case ErrorCode::WeakPassword:
      return 422;
    case ErrorCode::Unauthorized:
    case ErrorCode::InvalidCredentials:
    case ErrorCode::Inactive:
      return 401;
    case ErrorCode::Forbidden:
    case ErrorCode::PasswordChangeRequired:
    case ErrorCode::Csrf:
      return 403;
    case ErrorCode::MethodNotAllowed:
      return 405;
    case ErrorCode::RequestTimeout:
      return 408;
    case ErrorCode::TooManyKeys:
    case ErrorCode::RequestTooLarge:
      return 413;
    case ErrorCode::HeaderTooLarge:
      return 431;
    case ErrorCode::DuplicateKey:
    case ErrorCode::NoKeyAvailable:
    case ErrorCode::LastAdmin:
    case ErrorCode::OwnAccount:
      return 409;
    case ErrorCode::Locked:
    case ErrorCode::TooManyRequests:
    case ErrorCode::RateLimited:
      return 429;
    case ErrorCode::BadGateway:
      return 502;
    case ErrorCode::Busy:
    case ErrorCode::Unavailable:
      return 503;
    case ErrorCode::UpstreamTimeout:
      return 504;
    // The rest are failures of the gateway itself (or codes no admin handler returns): 500, with
    // the detail logged rather than sent.
    case ErrorCode::InvalidRequest:
    case ErrorCode::InvalidModel:
    case ErrorCode::InvalidPath:
    case ErrorCode::InvalidUrl:
    case ErrorCode::InvalidHeader:
    case ErrorCode::InvalidRequestLine:
    case ErrorCode::InvalidAddressRange:
    case ErrorCode::DbError:
    case ErrorCode::DecryptFailed:
    case ErrorCode::CryptoError:
    case ErrorCode::HashFailed:
    case ErrorCode::InvalidMasterKey:
    case ErrorCode::SchemaTooNew:
    case ErrorCode::InvalidDatabaseUrl:
    case ErrorCode::UnsupportedDatabase:
    case ErrorCode::InvalidSetting:
    case ErrorCode::InvalidEnvFile:
    case ErrorCode::DataDir:
    case ErrorCode::DataDirInUse:
    case ErrorCode::SecretKey:
    case ErrorCode::SecretKeyFile:
    case ErrorCode::SecretKeyMissing:
    case ErrorCode::SecretKeyMismatch:
    case ErrorCode::Rlimit:
    case ErrorCode::TlsSetup:
    case ErrorCode::BindFailed:
    case ErrorCode::BadListen:
    case ErrorCode::UpstreamError:
    case ErrorCode::UpstreamInvalidResponse:
    case ErrorCode::ContentPolicyViolation:
    case ErrorCode::SseEventTooLarge:
    case ErrorCode::InternalError:
      return 500;
  }
  return 500;
}

net::Response failureReply(const Error& e, std::string_view request_id, unsigned status) {
  if (status == 0) status = statusFor(e);
  if (status == 500) {
    spdlog::error("msg=\"admin request failed\" request_id={} code={} error={}", request_id,
                  toString(e.code), logValue(e.message));
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

json::object userJson(const storage::User& user) {
  json::object out;
  out["id"] = user.id;
  out["username"] = user.username;
  out["role"] = toString(user.role);
  out["is_active"] = user.is_active;
  out["must_change_password"] = user.must_change_password;
  out["created_at"] = formatIso8601(user.created_at);
  out["updated_at"] = formatIso8601(user.updated_at);
  return out;
}

std::optional<std::int64_t> positiveId(std::string_view s) {
  std::int64_t id = 0;
  if (!parseNumber(s, id) || id <= 0) return std::nullopt;
  return id;
}

std::string parseCursorListing(const net::Request& req, CursorListing& out, int max_limit) {
  for (auto [name, slot] : {std::pair{"since", &out.since}, std::pair{"until", &out.until}}) {
    if (auto v = queryParam(req, name); !v.empty()) {
      TimePoint t;
      if (!parseIso8601(v, t)) return std::string(name) + " must be an ISO-8601 date-time";
      *slot = t;
    }
  }
  if (auto v = queryParam(req, "limit"); !v.empty()) {
    if (!parseNumber(v, out.limit) || out.limit < 1 || out.limit > max_limit) {
      return "limit must be 1.." + std::to_string(max_limit);
    }
  }
  if (auto v = queryParam(req, "cursor"); !v.empty()) {
    out.before_id = positiveId(v);
    if (!out.before_id) return "cursor is not one this route gave";
  }
  return {};
}

}  // namespace poise::admin::support
