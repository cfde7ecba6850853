// AdminRoute: one /api/v1 entry as its feature file declares it, and the one wrapper that turns
// it into a Router entry. Before any handler runs, the wrapper admits the request: for console
// sessions a credential (Bearer token, or the session cookie plus the X-Poise-Request header on
// anything but GET/HEAD), then the session, the caller's role (a viewer only reads) and a
// pending forced password change; then the declared JSON body. Every refusal is
// answered in the {"detail","code"} envelope, and every answer leaves with no-store and nosniff.
// Handlers get an authenticated, parsed request and return their answer as a value; they never
// touch the connection. Registered entries are read-only: safe from any worker thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/router.h"
#include "net/http_exchange.h"
#include "storage/user_repository.h"

namespace poise::admin {

// An authenticated admin: the session's user and its token.
struct Caller {
  storage::User user;
  std::string token;
};

// The body an entry takes; anything else is refused with 422 before its handler runs.
enum class Body {
  None,    // not read
  Json,    // any JSON value
  Object,  // a JSON object
};

// What a handler gets. References live until the handler's answer is sent.
struct AdminRequest {
  const net::Request& request;
  const net::ExchangeInfo& info;
  const http::RouteParams& params;
  const Caller* caller = nullptr;            // set on entries that need a session
  const boost::json::value* body = nullptr;  // set on entries that take a body

  // The signed-in user (admin or viewer) of an entry that needs a session.
  const Caller& admin() const { return *caller; }
  // The body of a Body::Object entry.
  const boost::json::object& object() const { return body->as_object(); }
  std::string_view param(std::string_view name) const { return params.get(name); }
  // One decoded query parameter; empty when absent.
  std::string query(std::string_view name) const;
};

// May suspend. The answer is sent as returned, plus no-store and nosniff.
using AdminHandler = std::function<boost::asio::awaitable<net::Response>(const AdminRequest&)>;

struct AdminRoute {
  boost::beast::http::verb method;
  std::string pattern;
  // Anyone, Viewer or Admin; unset: Viewer for GET and HEAD, Admin for every other method.
  std::optional<http::Access> access;
  Body body = Body::None;
  std::string summary;
  AdminHandler handler;
  // Open to a user who must change their password before anything else (change-password,
  // logout, users/me); every other session entry refuses them with 403
  // "password_change_required".
  bool open_before_password_change = false;
};

// What admit() checks for one entry.
struct Gate {
  http::Access access = http::Access::Anyone;
  Body body = Body::None;
  bool open_before_password_change = false;  // as AdminRoute's
};

// The session cookie's name: "__Host-poise_session" on a request that reached the gateway over
// HTTPS (through a trusted proxy), where the cookie is also Secure; "poise_session" otherwise.
std::string_view sessionCookieName(bool https);

// Looks up the user of a session token; errors as SessionService::authenticate gives them.
// May suspend (the lookup runs on the BlockingPool).
using SessionLookup =
    std::function<boost::asio::awaitable<Result<storage::User>>(const std::string& token)>;

// A refused request: the status, and the envelope's code (error.code) and detail (message).
struct Refusal {
  unsigned status = 0;
  Error error;
};

// The outcome of the checks every admin entry makes before its handler: a refusal, or the
// caller (entries that need a session) and the body (entries that take one).
struct Admission {
  std::optional<Refusal> refusal;
  std::optional<Caller> caller;
  std::optional<boost::json::value> body;
};

// The checks alone, over the request head and body, in order: for a session entry a credential
// (401; the cookie of sessionCookieName(info.https)), the CSRF header when it is the cookie
// (403), the session through `lookup` (401, or the lookup's error), an Admin entry called by a
// viewer (403 "forbidden"), a pending password change (403 "password_change_required"); then the
// body (422). Suspends for the lookup only.
boost::asio::awaitable<Admission> admit(const Gate& gate, const net::Request& req,
                                        const net::ExchangeInfo& info, const SessionLookup& lookup);

// The Router entry for `route`: admit, then the handler, then the answer.
http::Route toRoute(AdminRoute route, SessionLookup lookup);

}  // namespace poise::admin
