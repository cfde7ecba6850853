// The key bulk routes: many keys added at once (a string or a list), changed at once and deleted
// at once.
#include <boost/json.hpp>
#include <set>
#include <variant>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"
#include "admin/key_rows.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using namespace support;

namespace {

constexpr std::size_t kMaxKeysPerRequest = 200'000;
constexpr std::size_t kMaxIdsPerUpdate = 10'000;

// The ids of a bulk update, repeats dropped (first one kept); nullopt unless every element is a
// positive integer.
std::optional<std::vector<std::int64_t>> keyIds(const json::array& arr) {
  std::vector<std::int64_t> ids;
  std::set<std::int64_t> seen;
  for (const auto& v : arr) {
    if (!v.is_int64() || v.as_int64() < 1) return std::nullopt;
    if (seen.insert(v.as_int64()).second) ids.push_back(v.as_int64());
  }
  return ids;
}

// The patch of a bulk update: status, description and priority, each validated; a key value
// is refused (values are unique, so it cannot go to many keys). A refusal's answer otherwise.
std::variant<storage::KeyPatch, Response> bulkPatch(const json::object& updates,
                                                    const std::string& username) {
  if (updates.contains("key_value")) {
    return errorReply(422, "key_value cannot be set on many keys; use PUT /api/v1/api_keys/{id}",
                      ErrorCode::ValidationError);
  }
  storage::KeyPatch patch;
  patch.status = optionalString(updates, "status");
  patch.description = optionalString(updates, "description");
  patch.priority = optionalString(updates, "priority");
  patch.status_reason = "changed by " + username + " (bulk update)";
  if (!patch.status && !patch.description && !patch.priority) {
    return errorReply(422, "updates must set status, description or priority",
                      ErrorCode::ValidationError);
  }
  if (patch.status && !storage::isKeyStatus(*patch.status)) {
    return errorReply(422, kBadStatus, ErrorCode::InvalidStatus);
  }
  if (patch.priority && !storage::isKeyPriority(*patch.priority)) {
    return errorReply(422, kBadPriority, ErrorCode::InvalidPriority);
  }
  return patch;
}

// Keys separated by commas or line breaks, blanks trimmed, empty parts dropped.
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

// bulk-add and add-list: stored (duplicates skipped), put in the pool, audited.
asio::awaitable<Response> addKeys(AdminApi& api, const AdminRequest& rq,
                                  std::vector<std::string> values) {
  const AdminDeps* d = &api.deps();
  if (values.size() > kMaxKeysPerRequest) {
    co_return errorReply(413, "at most 200000 keys per request", ErrorCode::TooManyKeys);
  }
  auto job = [d, &values] { return d->keys.addMany(std::move(values), d->clock.now()); };
  auto result = co_await d->blocking.run(job);
  if (!result) co_return failureReply(result.error(), rq.info.request_id);
  for (const auto& k : result->added) d->pool.upsert(poolKeyOf(k));
  api.audit(rq, "key.bulk_add", "", "added " + std::to_string(result->total_added));
  json::object out;
  out["total_processed"] = result->total_processed;
  out["total_added"] = result->total_added;
  co_return jsonReply(200, out);
}

}  // namespace

void registerKeyBulkRoutes(http::Router& r, AdminApi& api) {
  AdminApi* self = &api;
  const AdminDeps* d = &api.deps();

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/api_keys/bulk-add",
              .body = Body::Object,
              .summary = "Add the keys of a comma- or line-separated string",
              .handler = [self](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto s = optionalString(rq.object(), "keys_string");
                if (!s) {
                  co_return errorReply(422, "keys_string (a string) is required",
                                       ErrorCode::ValidationError);
                }
                std::vector<std::string> values = splitKeys(*s);
                co_return co_await addKeys(*self, rq, std::move(values));
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/api_keys/add-list",
              .body = Body::Object,
              .summary = "Add a list of keys",
              .handler = [self](const AdminRequest& rq) -> asio::awaitable<Response> {
                const json::array* list = arrayMember(rq.object(), "keys");
                if (!list) {
                  co_return errorReply(422, "keys (an array of strings) is required",
                                       ErrorCode::ValidationError);
                }
                std::vector<std::string> values;
                for (const auto& v : *list) {
                  if (!v.is_string()) {
                    co_return errorReply(422, "keys must be strings", ErrorCode::ValidationError);
                  }
                  for (auto& k : splitKeys(v.as_string())) values.push_back(std::move(k));
                }
                co_return co_await addKeys(*self, rq, std::move(values));
              }});

  // The seed's shape: {"key_ids": [...], "updates": {...}}. Ids with no key are answered in
  // failed_ids; the rest change in one transaction and in the live pool, as PUT /{id} does.
  api.add(r,
          {.method = verb::put,
           .pattern = "/api/v1/api_keys/bulk-update",
           .body = Body::Object,
           .summary = "Change the status, description or priority of many keys",
           .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
             const json::array* arr = arrayMember(rq.object(), "key_ids");
             auto ids = arr ? keyIds(*arr) : std::nullopt;
             const json::value* u = rq.object().if_contains("updates");
             if (!ids || ids->empty() || ids->size() > kMaxIdsPerUpdate || !u || !u->is_object()) {
               co_return errorReply(
                   422, "key_ids (1..10000 positive integers) and updates (an object) are required",
                   ErrorCode::ValidationError);
             }
             auto parsed = bulkPatch(u->as_object(), rq.admin().user.username);
             if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
             const auto patch = std::get<storage::KeyPatch>(std::move(parsed));
             auto job = [d, &ids, &patch] { return d->keys.updateMany(*ids, patch); };
             auto result = co_await d->blocking.run(job);
             if (!result) co_return failureReply(result.error(), rq.info.request_id);
             // Without a new status the pool's own status and failures stand.
             for (const auto& k : result->updated) {
               d->pool.upsert(poolKeyOf(k), !patch.status.has_value());
             }
             std::string detail = "updated " + std::to_string(result->updated.size());
             if (patch.status) detail += " status=" + *patch.status;
             if (patch.priority) detail += " priority=" + *patch.priority;
             self->audit(rq, "key.bulk_update", "", std::move(detail));
             json::array failed;
             for (auto id : result->missing) failed.push_back(id);
             json::object out;
             out["total_requested"] = ids->size();
             out["total_updated"] = result->updated.size();
             out["failed_ids"] = std::move(failed);
             co_return jsonReply(200, out);
           }});

  // A bare JSON array of ids (the seed's shape), or {"ids": [...]}.
  api.add(r, {.method = verb::delete_,
              .pattern = "/api/v1/api_keys/bulk-delete",
              .body = Body::Json,
              .summary = "Delete the keys with the given ids",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                const json::array* arr = rq.body->if_array();
                if (const json::object* o = rq.body->if_object()) arr = arrayMember(*o, "ids");
                if (!arr) {
                  co_return errorReply(422, "expected a JSON array of key ids",
                                       ErrorCode::ValidationError);
                }
                std::vector<std::int64_t> ids;
                for (const auto& v : *arr) {
                  if (!v.is_int64()) {
                    co_return errorReply(422, "key ids must be integers",
                                         ErrorCode::ValidationError);
                  }
                  ids.push_back(v.as_int64());
                }
                auto job = [d, &ids] { return d->keys.removeMany(ids); };
                auto n = co_await d->blocking.run(job);
                if (!n) co_return failureReply(n.error(), rq.info.request_id);
                for (auto id : ids) d->pool.remove(id);
                self->audit(rq, "key.bulk_delete", "", "deleted " + std::to_string(*n));
                json::object out;
                out["detail"] = "Successfully deleted " + std::to_string(*n) + " API Key(s)";
                out["deleted"] = *n;
                co_return jsonReply(200, out);
              }});
}

}  // namespace poise::admin
