#include "admin/key_check_routes.h"

#include <boost/json.hpp>
#include <unordered_set>

#include "admin/admin_support.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
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
  ErrorCode code = ErrorCode::ValidationError;
};

KeyIds parseKeyIds(const json::object& o, const keys::KeyPool& pool, std::size_t limit) {
  KeyIds out;
  auto fail = [&](unsigned status, std::string message, ErrorCode code) {
    out.ids.clear();
    out.status = status;
    out.message = std::move(message);
    out.code = code;
    return out;
  };
  const json::array* v = arrayMember(o, "key_ids");
  if (!v) {
    return fail(422, "key_ids (a list of key ids) is required", ErrorCode::ValidationError);
  }
  std::unordered_set<std::int64_t> seen;
  for (const auto& e : *v) {
    std::int64_t id = 0;
    if (e.is_int64()) {
      id = e.as_int64();
    } else if (e.is_uint64() && e.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      id = static_cast<std::int64_t>(e.as_uint64());
    } else {
      return fail(422, "key_ids must hold integers only", ErrorCode::ValidationError);
    }
    if (id <= 0) return fail(422, "key ids are positive integers", ErrorCode::ValidationError);
    if (seen.insert(id).second) out.ids.push_back(id);
  }
  if (out.ids.empty()) return fail(422, "key_ids must not be empty", ErrorCode::ValidationError);
  if (out.ids.size() > limit) {
    return fail(422, "at most " + std::to_string(limit) + " keys per request",
                ErrorCode::ValidationError);
  }
  std::string missing;
  std::size_t n_missing = 0;
  for (auto id : out.ids) {
    if (pool.get(id)) continue;
    if (++n_missing <= 10) missing += (missing.empty() ? "" : ", ") + std::to_string(id);
  }
  if (n_missing > 0) {
    if (n_missing > 10) missing += ", …";
    return fail(404, "API Key not found: " + missing, ErrorCode::NotFound);
  }
  return out;
}

}  // namespace

void registerKeyCheckRoutes(http::Router& r, AdminApi& admin, jobs::KeyChecker& checker) {
  AdminApi* a = &admin;
  jobs::KeyChecker* c = &checker;
  keys::KeyPool* pool = &admin.deps().pool;

  admin.add(r, {.method = verb::post,
                .pattern = "/api/v1/api_keys/bulk-check",
                .body = Body::Object,
                .summary = "Check keys in the background; answers a task id (202)",
                .handler = [a, c, pool](const AdminRequest& rq) -> asio::awaitable<Response> {
                  KeyIds parsed = parseKeyIds(rq.object(), *pool, kMaxBulkKeys);
                  if (parsed.status != 0) {
                    co_return errorReply(parsed.status, parsed.message, parsed.code);
                  }
                  const std::size_t total = parsed.ids.size();
                  auto task = c->startBulk(std::move(parsed.ids));
                  if (!task) co_return failureReply(task.error(), rq.info.request_id);
                  a->audit(rq, "key.bulk_check", *task, std::to_string(total) + " keys");
                  json::object out;
                  out["message"] = "apiKeys.bulkCheckTaskCreated";
                  out["task_id"] = *task;
                  out["total_keys"] = total;
                  co_return jsonReply(202, out);
                }});

  admin.add(r, {.method = verb::get,
                .pattern = "/api/v1/api_keys/bulk-check/{task_id}/status",
                .summary = "A background check's progress and results",
                .handler = [c](const AdminRequest& rq) -> asio::awaitable<Response> {
                  auto task = c->tasks().get(std::string(rq.param("task_id")));
                  if (!task) co_return errorReply(404, "Task not found", ErrorCode::NotFound);
                  co_return jsonReply(200, taskJson(*task));
                }});

  admin.add(r, {.method = verb::post,
                .pattern = "/api/v1/api_keys/bulk-check-sync",
                .body = Body::Object,
                .summary = "Check up to 1000 keys and answer when all are done",
                .handler = [a, c, pool](const AdminRequest& rq) -> asio::awaitable<Response> {
                  KeyIds parsed = parseKeyIds(rq.object(), *pool, kMaxSyncKeys);
                  if (parsed.status != 0) {
                    co_return errorReply(parsed.status, parsed.message, parsed.code);
                  }
                  a->audit(rq, "key.bulk_check_sync", "",
                           std::to_string(parsed.ids.size()) + " keys");
                  auto results = co_await c->checkMany(std::move(parsed.ids));
                  json::object out;
                  out["results"] = resultsJson(results);
                  co_return jsonReply(200, out);
                }});

  admin.add(r, {.method = verb::post,
                .pattern = "/api/v1/api_keys/check/{id}",
                .summary = "Check one key now",
                .handler = [a, c](const AdminRequest& rq) -> asio::awaitable<Response> {
                  auto id = positiveId(rq.param("id"));
                  if (!id) co_return errorReply(404, "API Key not found", ErrorCode::NotFound);
                  auto result = co_await c->check(*id);
                  if (!result) co_return errorReply(404, "API Key not found", ErrorCode::NotFound);
                  a->audit(rq, "key.check", std::to_string(*id), result->status);
                  co_return jsonReply(200, checkJson(*result));
                }});
}

}  // namespace poise::admin
