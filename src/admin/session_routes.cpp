// The session routes: login (anyone), logout, the current user, and password changes.
#include <boost/json.hpp>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"
#include "auth/initial_password.h"
#include "core/log.h"
#include "http/error_envelope.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using bhttp::verb;
using net::Response;
using namespace support;

namespace {

// The audit log's name for a login attempt whose username matches no user.
constexpr std::string_view kUnknownUser = "(unknown user)";

// The Set-Cookie value that holds `token` for `max_age` seconds (0 clears it). Over HTTPS (a
// trusted proxy said so) it is a __Host- cookie: Secure, host-only, Path=/.
std::string sessionCookie(bool https, std::string_view token, int max_age) {
  return std::string(sessionCookieName(https)) + "=" + std::string(token) + "; Path=/; " +
         (https ? "Secure; " : "") +
         "HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
}

}  // namespace

void registerSessionRoutes(http::Router& r, AdminApi& api) {
  AdminApi* self = &api;
  const AdminDeps* d = &api.deps();

  // The throttle slot is taken before the password is checked, and the check runs on the
  // HashingPool, whose bounded queue refuses a flood at once (503).
  api.add(
      r,
      {.method = verb::post,
       .pattern = "/api/v1/login",
       .access = http::Access::Anyone,
       .body = Body::Object,
       .summary = "Log in: a bearer token and the console's session cookie",
       .handler = [d, self](const AdminRequest& rq) -> asio::awaitable<Response> {
         auto username = optionalString(rq.object(), "username");
         auto password = optionalString(rq.object(), "password");
         if (!username || !password) {
           co_return errorReply(422, "username and password are required",
                                ErrorCode::ValidationError);
         }
         const std::string ip = rq.info.client_ip;
         const std::string ua(rq.request[bhttp::field::user_agent]);
         auth::LoginAttempt attempt = d->sessions.beginLogin(*username, ip);
         if (!attempt.admitted()) {
           const std::string wait = std::to_string(attempt.retryAfter().count());
           const std::string message =
               attempt.locked() ? "too many failed logins; try again in " + wait + " seconds"
                                : "too many logins in progress; try again in " + wait + " seconds";
           const ErrorCode code = attempt.locked() ? ErrorCode::Locked : ErrorCode::TooManyRequests;
           co_return retryLaterReply(429, message, code, attempt.retryAfter());
         }
         auto job = [d, a = &attempt, p = *password, ua] { return d->sessions.login(*a, p, ua); };
         auto checked = co_await d->hashing.tryRun(job);
         if (!checked) co_return hashingBusyReply();
         auto& result = *checked;
         storage::AuditEntry e;
         // Only a name that belongs to a user is recorded: an unknown one may be a
         // password typed into the wrong field.
         e.username = attempt.knownUser() ? *username : std::string(kUnknownUser);
         e.ip = ip;
         e.created_at = d->clock.now();
         if (!result) {
           if (statusFor(result.error()) == 500) {
             co_return failureReply(result.error(), rq.info.request_id);
           }
           e.action = "login.failed";
           e.detail = std::string(toString(result.error().code)) +
                      (attempt.startedLock() ? "; locked" : "");
           self->appendAudit(std::move(e));
           co_return failureReply(result.error(), rq.info.request_id);
         }
         e.user_id = result->user.id;
         e.action = "login";
         self->appendAudit(std::move(e));
         json::object out;
         out["access_token"] = result->token;
         out["token_type"] = "bearer";
         out["must_change_password"] = result->user.must_change_password;
         Response res = jsonReply(200, out);
         res.set(bhttp::field::set_cookie,
                 sessionCookie(rq.info.https, result->token, d->session_minutes * 60));
         co_return res;
       }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/logout",
              .access = http::Access::Viewer,  // any signed-in user, viewers too
              .summary = "Log out: revoke the session and clear the cookie",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto job = [d, t = rq.admin().token] { return d->sessions.logout(t); };
                auto st = co_await d->blocking.run(job);
                if (!st) co_return failureReply(st.error(), rq.info.request_id);
                self->audit(rq, "logout", "", "");
                json::object out;
                out["message"] = "Successfully logged out";
                Response res = jsonReply(200, out);
                res.set(bhttp::field::set_cookie, sessionCookie(rq.info.https, "", 0));
                co_return res;
              },
              .open_before_password_change = true});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/users/me",
              .summary = "The signed-in user",
              .handler = [](const AdminRequest& rq) -> asio::awaitable<Response> {
                co_return jsonReply(200, userJson(rq.admin().user));
              },
              .open_before_password_change = true});

  // The initial-admin-password file goes once the password it holds is replaced.
  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/users/change-password",
              .access = http::Access::Viewer,  // any signed-in user, their own password
              .body = Body::Object,
              .summary = "Change the signed-in user's password; other sessions are revoked",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto cur = optionalString(rq.object(), "current_password");
                auto next = optionalString(rq.object(), "new_password");
                if (!cur || !next) {
                  co_return errorReply(422, "current_password and new_password are required",
                                       ErrorCode::ValidationError);
                }
                auto job = [d, id = rq.admin().user.id, t = rq.admin().token, c = *cur, n = *next] {
                  auto changed = d->sessions.changePassword(id, t, c, n);
                  if (changed && auth::forgetInitialPassword(d->data_dir, c)) {
                    spdlog::info("msg=\"initial admin password file removed\"");
                  }
                  return changed;
                };
                auto checked = co_await d->hashing.tryRun(job);
                if (!checked) co_return hashingBusyReply();
                auto& st = *checked;
                if (!st) {
                  // A wrong current password is a bad request, not a lost session.
                  const unsigned status =
                      st.error().code == ErrorCode::InvalidCredentials ? 400 : 0;
                  co_return failureReply(st.error(), rq.info.request_id, status);
                }
                self->audit(rq, "user.change_password", rq.admin().user.username, "");
                json::object out;
                out["message"] = "Password changed successfully";
                co_return jsonReply(200, out);
              },
              .open_before_password_change = true});
}

}  // namespace poise::admin
