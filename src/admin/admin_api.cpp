#include "admin/admin_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <optional>

#include "admin/admin_support.h"
#include "admin/live_overlay.h"
#include "auth/initial_password.h"
#include "core/log.h"
#include "core/secret_mask.h"
#include "http/error_envelope.h"
#include "http/query.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using http::RouteParams;
using net::HttpExchange;

using namespace support;

namespace {

constexpr std::string_view kCookie = "poise_session";
// The audit log's name for a login attempt whose username matches no user.
constexpr std::string_view kUnknownUser = "(unknown user)";

// The HashingPool's queue is full: the client may retry in a second.
asio::awaitable<void> sendHashingBusy(HttpExchange& ex) {
  co_await sendRetryLater(ex, 503, "too many password checks in progress; try again", "busy",
                          std::chrono::seconds(1));
}

std::string cookieValue(std::string_view header, std::string_view name) {
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ';')) ++i;
    const auto end = header.find(';', i);
    const std::string_view part =
        header.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
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

json::object keyJson(const storage::ApiKey& k) {
  json::object o;
  o["id"] = k.id;
  o["key_value"] = k.masked;  // never the plaintext in listings
  o["status"] = k.status;
  o["description"] = k.description.empty() ? json::value(nullptr) : json::value(k.description);
  o["priority"] = k.priority;
  o["created_at"] = formatIso8601(k.created_at);
  o["updated_at"] = formatIso8601(k.updated_at);
  o["last_used_at"] = timeOrNull(k.last_used_at);
  o["usage_count"] = k.usage_count;
  o["failed_count"] = k.failed_count;
  return o;
}

// What the key detail reads on the BlockingPool.
struct DetailRead {
  std::optional<storage::ApiKey> key;
  std::vector<storage::StatusChange> history;  // newest first, the unflushed change on top
  std::optional<Error> error;
};

keys::PoolKey poolKeyOf(const storage::ApiKey& k) {
  keys::PoolKey p;
  p.id = k.id;
  p.value = k.value;
  p.status = keys::parseKeyStatus(k.status).value_or(keys::KeyStatus::Error);
  p.failed_count = k.failed_count;
  p.priority = keys::parseKeyPriority(k.priority).value_or(keys::KeyPriority::Normal);
  p.last_used_at = k.last_used_at;
  p.usage_count = k.usage_count;
  return p;
}

std::vector<std::string> splitKeys(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto end = s.find_first_of(",\n\r", i);
    std::string_view part =
        s.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return out;
}

}  // namespace

Status AdminApi::reloadConfig() {
  auto items = d_.config.all();
  if (!items) return items.error();
  std::map<std::string, std::string> raw;
  for (auto& i : *items) raw[i.key] = i.value;
  d_.runtime.publish(std::move(raw));
  d_.pool.configure(config::poolSettingsOf(*d_.runtime.snapshot()));
  return {};
}

asio::awaitable<std::optional<AdminApi::Caller>> AdminApi::requireAdmin(HttpExchange& ex) {
  using bhttp::verb;
  AdminDeps* d = &d_;
  auto& req = ex.request();
  std::string token(bearer(req[bhttp::field::authorization]));
  bool via_cookie = false;
  if (token.empty()) {
    token = cookieValue(req[bhttp::field::cookie], kCookie);
    via_cookie = !token.empty();
  }
  if (token.empty()) {
    co_await sendError(ex, 401, "Not authenticated", "unauthorized");
    co_return std::nullopt;
  }
  // Cookie sessions must prove the request came from the console (CSRF): a custom header that
  // a cross-site form cannot set.
  if (via_cookie && req.method() != verb::get && req.method() != verb::head &&
      req["X-Poise-Request"].empty()) {
    co_await sendError(ex, 403, "missing X-Poise-Request header", "csrf");
    co_return std::nullopt;
  }
  auto job1 = [d, token] { return d->sessions.authenticate(token); };
  auto user = co_await d->blocking.run(job1);
  if (!user) {
    co_await sendFailure(ex, user.error());
    co_return std::nullopt;
  }
  co_return Caller{std::move(*user), std::move(token)};
}

asio::awaitable<void> AdminApi::unmatched(HttpExchange& ex, bool method_not_allowed) {
  auto caller = co_await requireAdmin(ex);
  if (!caller) co_return;
  if (method_not_allowed) {
    co_await sendError(ex, 405, "Method Not Allowed", "method_not_allowed");
  } else {
    co_await sendError(ex, 404, "Not Found", "not_found");
  }
}

void AdminApi::audit(const Caller& c, HttpExchange& ex, std::string action, std::string target,
                     std::string detail) {
  AdminDeps* d = &d_;
  storage::AuditEntry e;
  e.user_id = c.user.id;
  e.username = c.user.username;
  e.action = std::move(action);
  e.target = std::move(target);
  e.detail = std::move(detail);
  e.ip = ex.info().remote_ip;
  e.created_at = d->clock.now();
  d->blocking.post([d, e = std::move(e)] {
    if (auto r = d->audit.append(e); !r) {
      spdlog::error("msg=\"audit write failed\" error={}", logValue(r.error().message));
    }
  });
}

asio::awaitable<bool> AdminApi::saveConfig(HttpExchange& ex, const Caller& caller,
                                           std::vector<storage::ConfigEntry> entries) {
  AdminDeps* d = &d_;
  AdminApi* self = this;
  const auto current = d->runtime.snapshot();
  std::vector<storage::ConfigEntry> changed;
  for (auto& e : entries) {
    if (config::isSecretConfigKey(e.key)) {
      const auto it = current->raw.find(e.key);
      if (it != current->raw.end() && config::echoesMaskedSecret(e.value, it->second)) continue;
    }
    if (e.key == "target_api_url") e.value = config::normalizeTargetUrl(e.value);
    if (auto st = config::validateConfigValue(e.key, e.value, d->listen); !st) {
      co_await sendError(ex, 422, st.error().message, "invalid_config");
      co_return false;
    }
    changed.push_back(std::move(e));
  }
  if (changed.empty()) co_return true;
  auto job17 = [d, self, changed, uid = caller.user.id] {
    auto w = d->config.upsertMany(changed, uid, d->clock.now());
    if (!w) return w;
    return self->reloadConfig();
  };
  auto st = co_await d->blocking.run(job17);
  if (!st) {
    co_await sendFailure(ex, st.error());
    co_return false;
  }
  std::string keys;
  for (const auto& e : changed) keys += (keys.empty() ? "" : ",") + e.key;
  audit(caller, ex, "config.update", keys, "");
  co_return true;
}

void AdminApi::registerRoutes(http::Router& r) {
  using bhttp::verb;
  AdminDeps* d = &d_;
  AdminApi* self = this;

  // Authenticates the caller. On failure it answers 401 and returns nullopt.
  auto requireAdmin = [self](HttpExchange& ex) { return self->requireAdmin(ex); };

  auto audit = [self](const Caller& c, HttpExchange& ex, std::string action, std::string target,
                      std::string detail) {
    self->audit(c, ex, std::move(action), std::move(target), std::move(detail));
  };

  // POST /api/v1/login. The throttle slot is taken before the password is checked, and the check
  // runs on the HashingPool, whose bounded queue refuses a flood at once (503).
  r.add(verb::post, "/api/v1/login",
        [d](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          auto username = o ? optionalString(*o, "username") : std::nullopt;
          auto password = o ? optionalString(*o, "password") : std::nullopt;
          if (!username || !password) {
            co_await sendError(ex, 422, "username and password are required", "validation_error");
            co_return;
          }
          const std::string ip = ex.info().remote_ip;
          const std::string ua(ex.request()[bhttp::field::user_agent]);
          auth::LoginAttempt attempt = d->sessions.beginLogin(*username, ip);
          if (!attempt.admitted()) {
            const std::string wait = std::to_string(attempt.retryAfter().count());
            const std::string message =
                attempt.locked() ? "too many failed logins; try again in " + wait + " seconds"
                                 : "too many logins in progress; try again in " + wait + " seconds";
            const std::string_view code = attempt.locked() ? "locked" : "too_many_requests";
            co_await sendRetryLater(ex, 429, message, code, attempt.retryAfter());
            co_return;
          }
          auto job2 = [d, a = &attempt, p = *password, ua] { return d->sessions.login(*a, p, ua); };
          auto checked = co_await d->hashing.tryRun(job2);
          if (!checked) {
            co_await sendHashingBusy(ex);
            co_return;
          }
          auto& result = *checked;
          storage::AuditEntry e;
          // Only a name that belongs to a user is recorded: an unknown one may be a password
          // typed into the wrong field.
          e.username = attempt.knownUser() ? *username : std::string(kUnknownUser);
          e.ip = ip;
          e.created_at = d->clock.now();
          if (!result) {
            if (statusFor(result.error()) == 500) {
              co_await sendFailure(ex, result.error());
              co_return;
            }
            e.action = "login.failed";
            e.detail = result.error().code + (attempt.startedLock() ? "; locked" : "");
            d->blocking.post([d, e] { (void)d->audit.append(e); });
            co_await sendFailure(ex, result.error());
            co_return;
          }
          e.user_id = result->user.id;
          e.action = "login";
          d->blocking.post([d, e] { (void)d->audit.append(e); });
          json::object out;
          out["access_token"] = result->token;
          out["token_type"] = "bearer";
          out["must_change_password"] = result->user.must_change_password;
          auto res = http::jsonResponse(200, json::serialize(out));
          res.set(bhttp::field::set_cookie, std::string(kCookie) + "=" + result->token +
                                                "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                                std::to_string(d->session_minutes * 60));
          co_await respond(ex, std::move(res));
        });

  r.add(verb::post, "/api/v1/logout",
        [d, requireAdmin, audit](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto job3 = [d, t = caller->token] { return d->sessions.logout(t); };
          auto st = co_await d->blocking.run(job3);
          if (!st) {
            co_await sendFailure(ex, st.error());
            co_return;
          }
          audit(*caller, ex, "logout", "", "");
          json::object out;
          out["message"] = "Successfully logged out";
          auto res = http::jsonResponse(200, json::serialize(out));
          res.set(bhttp::field::set_cookie,
                  std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
          co_await respond(ex, std::move(res));
        });

  r.add(verb::get, "/api/v1/users/me",
        [requireAdmin](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          json::object out;
          out["id"] = caller->user.id;
          out["username"] = caller->user.username;
          out["is_active"] = caller->user.is_active;
          out["must_change_password"] = caller->user.must_change_password;
          co_await sendJson(ex, 200, out);
        });

  r.add(verb::post, "/api/v1/users/change-password",
        [d, requireAdmin, audit](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          auto cur = o ? optionalString(*o, "current_password") : std::nullopt;
          auto next = o ? optionalString(*o, "new_password") : std::nullopt;
          if (!cur || !next) {
            co_await sendError(ex, 422, "current_password and new_password are required",
                               "validation_error");
            co_return;
          }
          // The initial-admin-password file goes once the password it holds is replaced.
          auto job4 = [d, id = caller->user.id, t = caller->token, c = *cur, n = *next] {
            auto changed = d->sessions.changePassword(id, t, c, n);
            if (changed && auth::forgetInitialPassword(d->data_dir, c)) {
              spdlog::info("msg=\"initial admin password file removed\"");
            }
            return changed;
          };
          auto checked = co_await d->hashing.tryRun(job4);
          if (!checked) {
            co_await sendHashingBusy(ex);
            co_return;
          }
          auto& st = *checked;
          if (!st) {
            const unsigned status =
                st.error().code == "invalid_credentials" ? 400 : statusFor(st.error());
            co_await sendError(ex, status, st.error().message, st.error().code);
            co_return;
          }
          audit(*caller, ex, "user.change_password", caller->user.username, "");
          json::object out;
          out["message"] = "Password changed successfully";
          co_await sendJson(ex, 200, out);
        });

  // Keys: bulk add (string) and add-list (array) share one implementation.
  auto addKeys = [d, audit](HttpExchange& ex, const Caller& caller,
                            std::vector<std::string> values) -> asio::awaitable<void> {
    if (values.size() > 200'000) {
      co_await sendError(ex, 413, "at most 200000 keys per request", "too_many_keys");
      co_return;
    }
    auto job5 = [d, v = std::move(values)]() mutable {
      return d->keys.addMany(std::move(v), d->clock.now());
    };
    auto result = co_await d->blocking.run(job5);
    if (!result) {
      co_await sendFailure(ex, result.error());
      co_return;
    }
    for (const auto& k : result->added) d->pool.upsert(poolKeyOf(k));
    audit(caller, ex, "key.bulk_add", "", "added " + std::to_string(result->total_added));
    json::object out;
    out["total_processed"] = result->total_processed;
    out["total_added"] = result->total_added;
    co_await sendJson(ex, 200, out);
  };

  r.add(verb::post, "/api/v1/api_keys/bulk-add",
        [requireAdmin, addKeys](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          auto s = o ? optionalString(*o, "keys_string") : std::nullopt;
          if (!s) {
            co_await sendError(ex, 422, "keys_string (a string) is required", "validation_error");
            co_return;
          }
          co_await addKeys(ex, *caller, splitKeys(*s));
        });

  r.add(verb::post, "/api/v1/api_keys/add-list",
        [requireAdmin, addKeys](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          const json::value* list = o ? o->if_contains("keys") : nullptr;
          if (!list || !list->is_array()) {
            co_await sendError(ex, 422, "keys (an array of strings) is required",
                               "validation_error");
            co_return;
          }
          std::vector<std::string> values;
          for (const auto& v : list->as_array()) {
            if (!v.is_string()) {
              co_await sendError(ex, 422, "keys must be strings", "validation_error");
              co_return;
            }
            for (auto& k : splitKeys(v.as_string())) values.push_back(std::move(k));
          }
          co_await addKeys(ex, *caller, std::move(values));
        });

  r.add(verb::get, "/api/v1/api_keys/paginated",
        [d, requireAdmin](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          storage::KeyListQuery q;
          const auto page = queryParam(ex, "page");
          const auto size = queryParam(ex, "page_size");
          if ((!page.empty() && (!parseNumber(page, q.page) || q.page < 1)) ||
              (!size.empty() &&
               (!parseNumber(size, q.page_size) || q.page_size < 1 || q.page_size > 1000))) {
            co_await sendError(ex, 422, "page must be >= 1 and page_size 1..1000",
                               "validation_error");
            co_return;
          }
          if (auto s = queryParam(ex, "status"); !s.empty()) {
            if (!storage::isKeyStatus(s)) {
              co_await sendError(ex, 422,
                                 "status must be one of active, exhausted, error, disabled",
                                 "invalid_status");
              co_return;
            }
            q.status = s;
          }
          if (auto s = queryParam(ex, "search_key"); !s.empty()) q.search = s;
          if (auto s = queryParam(ex, "min_failed_count"); !s.empty()) {
            std::int64_t n = 0;
            if (!parseNumber(s, n) || n < 0) {
              co_await sendError(ex, 422, "min_failed_count must be >= 0", "validation_error");
              co_return;
            }
            q.min_failed_count = n;
          }
          // The status and min_failed_count filters select by the stored row, which the flusher
          // brings up to the pool within a second; every row shown carries the live state.
          auto job6 = [d, q] {
            auto rows = d->keys.list(q);
            if (rows) overlayLive(rows->items, d->pool);
            return rows;
          };
          auto page_r = co_await d->blocking.run(job6);
          if (!page_r) {
            co_await sendFailure(ex, page_r.error());
            co_return;
          }
          json::array items;
          for (const auto& k : page_r->items) items.push_back(keyJson(k));
          json::object out;
          out["total"] = page_r->total;
          out["items"] = std::move(items);
          co_await sendJson(ex, 200, out);
        });

  // Key counts by status (the seed's shape, plus disabled_keys).
  // From the pool's counters: O(1), no database scan.
  r.add(verb::get, "/api/v1/api_keys/statistics/keys",
        [d, requireAdmin](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          const auto c = d->pool.statusCounts();
          json::object out;
          out["active_keys"] = c.active;
          out["exhausted_keys"] = c.exhausted;
          out["error_keys"] = c.error;
          out["disabled_keys"] = c.disabled;
          out["total_keys"] = c.total();
          co_await sendJson(ex, 200, out);
        });

  // DELETE /api/v1/api_keys/bulk-delete with a bare JSON array of ids (the seed's shape), or
  // {"ids": [...]}.
  r.add(verb::delete_, "/api/v1/api_keys/bulk-delete",
        [d, requireAdmin, audit](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::array* arr = nullptr;
          if (body && body->is_array()) arr = &body->as_array();
          if (body && body->is_object()) {
            if (auto* ids = body->as_object().if_contains("ids"); ids && ids->is_array()) {
              arr = &ids->as_array();
            }
          }
          if (!arr) {
            co_await sendError(ex, 422, "expected a JSON array of key ids", "validation_error");
            co_return;
          }
          std::vector<std::int64_t> ids;
          for (const auto& v : *arr) {
            if (!v.is_int64()) {
              co_await sendError(ex, 422, "key ids must be integers", "validation_error");
              co_return;
            }
            ids.push_back(v.as_int64());
          }
          auto job7 = [d, ids] { return d->keys.removeMany(ids); };
          auto n = co_await d->blocking.run(job7);
          if (!n) {
            co_await sendFailure(ex, n.error());
            co_return;
          }
          for (auto id : ids) d->pool.remove(id);
          audit(*caller, ex, "key.bulk_delete", "", "deleted " + std::to_string(*n));
          json::object out;
          out["detail"] = "Successfully deleted " + std::to_string(*n) + " API Key(s)";
          out["deleted"] = *n;
          co_await sendJson(ex, 200, out);
        });

  // POST /api/v1/api_keys: create one.
  r.add(verb::post, "/api/v1/api_keys",
        [d, requireAdmin, audit](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          auto value = o ? optionalString(*o, "key_value") : std::nullopt;
          if (!value || value->empty() || value->find_first_of(" ,\n\r\t") != std::string::npos) {
            co_await sendError(ex, 422,
                               "key_value must be a non-empty key without spaces or commas",
                               "validation_error");
            co_return;
          }
          const std::string status = optionalString(*o, "status").value_or("active");
          const std::string priority = optionalString(*o, "priority").value_or("normal");
          const std::string description = optionalString(*o, "description").value_or("");
          if (!storage::isKeyStatus(status)) {
            co_await sendError(ex, 422, "status must be one of active, exhausted, error, disabled",
                               "invalid_status");
            co_return;
          }
          if (!storage::isKeyPriority(priority)) {
            co_await sendError(ex, 422, "priority must be one of high, normal, low",
                               "invalid_priority");
            co_return;
          }
          auto job8 = [d, v = *value, status, description, priority] {
            return d->keys.create(v, status, description, priority);
          };
          auto created = co_await d->blocking.run(job8);
          if (!created) {
            if (created.error().code == "conflict") {
              co_await sendError(ex, 409, "this key already exists", "duplicate_key");
            } else {
              co_await sendFailure(ex, created.error());
            }
            co_return;
          }
          d->pool.upsert(poolKeyOf(*created));
          audit(*caller, ex, "key.create", std::to_string(created->id), created->masked);
          co_await sendJson(ex, 201, keyJson(*created));
        });

  // GET /api/v1/api_keys?skip&limit: the seed's plain list.
  r.add(verb::get, "/api/v1/api_keys",
        [d, requireAdmin](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          int skip = 0;
          int limit = 100;
          const auto s = queryParam(ex, "skip");
          const auto l = queryParam(ex, "limit");
          if ((!s.empty() && (!parseNumber(s, skip) || skip < 0)) ||
              (!l.empty() && (!parseNumber(l, limit) || limit < 1 || limit > 1000))) {
            co_await sendError(ex, 422, "skip must be >= 0 and limit 1..1000", "validation_error");
            co_return;
          }
          // Served through the paginated query: pages of `limit` rows starting at `skip`.
          storage::KeyListQuery q;
          q.page_size = limit;
          q.page = skip / limit + 1;
          const int offset_in_page = skip % limit;
          auto job9 = [d, q] {
            auto rows = d->keys.list(q);
            if (rows) overlayLive(rows->items, d->pool);
            return rows;
          };
          auto page_r = co_await d->blocking.run(job9);
          if (!page_r) {
            co_await sendFailure(ex, page_r.error());
            co_return;
          }
          json::array items;
          for (std::size_t i = static_cast<std::size_t>(offset_in_page); i < page_r->items.size();
               ++i) {
            items.push_back(keyJson(page_r->items[i]));
          }
          co_await sendJson(ex, 200, items);
        });

  auto parseId = [](const RouteParams& p) -> std::optional<std::int64_t> {
    std::int64_t id = 0;
    if (!parseNumber(p.get("id"), id) || id <= 0) return std::nullopt;
    return id;
  };
  // Loads the key named by {id}; on failure answers 404 (or the repository's error) and returns
  // nullopt.
  auto loadKey = [d, parseId](
                     HttpExchange& ex,
                     const RouteParams& p) -> asio::awaitable<std::optional<storage::ApiKey>> {
    auto id = parseId(p);
    if (!id) {
      co_await sendError(ex, 404, "API Key not found", "not_found");
      co_return std::nullopt;
    }
    auto job = [d, i = *id] {
      auto row = d->keys.get(i);
      if (row) overlayLive(std::span(&*row, 1), d->pool);
      return row;
    };
    auto key = co_await d->blocking.run(job);
    if (!key) {
      co_await sendFailure(ex, key.error());
      co_return std::nullopt;
    }
    co_return std::move(*key);
  };

  r.add(verb::get, "/api/v1/api_keys/{id}/reveal",
        [requireAdmin, audit, loadKey](HttpExchange& ex,
                                       const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto key = co_await loadKey(ex, p);
          if (!key) co_return;
          audit(*caller, ex, "key.reveal", std::to_string(key->id), key->masked);
          json::object out;
          out["id"] = key->id;
          out["key_value"] = key->value;
          co_await sendJson(ex, 200, out);
        });

  // One key in depth: the stored row, the live state in the pool (status, failure streak and the
  // per-model cooldowns in force, with their end times) and the status history, newest first.
  r.add(
      verb::get, "/api/v1/api_keys/{id}/detail",
      [d, requireAdmin, parseId](HttpExchange& ex, const RouteParams& p) -> asio::awaitable<void> {
        auto caller = co_await requireAdmin(ex);
        if (!caller) co_return;
        auto id = parseId(p);
        if (!id) {
          co_await sendError(ex, 404, "API Key not found", "not_found");
          co_return;
        }
        // The history, then the row, then one pass over the pool: the row's fields, live.* and
        // the newest history entry (a change the flusher has not written yet) are one snapshot.
        auto job = [d, i = *id] {
          DetailRead out;
          auto history = d->keys.history(i, 100);
          auto row = d->keys.get(i);
          if (!row) {
            out.error = row.error();
          } else if (!history) {
            out.error = history.error();
          } else {
            const auto live = overlayLive(std::span(&*row, 1), d->pool);
            out.history = liveHistory(std::move(*history), live.front());
            out.key = std::move(*row);
          }
          return out;
        };
        auto read = co_await d->blocking.run(job);
        if (read.error) {
          co_await sendFailure(ex, *read.error);
          co_return;
        }
        const storage::ApiKey* key = &*read.key;
        const auto* history = &read.history;
        json::object out = keyJson(*key);
        json::object live;
        live["status"] = key->status;
        live["failed_count"] = key->failed_count;
        json::array cooldowns;
        for (const auto& c : d->pool.cooldowns(key->id)) {
          cooldowns.push_back(json::object{
              {"model", c.model}, {"until", formatIso8601(c.until)}, {"reason", c.reason}});
        }
        live["cooldowns"] = std::move(cooldowns);
        if (auto b = d->pool.bucket(key->id)) {
          live["bucket"] = json::object{{"capacity", b->capacity},
                                        {"tokens", std::floor(b->tokens * 1000.0) / 1000.0},
                                        {"refill_rate", b->refill_rate},
                                        {"priority", keys::toString(b->priority)},
                                        {"overridden", b->overridden}};
        }
        if (d->calls) {
          const auto day = d->calls->keyLast24h(key->id, d->clock.now());
          live["usage_last_24_hours"] = day.calls;
          live["failures_last_24_hours"] = day.failures;
        }
        out["live"] = std::move(live);
        json::array changes;
        for (const auto& h : *history) {
          changes.push_back(json::object{{"from_status", h.from_status},
                                         {"to_status", h.to_status},
                                         {"reason", h.reason},
                                         {"created_at", formatIso8601(h.created_at)}});
        }
        out["status_history"] = std::move(changes);
        co_await sendJson(ex, 200, out);
      });

  r.add(verb::get, "/api/v1/api_keys/{id}",
        [requireAdmin, loadKey](HttpExchange& ex, const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto key = co_await loadKey(ex, p);
          if (!key) co_return;
          co_await sendJson(ex, 200, keyJson(*key));
        });

  r.add(
      verb::put, "/api/v1/api_keys/{id}",
      [d, requireAdmin, audit, parseId](HttpExchange& ex,
                                        const RouteParams& p) -> asio::awaitable<void> {
        auto caller = co_await requireAdmin(ex);
        if (!caller) co_return;
        auto id = parseId(p);
        auto body = parseBody(ex);
        const json::object* o = body ? body->if_object() : nullptr;
        if (!id || !o) {
          co_await sendError(ex, id ? 422 : 404,
                             id ? "expected a JSON object" : "API Key not found",
                             id ? "validation_error" : "not_found");
          co_return;
        }
        storage::KeyPatch patch;
        patch.value = optionalString(*o, "key_value");
        patch.status = optionalString(*o, "status");
        patch.description = optionalString(*o, "description");
        patch.priority = optionalString(*o, "priority");
        patch.status_reason = "changed by " + caller->user.username;
        if (patch.status && !storage::isKeyStatus(*patch.status)) {
          co_await sendError(ex, 422, "status must be one of active, exhausted, error, disabled",
                             "invalid_status");
          co_return;
        }
        if (patch.priority && !storage::isKeyPriority(*patch.priority)) {
          co_await sendError(ex, 422, "priority must be one of high, normal, low",
                             "invalid_priority");
          co_return;
        }
        if (patch.value &&
            (patch.value->empty() || patch.value->find_first_of(" ,\n\r\t") != std::string::npos)) {
          co_await sendError(ex, 422, "key_value must be a non-empty key without spaces or commas",
                             "validation_error");
          co_return;
        }
        auto job12 = [d, i = *id, patch] { return d->keys.update(i, patch); };
        auto updated = co_await d->blocking.run(job12);
        if (!updated) {
          if (updated.error().code == "conflict") {
            co_await sendError(ex, 409, "another key already has this value", "duplicate_key");
          } else {
            co_await sendFailure(ex, updated.error());
          }
          co_return;
        }
        // Reload the plaintext for the pool (update returns it when the value changed).
        auto job13 = [d, i = *id] { return d->keys.get(i); };
        auto full = co_await d->blocking.run(job13);
        // Without a new status the pool's own status and failures stand (the row may lag them).
        if (full) d->pool.upsert(poolKeyOf(*full), !patch.status.has_value());
        storage::ApiKey shown = *updated;
        overlayLive(std::span(&shown, 1), d->pool);
        audit(*caller, ex, "key.update", std::to_string(*id),
              patch.status ? "status=" + *patch.status : "");
        co_await sendJson(ex, 200, keyJson(shown));
      });

  r.add(verb::delete_, "/api/v1/api_keys/{id}",
        [d, requireAdmin, audit, parseId](HttpExchange& ex,
                                          const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto id = parseId(p);
          if (!id) {
            co_await sendError(ex, 404, "API Key not found", "not_found");
            co_return;
          }
          auto job14 = [d, i = *id] { return d->keys.remove(i); };
          auto st = co_await d->blocking.run(job14);
          if (!st) {
            co_await sendFailure(ex, st.error());
            co_return;
          }
          d->pool.remove(*id);
          audit(*caller, ex, "key.delete", std::to_string(*id), "");
          json::object out;
          out["detail"] = "API Key deleted";
          co_await sendJson(ex, 200, out);
        });

  // Config.
  auto configJson = [](const storage::ConfigItem& i) {
    json::object o;
    o["id"] = i.id;
    o["key"] = i.key;
    o["value"] = config::isSecretConfigKey(i.key) ? maskSecret(i.value) : i.value;
    o["updated_at"] = formatIso8601(i.updated_at);
    o["updated_by_user_id"] =
        i.updated_by_user_id ? json::value(*i.updated_by_user_id) : json::value(nullptr);
    return o;
  };

  r.add(
      verb::get, "/api/v1/config",
      [d, requireAdmin, configJson](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
        auto caller = co_await requireAdmin(ex);
        if (!caller) co_return;
        auto job15 = [d] { return d->config.all(); };
        auto items = co_await d->blocking.run(job15);
        if (!items) {
          co_await sendFailure(ex, items.error());
          co_return;
        }
        json::array out;
        for (const auto& i : *items) out.push_back(configJson(i));
        co_await sendJson(ex, 200, out);
      });

  r.add(verb::get, "/api/v1/config/{key}",
        [d, requireAdmin, configJson](HttpExchange& ex,
                                      const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto job16 = [d, k = std::string(p.get("key"))] { return d->config.get(k); };
          auto item = co_await d->blocking.run(job16);
          if (!item) {
            co_await sendFailure(ex, item.error());
            co_return;
          }
          if (!*item) {
            const std::string message = "Config key '" + std::string(p.get("key")) + "' not found";
            co_await sendError(ex, 404, message, "not_found");
            co_return;
          }
          co_await sendJson(ex, 200, configJson(**item));
        });

  // Saves validated entries and publishes the new snapshot at once.
  auto saveConfig = [self](HttpExchange& ex, const Caller& caller,
                           std::vector<storage::ConfigEntry> entries) {
    return self->saveConfig(ex, caller, std::move(entries));
  };

  r.add(verb::post, "/api/v1/config/bulk-save",
        [requireAdmin, saveConfig](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          const json::value* items = o ? o->if_contains("items") : nullptr;
          if (!items || !items->is_array()) {
            co_await sendError(ex, 422, "items (an array of {key, value}) is required",
                               "validation_error");
            co_return;
          }
          std::vector<storage::ConfigEntry> entries;
          for (const auto& it : items->as_array()) {
            const auto* io = it.if_object();
            auto k = io ? optionalString(*io, "key") : std::nullopt;
            const json::value* v = io ? io->if_contains("value") : nullptr;
            auto value = v ? configValueText(*v) : std::nullopt;
            if (!k || !value) {
              co_await sendError(ex, 422, "each item needs a string key and a value",
                                 "validation_error");
              co_return;
            }
            entries.push_back({*k, std::move(*value)});
          }
          const std::size_t n = entries.size();
          if (!co_await saveConfig(ex, *caller, std::move(entries))) co_return;
          json::object out;
          out["detail"] = "Successfully processed " + std::to_string(n) + " config items.";
          co_await sendJson(ex, 200, out);
        });

  r.add(verb::put, "/api/v1/config/{key}",
        [d, requireAdmin, saveConfig, configJson](HttpExchange& ex,
                                                  const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          auto value = o ? optionalString(*o, "value") : std::nullopt;
          if (!value) {
            co_await sendError(ex, 422, "value (a string) is required", "validation_error");
            co_return;
          }
          const std::string key(p.get("key"));
          std::vector<storage::ConfigEntry> entries;
          entries.push_back({key, *value});
          if (!co_await saveConfig(ex, *caller, std::move(entries))) co_return;
          auto job18 = [d, key] { return d->config.get(key); };
          auto item = co_await d->blocking.run(job18);
          if (!item || !*item) {
            co_await sendError(ex, 500, "config vanished after saving", "internal_error");
            co_return;
          }
          co_await sendJson(ex, 200, configJson(**item));
        });

  r.add(verb::get, "/api/v1/audit",
        [d, requireAdmin](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await requireAdmin(ex);
          if (!caller) co_return;
          int page = 1;
          int size = 50;
          const auto ps = queryParam(ex, "page");
          const auto ss = queryParam(ex, "page_size");
          if ((!ps.empty() && !parseNumber(ps, page)) || (!ss.empty() && !parseNumber(ss, size)) ||
              page < 1 || size < 1 || size > 1000) {
            co_await sendError(ex, 422, "page must be >= 1 and page_size 1..1000",
                               "validation_error");
            co_return;
          }
          auto job19 = [d, page, size] { return d->audit.list(page, size); };
          auto list = co_await d->blocking.run(job19);
          if (!list) {
            co_await sendFailure(ex, list.error());
            co_return;
          }
          json::array items;
          for (const auto& e : list->items) {
            json::object o;
            o["id"] = e.id;
            o["user_id"] = e.user_id ? json::value(*e.user_id) : json::value(nullptr);
            o["username"] = e.username;
            o["action"] = e.action;
            o["target"] = e.target;
            o["detail"] = e.detail;
            o["ip"] = e.ip;
            o["created_at"] = formatIso8601(e.created_at);
            items.push_back(std::move(o));
          }
          json::object out;
          out["total"] = list->total;
          out["items"] = std::move(items);
          co_await sendJson(ex, 200, out);
        });
}

}  // namespace poise::admin
