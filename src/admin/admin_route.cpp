#include "admin/admin_route.h"

#include <boost/json/parse.hpp>
#include <cassert>

#include "admin/admin_support.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using namespace support;

namespace {

std::string_view cookieValue(std::string_view header, std::string_view name) {
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ';')) ++i;
    const auto end = header.find(';', i);
    const std::string_view part =
        header.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return {};
}

std::string_view bearer(std::string_view auth) {
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    return auth.substr(7);
  }
  return {};
}

Admission refuse(unsigned status, ErrorCode code, std::string detail) {
  Admission out;
  out.refusal = Refusal{status, makeError(code, std::move(detail))};
  return out;
}

}  // namespace

std::string_view sessionCookieName(bool https) {
  return https ? "__Host-poise_session" : "poise_session";
}

std::string AdminRequest::query(std::string_view name) const {
  return queryParam(request, name);
}

asio::awaitable<Admission> admit(const Gate& gate, const net::Request& req,
                                 const net::ExchangeInfo& info, const SessionLookup& lookup) {
  Admission out;
  if (http::needsSession(gate.access)) {
    std::string token(bearer(req[bhttp::field::authorization]));
    bool via_cookie = false;
    if (token.empty()) {
      // Over HTTPS only the __Host- cookie counts: a plain-named one may have been planted by
      // a sibling host or a plain-HTTP page.
      token = std::string(cookieValue(req[bhttp::field::cookie], sessionCookieName(info.https)));
      via_cookie = !token.empty();
    }
    if (token.empty()) co_return refuse(401, ErrorCode::Unauthorized, "Not authenticated");
    // Cookie sessions must prove the request came from the console (CSRF): a custom header
    // that a cross-site form cannot set.
    if (via_cookie && req.method() != bhttp::verb::get && req.method() != bhttp::verb::head &&
        req["X-Poise-Request"].empty()) {
      co_return refuse(403, ErrorCode::Csrf, "missing X-Poise-Request header");
    }
    auto user = co_await lookup(token);
    if (!user) {
      out.refusal = Refusal{statusFor(user.error()), user.error()};
      co_return out;
    }
    if (gate.access == http::Access::Admin && user->role != storage::Role::Admin) {
      co_return refuse(403, ErrorCode::Forbidden, "this needs the admin role");
    }
    if (user->must_change_password && !gate.open_before_password_change) {
      co_return refuse(403, ErrorCode::PasswordChangeRequired,
                       "change your password first (POST /api/v1/users/change-password)");
    }
    out.caller = Caller{std::move(*user), std::move(token)};
  }
  if (gate.body != Body::None) {
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec);
    if (ec) co_return refuse(422, ErrorCode::ValidationError, "the request body is not valid JSON");
    if (gate.body == Body::Object && !v.is_object()) {
      co_return refuse(422, ErrorCode::ValidationError, "the request body must be a JSON object");
    }
    out.body = std::move(v);
  }
  co_return out;
}

http::Route toRoute(AdminRoute route, SessionLookup lookup) {
  const bool read = route.method == bhttp::verb::get || route.method == bhttp::verb::head;
  const http::Access access =
      route.access.value_or(read ? http::Access::Viewer : http::Access::Admin);
  assert(access != http::Access::GatewayToken);
  http::Route out{
      .method = route.method, .pattern = route.pattern, .access = access, .summary = route.summary};
  const Gate gate{.access = access,
                  .body = route.body,
                  .open_before_password_change = route.open_before_password_change};
  out.handler = [r = std::move(route), gate, lookup = std::move(lookup)](
                    net::HttpExchange& ex, const http::RouteParams& p,
                    http::RequestRecord& record) -> asio::awaitable<void> {
    record.protocol = http::Protocol::Admin;
    Admission a = co_await admit(gate, ex.request(), ex.info(), lookup);
    if (a.refusal) {
      net::Response refused =
          failureReply(a.refusal->error, ex.info().request_id, a.refusal->status);
      co_await respond(ex, std::move(refused));
      co_return;
    }
    const AdminRequest rq{.request = ex.request(),
                          .info = ex.info(),
                          .params = p,
                          .caller = a.caller ? &*a.caller : nullptr,
                          .body = a.body ? &*a.body : nullptr};
    net::Response res = co_await r.handler(rq);
    co_await respond(ex, std::move(res));
  };
  return out;
}

}  // namespace poise::admin
