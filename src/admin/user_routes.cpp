// The user routes (SPEC §1.3 /api/v1/users): admins create, change, delete users and reset
// their passwords; viewers may list and read them. There is no open registration. Every write
// is audited, never with a password.
#include <boost/json.hpp>
#include <cassert>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using namespace support;

namespace {

Error userNotFound() {
  return makeError(ErrorCode::NotFound, "user not found");
}

constexpr std::string_view kBadRole = "role must be \"admin\" or \"viewer\"";

// The "role" member of a body: none when absent or null; bad when it is anything but "admin" or
// "viewer".
struct RoleField {
  std::optional<storage::Role> role;
  bool bad = false;
};
RoleField roleField(const json::object& o) {
  const auto* v = o.if_contains("role");
  if (!v || v->is_null()) return {};
  const auto* s = v->if_string();
  const auto role = s ? storage::parseRole(*s) : std::nullopt;
  return {.role = role, .bad = !role};
}

// "role=viewer, is_active=false": what a change set, for the audit entry.
std::string describe(const storage::UserChange& change) {
  std::string out;
  if (change.role) out = "role=" + std::string(toString(*change.role));
  if (change.is_active) {
    out += (out.empty() ? "" : ", ") + std::string("is_active=") +
           (*change.is_active ? "true" : "false");
  }
  return out;
}

}  // namespace

void registerUserRoutes(http::Router& r, AdminApi& api) {
  AdminApi* self = &api;
  const AdminDeps* d = &api.deps();
  auth::UserAccounts* accounts = d->accounts;
  assert(accounts != nullptr);

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/users",
              .summary = "List console users",
              .handler = [d, accounts](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto job = [accounts] { return accounts->list(); };
                auto list = co_await d->blocking.run(job);
                if (!list) co_return failureReply(list.error(), rq.info.request_id);
                json::object out;
                json::array items;
                for (const auto& u : *list) items.push_back(userJson(u));
                out["total"] = static_cast<std::int64_t>(list->size());
                out["items"] = std::move(items);
                co_return jsonReply(200, out);
              }});

  // A generated password is shown once, in this answer, and must be changed at the first login.
  api.add(
      r,
      {.method = verb::post,
       .pattern = "/api/v1/users",
       .body = Body::Object,
       .summary = "Create a user (role viewer unless given); without a password one is generated",
       .handler = [self, d, accounts](const AdminRequest& rq) -> asio::awaitable<Response> {
         const json::object& o = rq.object();
         auth::NewUser request;
         const auto* username = o.if_contains("username");
         if (!username || !username->is_string()) {
           co_return errorReply(422, "username is required", ErrorCode::ValidationError);
         }
         request.username = std::string(username->as_string());
         if (const auto* p = o.if_contains("password"); p && !p->is_null()) {
           if (!p->is_string()) {
             co_return errorReply(422, "password must be a string", ErrorCode::ValidationError);
           }
           request.password = std::string(p->as_string());
         }
         const RoleField role = roleField(o);
         if (role.bad) co_return errorReply(422, kBadRole, ErrorCode::ValidationError);
         request.role = role.role.value_or(storage::Role::Viewer);
         auto job = [accounts, &request] { return accounts->create(request); };
         auto ran = co_await d->hashing.tryRun(job);
         if (!ran) co_return hashingBusyReply();
         auto& created = *ran;
         if (!created) {
           if (created.error().code == ErrorCode::Conflict) {
             co_return errorReply(409, "a user with this username already exists",
                                  ErrorCode::Conflict);
           }
           co_return failureReply(created.error(), rq.info.request_id);
         }
         self->audit(rq, "user.create", created->user.username,
                     "role=" + std::string(toString(created->user.role)) +
                         (created->generated_password ? ", generated password" : ""));
         json::object out = userJson(created->user);
         if (created->generated_password) out["password"] = *created->generated_password;
         co_return jsonReply(201, out);
       }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/users/{id}",
              .summary = "One console user",
              .handler = [d, accounts](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(userNotFound(), rq.info.request_id);
                auto job = [accounts, i = *id] { return accounts->find(i); };
                auto user = co_await d->blocking.run(job);
                if (!user) co_return failureReply(user.error(), rq.info.request_id);
                co_return jsonReply(200, userJson(*user));
              }});

  // Disabling revokes the user's sessions. The last active admin cannot be demoted or disabled
  // (409 last_admin), nor can an admin disable themself (409 own_account).
  api.add(r, {.method = verb::put,
              .pattern = "/api/v1/users/{id}",
              .body = Body::Object,
              .summary = "Change a user's role or active flag",
              .handler = [self, d, accounts](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(userNotFound(), rq.info.request_id);
                const json::object& o = rq.object();
                storage::UserChange change;
                const RoleField role = roleField(o);
                if (role.bad) co_return errorReply(422, kBadRole, ErrorCode::ValidationError);
                change.role = role.role;
                if (const auto* a = o.if_contains("is_active"); a && !a->is_null()) {
                  if (!a->is_bool()) {
                    co_return errorReply(422, "is_active must be true or false",
                                         ErrorCode::ValidationError);
                  }
                  change.is_active = a->as_bool();
                }
                if (!change.role && !change.is_active) {
                  co_return errorReply(422, "nothing to change: give role or is_active",
                                       ErrorCode::ValidationError);
                }
                auto job = [accounts, actor = rq.admin().user.id, i = *id, &change] {
                  return accounts->update(actor, i, change);
                };
                auto updated = co_await d->blocking.run(job);
                if (!updated) co_return failureReply(updated.error(), rq.info.request_id);
                self->audit(rq, "user.update", updated->username, describe(change));
                co_return jsonReply(200, userJson(*updated));
              }});

  api.add(r, {.method = verb::delete_,
              .pattern = "/api/v1/users/{id}",
              .summary = "Delete a user and their sessions",
              .handler = [self, d, accounts](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(userNotFound(), rq.info.request_id);
                auto job = [accounts, actor = rq.admin().user.id,
                            i = *id]() -> Result<storage::User> {
                  auto user = accounts->find(i);
                  if (!user) return user;
                  if (auto st = accounts->remove(actor, i); !st) return st.error();
                  return user;
                };
                auto removed = co_await d->blocking.run(job);
                if (!removed) co_return failureReply(removed.error(), rq.info.request_id);
                self->audit(rq, "user.delete", removed->username, "");
                Response res{boost::beast::http::status::no_content, 11};
                co_return res;
              }});

  // The new password is shown once; the user must change it at their next login, and every
  // session of theirs ends now.
  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/users/{id}/reset-password",
              .summary = "Reset a user's password to a generated one; their sessions are revoked",
              .handler = [self, d, accounts](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(userNotFound(), rq.info.request_id);
                auto job = [accounts, i = *id]() -> Result<std::pair<storage::User, std::string>> {
                  auto user = accounts->find(i);
                  if (!user) return user.error();
                  auto password = accounts->resetPassword(i);
                  if (!password) return password.error();
                  return std::pair{std::move(*user), std::move(*password)};
                };
                auto ran = co_await d->hashing.tryRun(job);
                if (!ran) co_return hashingBusyReply();
                auto& reset = *ran;
                if (!reset) co_return failureReply(reset.error(), rq.info.request_id);
                self->audit(rq, "user.reset_password", reset->first.username, "");
                json::object out;
                out["password"] = reset->second;
                co_return jsonReply(200, out);
              }});
}

}  // namespace poise::admin
