#include "admin/key_check_routes.h"

#include <boost/json.hpp>
#include <unordered_set>

#include "admin/admin_support.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using http::RouteParams;
using net::HttpExchange;
using namespace support;

namespace {

// More ids than this in one request are refused (422).
constexpr std::size_t kMaxBulkKeys = 100'000;
// bulk-check-sync answers only when every check is done; larger lists belong in bulk-check.
constexpr std::size_t kMaxSyncKeys = 1'000;

json::object checkJson(const jobs::CheckResult& r) {
  return json::object{{"key_id", r.key_id},
                      {"key_value", r.key_value},
                      {"status", r.status},
                      {"message", r.message},
                      {"key_status", r.key_status}};
}

json::array resultsJson(const std::vector<jobs::CheckResult>& results) {
  json::array out;
  out.reserve(results.size());
  for (const auto& r : results) out.push_back(checkJson(r));
  return out;
}

json::object taskJson(const jobs::BulkTask& t) {
  json::array ids;
  ids.reserve(t.key_ids.size());
  for (auto id : t.key_ids) ids.push_back(id);
  json::value error = nullptr;
  if (t.error) error = json::value(*t.error);
  return json::object{{"task_id", t.task_id},
                      {"key_ids", std::move(ids)},
                      {"status", jobs::toString(t.status)},
                      {"progress", t.progress()},
                      {"total_keys", t.totalKeys()},
                      {"completed_keys", t.completed_keys},
                      {"results", resultsJson(t.results)},
                      {"created_at", formatIso8601(t.created_at)},
                      {"started_at", timeOrNull(t.started_at)},
                      {"finished_at", timeOrNull(t.finished_at)},
                      {"error", std::move(error)}};
}

// The key ids of a {"key_ids":[…]} body: positive integers, duplicates dropped (first kept),
// between 1 and `limit` of them, every one a known key. On failure the answer's status and
// message.
struct KeyIds {
  std::vector<std::int64_t> ids;
  unsigned status = 0;
  std::string message;
  std::string code;
};

KeyIds parseKeyIds(HttpExchange& ex, const keys::KeyPool& pool, std::size_t limit) {
  KeyIds out;
  auto fail = [&](unsigned status, std::string message, std::string code) {
    out.ids.clear();
    out.status = status;
    out.message = std::move(message);
    out.code = std::move(code);
    return out;
  };
  auto body = parseBody(ex);
  const json::object* o = body ? body->if_object() : nullptr;
  const json::value* v = o ? o->if_contains("key_ids") : nullptr;
  if (!v || !v->is_array()) {
    return fail(422, "key_ids (a list of key ids) is required", "validation_error");
  }
  std::unordered_set<std::int64_t> seen;
  for (const auto& e : v->as_array()) {
    std::int64_t id = 0;
    if (e.is_int64()) {
      id = e.as_int64();
    } else if (e.is_uint64() && e.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      id = static_cast<std::int64_t>(e.as_uint64());
    } else {
      return fail(422, "key_ids must hold integers only", "validation_error");
    }
    if (id <= 0) return fail(422, "key ids are positive integers", "validation_error");
    if (seen.insert(id).second) out.ids.push_back(id);
  }
  if (out.ids.empty()) return fail(422, "key_ids must not be empty", "validation_error");
  if (out.ids.size() > limit) {
    return fail(422, "at most " + std::to_string(limit) + " keys per request", "validation_error");
  }
  std::string missing;
  std::size_t n_missing = 0;
  for (auto id : out.ids) {
    if (pool.get(id)) continue;
    if (++n_missing <= 10) missing += (missing.empty() ? "" : ", ") + std::to_string(id);
  }
  if (n_missing > 0) {
    if (n_missing > 10) missing += ", …";
    return fail(404, "API Key not found: " + missing, "not_found");
  }
  return out;
}

}  // namespace

void registerKeyCheckRoutes(http::Router& r, AdminApi& admin, jobs::KeyChecker& checker) {
  AdminApi* a = &admin;
  jobs::KeyChecker* c = &checker;
  keys::KeyPool* pool = &admin.deps().pool;

  r.add(verb::post, "/api/v1/api_keys/bulk-check",
        [a, c, pool](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await a->requireAdmin(ex);
          if (!caller) co_return;
          KeyIds parsed = parseKeyIds(ex, *pool, kMaxBulkKeys);
          if (parsed.status != 0) {
            co_await sendError(ex, parsed.status, parsed.message, parsed.code);
            co_return;
          }
          const std::size_t total = parsed.ids.size();
          auto task = c->startBulk(std::move(parsed.ids));
          if (!task) {
            co_await sendFailure(ex, task.error());
            co_return;
          }
          a->audit(*caller, ex, "key.bulk_check", *task, std::to_string(total) + " keys");
          // Named, not a temporary in the co_await: g++ 12 mishandles the literals' arrays.
          json::object out;
          out["message"] = "apiKeys.bulkCheckTaskCreated";
          out["task_id"] = *task;
          out["total_keys"] = total;
          co_await sendJson(ex, 202, out);
        });

  r.add(verb::get, "/api/v1/api_keys/bulk-check/{task_id}/status",
        [a, c](HttpExchange& ex, const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await a->requireAdmin(ex);
          if (!caller) co_return;
          auto task = c->tasks().get(std::string(p.get("task_id")));
          if (!task) {
            co_await sendError(ex, 404, "Task not found", "not_found");
            co_return;
          }
          co_await sendJson(ex, 200, taskJson(*task));
        });

  r.add(verb::post, "/api/v1/api_keys/bulk-check-sync",
        [a, c, pool](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await a->requireAdmin(ex);
          if (!caller) co_return;
          KeyIds parsed = parseKeyIds(ex, *pool, kMaxSyncKeys);
          if (parsed.status != 0) {
            co_await sendError(ex, parsed.status, parsed.message, parsed.code);
            co_return;
          }
          a->audit(*caller, ex, "key.bulk_check_sync", "",
                   std::to_string(parsed.ids.size()) + " keys");
          auto results = co_await c->checkMany(std::move(parsed.ids));
          json::object out;
          out["results"] = resultsJson(results);
          co_await sendJson(ex, 200, out);
        });

  r.add(verb::post, "/api/v1/api_keys/check/{id}",
        [a, c](HttpExchange& ex, const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await a->requireAdmin(ex);
          if (!caller) co_return;
          std::int64_t id = 0;
          if (!parseNumber(p.get("id"), id) || id <= 0) {
            co_await sendError(ex, 404, "API Key not found", "not_found");
            co_return;
          }
          auto result = co_await c->check(id);
          if (!result) {
            co_await sendError(ex, 404, "API Key not found", "not_found");
            co_return;
          }
          a->audit(*caller, ex, "key.check", std::to_string(id), result->status);
          co_await sendJson(ex, 200, checkJson(*result));
        });
}

}  // namespace poise::admin
