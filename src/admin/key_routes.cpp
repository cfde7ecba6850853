// The key routes: list (plain and paginated), create, read, reveal, detail, update, delete. Every
// view of a key carries the pool's live state (live_overlay); values are masked except in reveal.
#include <boost/json.hpp>
#include <cmath>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"
#include "admin/key_rows.h"
#include "admin/live_overlay.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using namespace support;

namespace {

constexpr std::string_view kBadValue = "key_value must be a non-empty key without spaces or commas";

Error keyNotFound() {
  return makeError(ErrorCode::NotFound, "API Key not found");
}

bool validKeyValue(const std::string& v) {
  return !v.empty() && v.find_first_of(" ,\n\r\t") == std::string::npos;
}

// What the key detail reads on the BlockingPool.
struct DetailRead {
  std::optional<storage::ApiKey> key;
  std::vector<storage::StatusChange> history;  // newest first, the unflushed change on top
  std::optional<Error> error;
};

// The key named by {id}, with its live state; not_found for an id that is not a positive
// integer. Suspends.
asio::awaitable<Result<storage::ApiKey>> loadKey(const AdminDeps* d, const AdminRequest& rq) {
  auto id = positiveId(rq.param("id"));
  if (!id) co_return keyNotFound();
  auto job = [d, i = *id] {
    auto row = d->keys.get(i);
    if (row) overlayLive(std::span(&*row, 1), d->pool);
    return row;
  };
  co_return co_await d->blocking.run(job);
}

// A page of rows with their live state. Suspends.
asio::awaitable<Result<storage::Page<storage::ApiKey>>> listKeys(const AdminDeps* d,
                                                                 const storage::KeyListQuery& q) {
  // The status and min_failed_count filters select by the stored row, which the flusher brings
  // up to the pool within a second; every row shown carries the live state.
  auto job = [d, &q] {
    auto rows = d->keys.list(q);
    if (rows) overlayLive(rows->items, d->pool);
    return rows;
  };
  co_return co_await d->blocking.run(job);
}

json::object detailJson(const AdminDeps* d, const DetailRead& read) {
  const storage::ApiKey& key = *read.key;
  json::object out = keyJson(key);
  json::object live;
  live["status"] = key.status;
  live["failed_count"] = key.failed_count;
  json::array cooldowns;
  for (const auto& c : d->pool.cooldowns(key.id)) {
    cooldowns.push_back(
        json::object{{"model", c.model}, {"until", formatIso8601(c.until)}, {"reason", c.reason}});
  }
  live["cooldowns"] = std::move(cooldowns);
  if (auto b = d->pool.bucket(key.id)) {
    live["bucket"] = json::object{{"capacity", b->capacity},
                                  {"tokens", std::floor(b->tokens * 1000.0) / 1000.0},
                                  {"refill_rate", b->refill_rate},
                                  {"priority", keys::toString(b->priority)},
                                  {"overridden", b->overridden}};
  }
  if (d->calls) {
    const auto day = d->calls->keyLast24h(key.id, d->clock.now());
    live["usage_last_24_hours"] = day.calls;
    live["failures_last_24_hours"] = day.failures;
  }
  out["live"] = std::move(live);
  json::array changes;
  for (const auto& h : read.history) {
    changes.push_back(json::object{{"from_status", h.from_status},
                                   {"to_status", h.to_status},
                                   {"reason", h.reason},
                                   {"created_at", formatIso8601(h.created_at)}});
  }
  out["status_history"] = std::move(changes);
  return out;
}

}  // namespace

void registerKeyRoutes(http::Router& r, AdminApi& api) {
  AdminApi* self = &api;
  const AdminDeps* d = &api.deps();

  api.add(
      r,
      {.method = verb::get,
       .pattern = "/api/v1/api_keys/paginated",
       .summary = "A page of keys, filtered by status, value and failures",
       .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
         const auto page = pageQuery(rq.request);
         if (!page) co_return errorReply(422, kBadPageQuery, ErrorCode::ValidationError);
         storage::KeyListQuery q;
         q.page = page->page;
         q.page_size = page->page_size;
         if (auto s = rq.query("status"); !s.empty()) {
           if (!storage::isKeyStatus(s)) {
             co_return errorReply(422, kBadStatus, ErrorCode::InvalidStatus);
           }
           q.status = s;
         }
         if (auto s = rq.query("search_key"); !s.empty()) q.search = s;
         if (auto s = rq.query("min_failed_count"); !s.empty()) {
           std::int64_t n = 0;
           if (!parseNumber(s, n) || n < 0) {
             co_return errorReply(422, "min_failed_count must be >= 0", ErrorCode::ValidationError);
           }
           q.min_failed_count = n;
         }
         auto rows = co_await listKeys(d, q);
         if (!rows) co_return failureReply(rows.error(), rq.info.request_id);
         // Each row also carries its live cooldowns, so that a listing (the console's
         // Keys table) shows them without one detail read per key.
         const auto now = d->clock.now();
         json::array items;
         for (const auto& k : rows->items) {
           json::object item = keyJson(k);
           json::array cooling;
           for (const auto& c : d->pool.cooldowns(k.id)) {
             if (c.until <= now) continue;
             cooling.push_back(json::object{{"model", c.model}, {"until", formatIso8601(c.until)}});
           }
           item["cooldowns"] = std::move(cooling);
           items.push_back(std::move(item));
         }
         json::object out;
         out["total"] = rows->total;
         out["items"] = std::move(items);
         co_return jsonReply(200, out);
       }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/api_keys",
              .body = Body::Object,
              .summary = "Add one key",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                const json::object& o = rq.object();
                auto value = optionalString(o, "key_value");
                if (!value || !validKeyValue(*value)) {
                  co_return errorReply(422, kBadValue, ErrorCode::ValidationError);
                }
                const std::string status = optionalString(o, "status").value_or("active");
                const std::string priority = optionalString(o, "priority").value_or("normal");
                const std::string description = optionalString(o, "description").value_or("");
                if (!storage::isKeyStatus(status)) {
                  co_return errorReply(422, kBadStatus, ErrorCode::InvalidStatus);
                }
                if (!storage::isKeyPriority(priority)) {
                  co_return errorReply(422, kBadPriority, ErrorCode::InvalidPriority);
                }
                auto job = [d, &value, &status, &description, &priority] {
                  return d->keys.create(*value, status, description, priority);
                };
                auto created = co_await d->blocking.run(job);
                if (!created) {
                  if (created.error().code == ErrorCode::Conflict) {
                    co_return errorReply(409, "this key already exists", ErrorCode::DuplicateKey);
                  }
                  co_return failureReply(created.error(), rq.info.request_id);
                }
                d->pool.upsert(poolKeyOf(*created));
                self->audit(rq, "key.create", std::to_string(created->id), created->masked);
                co_return jsonReply(201, keyJson(*created));
              }});

  // The seed's plain list, served through the paginated query: pages of `limit` rows starting
  // at `skip`.
  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/api_keys",
              .summary = "Keys from `skip`, at most `limit` of them",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                int skip = 0;
                int limit = 100;
                const auto s = rq.query("skip");
                const auto l = rq.query("limit");
                if ((!s.empty() && (!parseNumber(s, skip) || skip < 0)) ||
                    (!l.empty() && (!parseNumber(l, limit) || limit < 1 || limit > 1000))) {
                  co_return errorReply(422, "skip must be >= 0 and limit 1..1000",
                                       ErrorCode::ValidationError);
                }
                storage::KeyListQuery q;
                q.page_size = limit;
                q.page = skip / limit + 1;
                const auto offset_in_page = static_cast<std::size_t>(skip % limit);
                auto rows = co_await listKeys(d, q);
                if (!rows) co_return failureReply(rows.error(), rq.info.request_id);
                json::array items;
                for (std::size_t i = offset_in_page; i < rows->items.size(); ++i) {
                  items.push_back(keyJson(rows->items[i]));
                }
                co_return jsonReply(200, items);
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/api_keys/{id}/reveal",
              .access = http::Access::Admin,
              .summary = "One key's whole value (audited)",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto key = co_await loadKey(d, rq);
                if (!key) co_return failureReply(key.error(), rq.info.request_id);
                self->audit(rq, "key.reveal", std::to_string(key->id), key->masked);
                json::object out;
                out["id"] = key->id;
                out["key_value"] = key->value;
                co_return jsonReply(200, out);
              }});

  // The stored row, the live state in the pool (status, failure streak and the per-model
  // cooldowns in force, with their end times) and the status history, newest first.
  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/api_keys/{id}/detail",
              .summary = "One key in depth: live state, cooldowns, bucket and status history",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(keyNotFound(), rq.info.request_id);
                // The history, then the row, then one pass over the pool: the row's fields,
                // live.* and the newest history entry (a change the flusher has not written
                // yet) are one snapshot.
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
                if (read.error) co_return failureReply(*read.error, rq.info.request_id);
                co_return jsonReply(200, detailJson(d, read));
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/api_keys/{id}",
              .summary = "One key (masked)",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto key = co_await loadKey(d, rq);
                if (!key) co_return failureReply(key.error(), rq.info.request_id);
                co_return jsonReply(200, keyJson(*key));
              }});

  api.add(r, {.method = verb::put,
              .pattern = "/api/v1/api_keys/{id}",
              .body = Body::Object,
              .summary = "Change a key's value, status, description or priority",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(keyNotFound(), rq.info.request_id);
                const json::object& o = rq.object();
                storage::KeyPatch patch;
                patch.value = optionalString(o, "key_value");
                patch.status = optionalString(o, "status");
                patch.description = optionalString(o, "description");
                patch.priority = optionalString(o, "priority");
                patch.status_reason = "changed by " + rq.admin().user.username;
                if (patch.status && !storage::isKeyStatus(*patch.status)) {
                  co_return errorReply(422, kBadStatus, ErrorCode::InvalidStatus);
                }
                if (patch.priority && !storage::isKeyPriority(*patch.priority)) {
                  co_return errorReply(422, kBadPriority, ErrorCode::InvalidPriority);
                }
                if (patch.value && !validKeyValue(*patch.value)) {
                  co_return errorReply(422, kBadValue, ErrorCode::ValidationError);
                }
                auto update = [d, i = *id, &patch] { return d->keys.update(i, patch); };
                auto updated = co_await d->blocking.run(update);
                if (!updated) {
                  if (updated.error().code == ErrorCode::Conflict) {
                    co_return errorReply(409, "another key already has this value",
                                         ErrorCode::DuplicateKey);
                  }
                  co_return failureReply(updated.error(), rq.info.request_id);
                }
                // Reload the plaintext for the pool (update returns it when the value changed).
                auto reload = [d, i = *id] { return d->keys.get(i); };
                auto full = co_await d->blocking.run(reload);
                // Without a new status the pool's own status and failures stand (the row may lag).
                if (full) d->pool.upsert(poolKeyOf(*full), !patch.status.has_value());
                storage::ApiKey shown = *updated;
                overlayLive(std::span(&shown, 1), d->pool);
                std::string detail;
                if (patch.status) detail = "status=" + *patch.status;
                self->audit(rq, "key.update", std::to_string(*id), std::move(detail));
                co_return jsonReply(200, keyJson(shown));
              }});

  api.add(r, {.method = verb::delete_,
              .pattern = "/api/v1/api_keys/{id}",
              .summary = "Delete one key",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(keyNotFound(), rq.info.request_id);
                auto job = [d, i = *id] { return d->keys.remove(i); };
                auto st = co_await d->blocking.run(job);
                if (!st) co_return failureReply(st.error(), rq.info.request_id);
                d->pool.remove(*id);
                self->audit(rq, "key.delete", std::to_string(*id), "");
                json::object out;
                out["detail"] = "API Key deleted";
                co_return jsonReply(200, out);
              }});
}

}  // namespace poise::admin
