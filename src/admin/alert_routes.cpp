#include "admin/alert_routes.h"

#include <boost/json.hpp>

#include "admin/admin_support.h"
#include "alerts/webhook_target.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using bhttp::verb;
using net::Response;
using namespace support;

namespace {

constexpr int kMaxDeliveryPage = 200;

Error webhookNotFound() {
  return makeError(ErrorCode::NotFound, "webhook not found");
}

Error invalid(std::string detail) {
  return makeError(ErrorCode::ValidationError, std::move(detail));
}

json::value optionalInt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object webhookJson(const storage::AlertWebhook& w) {
  json::object headers;
  for (const auto& [name, value] : w.headers) headers[name] = alerts::maskHeaderValue(name, value);
  json::array events;
  for (const auto& e : w.events) events.emplace_back(e);
  return json::object{{"id", w.id},
                      {"name", w.name},
                      {"url", w.url},
                      {"headers", std::move(headers)},
                      {"enabled", w.enabled},
                      {"events", std::move(events)},
                      {"active_keys_below", optionalInt(w.active_keys_below)},
                      {"active_percent_below", optionalInt(w.active_percent_below)},
                      {"error_rate_percent_above", optionalInt(w.error_rate_percent_above)},
                      {"error_rate_min_requests", w.error_rate_min_requests},
                      {"created_at", formatIso8601(w.created_at)},
                      {"updated_at", formatIso8601(w.updated_at)}};
}

json::object deliveryJson(const storage::AlertDelivery& d) {
  return json::object{{"id", d.id},
                      {"webhook_id", d.webhook_id},
                      {"event", d.event},
                      {"time", formatIso8601(d.created_at)},
                      {"attempts", d.attempts},
                      {"delivered", d.delivered},
                      {"last_status", optionalInt(d.last_status)},
                      {"last_error", d.last_error},
                      {"summary", d.summary}};
}

// A whole number in [min, max], or null (nullopt) when `nullable`.
Result<std::optional<std::int64_t>> boundedInt(const json::value& v, std::string_view field,
                                               std::int64_t min, std::int64_t max, bool nullable) {
  if (v.is_null() && nullable) return std::optional<std::int64_t>{};
  if (v.is_int64() && v.as_int64() >= min && v.as_int64() <= max) {
    return std::optional<std::int64_t>{v.as_int64()};
  }
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(max) &&
      static_cast<std::int64_t>(v.as_uint64()) >= min) {
    return std::optional<std::int64_t>{static_cast<std::int64_t>(v.as_uint64())};
  }
  return invalid(std::string(field) + " must be a whole number from " + std::to_string(min) +
                 " to " + std::to_string(max) + (nullable ? ", or null" : ""));
}

Result<std::vector<std::string>> eventList(const json::value& v) {
  std::string names;
  for (const auto n : alerts::subscribableEventNames()) {
    names.append(names.empty() ? "" : ", ").append(n);
  }
  if (!v.is_array() || v.as_array().empty()) {
    return invalid("events must be a non-empty array of: " + names);
  }
  std::vector<std::string> out;
  for (const auto& item : v.as_array()) {
    if (!item.is_string() || !alerts::parseSubscribableEvent(item.as_string())) {
      return invalid("events: each must be one of " + names);
    }
    std::string name(item.as_string());
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

Result<alerts::HeaderList> headerList(const json::value& v) {
  alerts::HeaderList out;
  if (v.is_null()) return out;
  if (!v.is_object()) return invalid("headers must be an object of header names to strings");
  for (const auto& [name, value] : v.as_object()) {
    if (!value.is_string()) return invalid("headers: each value must be a string");
    out.emplace_back(std::string(name), std::string(value.as_string()));
  }
  if (auto st = alerts::checkWebhookHeaders(out); !st) return st.error();
  return out;
}

// Applies the fields of a create or update body to `w`; every field is checked and an unknown
// one is refused. Then the whole webhook is checked: a threshold event needs its threshold.
Status applyFields(const json::object& body, storage::AlertWebhook& w, bool allow_private,
                   bool creating) {
  for (const auto& [key, v] : body) {
    if (key == "name") {
      if (!v.is_string() || v.as_string().empty() ||
          v.as_string().size() > storage::kMaxWebhookNameBytes) {
        return invalid("name must be a string of 1 to 255 bytes");
      }
      w.name = std::string(v.as_string());
    } else if (key == "url") {
      if (!v.is_string()) return invalid("url must be a string");
      if (auto t = alerts::parseWebhookUrl(v.as_string(), allow_private); !t) return t.error();
      w.url = std::string(v.as_string());
    } else if (key == "headers") {
      auto h = headerList(v);
      if (!h) return h.error();
      w.headers = std::move(*h);
    } else if (key == "enabled") {
      if (!v.is_bool()) return invalid("enabled must be true or false");
      w.enabled = v.as_bool();
    } else if (key == "events") {
      auto e = eventList(v);
      if (!e) return e.error();
      w.events = std::move(*e);
    } else if (key == "active_keys_below") {
      auto n = boundedInt(v, key, 1, 1'000'000, true);
      if (!n) return n.error();
      w.active_keys_below = *n;
    } else if (key == "active_percent_below") {
      auto n = boundedInt(v, key, 1, 100, true);
      if (!n) return n.error();
      w.active_percent_below = *n;
    } else if (key == "error_rate_percent_above") {
      auto n = boundedInt(v, key, 0, 99, true);
      if (!n) return n.error();
      w.error_rate_percent_above = *n;
    } else if (key == "error_rate_min_requests") {
      auto n = boundedInt(v, key, 1, 1'000'000'000, false);
      if (!n) return n.error();
      w.error_rate_min_requests = **n;
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) + "'");
    }
  }
  if (creating && w.name.empty()) return invalid("name is required");
  if (creating && w.url.empty()) return invalid("url is required");
  if (w.events.empty()) return invalid("events is required");
  const auto has = [&](std::string_view e) {
    return std::find(w.events.begin(), w.events.end(), e) != w.events.end();
  };
  if (has("pool.active_low") && !w.active_keys_below && !w.active_percent_below) {
    return invalid("pool.active_low needs active_keys_below or active_percent_below");
  }
  if (has("error_rate.high") && !w.error_rate_percent_above) {
    return invalid("error_rate.high needs error_rate_percent_above");
  }
  return {};
}

}  // namespace

void registerAlertRoutes(http::Router& r, AdminApi& api, AlertDeps deps) {
  AdminApi* self = &api;
  auto d = std::make_shared<const AlertDeps>(deps);

  // Registered before /alerts/{id}, which would otherwise take "deliveries" as an id.
  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/alerts/deliveries",
              .summary = "The alert delivery log, newest first, a page at a time (cursor)",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                storage::DeliveryQuery q;
                if (auto s = rq.query("webhook_id"); !s.empty()) {
                  auto id = positiveId(s);
                  if (!id) co_return errorReply(422, "webhook_id must be a webhook's id");
                  q.webhook_id = *id;
                }
                if (auto s = rq.query("cursor"); !s.empty()) {
                  auto id = positiveId(s);
                  if (!id) co_return errorReply(422, "cursor must be a positive whole number");
                  q.before_id = *id;
                }
                if (auto s = rq.query("limit"); !s.empty()) {
                  if (!parseNumber(s, q.limit) || q.limit < 1 || q.limit > kMaxDeliveryPage) {
                    co_return errorReply(422, "limit must be from 1 to 200");
                  }
                }
                auto job = [d, &q] { return d->repo.deliveries(q); };
                auto slice = co_await d->blocking.run(job);
                if (!slice) co_return failureReply(slice.error(), rq.info.request_id);
                json::array items;
                for (const auto& row : slice->items) items.push_back(deliveryJson(row));
                co_return jsonReply(200,
                                    json::object{{"items", std::move(items)},
                                                 {"next_cursor", optionalInt(slice->next_cursor)}});
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/alerts",
              .summary = "Alert webhooks (secret-looking header values masked)",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto job = [d] { return d->repo.loadAll(); };
                auto all = co_await d->blocking.run(job);
                if (!all) co_return failureReply(all.error(), rq.info.request_id);
                json::array items;
                for (const auto& w : *all) items.push_back(webhookJson(w));
                co_return jsonReply(200, json::object{{"items", std::move(items)},
                                                      {"dropped", d->service.dropped()}});
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/alerts",
              .body = Body::Object,
              .summary = "Create an alert webhook",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                storage::AlertWebhook w;
                if (auto st = applyFields(rq.object(), w, d->service.allowPrivate(), true); !st) {
                  co_return failureReply(st.error(), rq.info.request_id);
                }
                w.created_at = w.updated_at = d->clock.now();
                auto job = [d, &w]() -> Status {
                  auto created = d->repo.create(w);
                  if (!created) return created.error();
                  w = std::move(*created);
                  return d->service.reload();
                };
                if (auto st = co_await d->blocking.run(job); !st) {
                  co_return failureReply(st.error(), rq.info.request_id);
                }
                self->audit(rq, "alert.create", std::to_string(w.id), w.name);
                co_return jsonReply(201, webhookJson(w));
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/alerts/{id}",
              .summary = "One alert webhook (secret-looking header values masked)",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto find = [d](std::int64_t id) { return d->repo.get(id); };
                co_return co_await readById(d->blocking, rq, find, webhookJson, webhookNotFound);
              }});

  api.add(r, {.method = verb::put,
              .pattern = "/api/v1/alerts/{id}",
              .body = Body::Object,
              .summary = "Change an alert webhook (fields given replace the stored ones; headers "
                         "are replaced whole)",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(webhookNotFound(), rq.info.request_id);
                const json::object& body = rq.object();
                storage::AlertWebhook w;
                auto job = [d, i = *id, &body, &w]() -> Status {
                  auto found = d->repo.get(i);
                  if (!found) return found.error();
                  if (!*found) return webhookNotFound();
                  w = std::move(**found);
                  if (auto st = applyFields(body, w, d->service.allowPrivate(), false); !st) {
                    return st;
                  }
                  w.updated_at = d->clock.now();
                  if (auto st = d->repo.update(w); !st) return st;
                  return d->service.reload();
                };
                if (auto st = co_await d->blocking.run(job); !st) {
                  co_return failureReply(st.error(), rq.info.request_id);
                }
                std::string fields;
                for (const auto& [k, v] : body) fields.append(fields.empty() ? "" : ",").append(k);
                self->audit(rq, "alert.update", std::to_string(w.id), fields);
                co_return jsonReply(200, webhookJson(w));
              }});

  api.add(r, {.method = verb::delete_,
              .pattern = "/api/v1/alerts/{id}",
              .summary = "Delete an alert webhook and its delivery log",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(webhookNotFound(), rq.info.request_id);
                auto job = [d, i = *id]() -> Status {
                  auto removed = d->repo.remove(i);
                  if (!removed) return removed.error();
                  if (!*removed) return webhookNotFound();
                  return d->service.reload();
                };
                if (auto st = co_await d->blocking.run(job); !st) {
                  co_return failureReply(st.error(), rq.info.request_id);
                }
                self->audit(rq, "alert.delete", std::to_string(*id), "");
                co_return emptyReply(204);
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/alerts/{id}/test",
              .summary = "Send a test event to a webhook now (one attempt) and answer with how "
                         "the delivery went",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(webhookNotFound(), rq.info.request_id);
                auto job = [d, i = *id] { return d->service.sendTest(i); };
                auto result = co_await d->blocking.run(job);
                if (!result) co_return failureReply(result.error(), rq.info.request_id);
                self->audit(rq, "alert.test", std::to_string(*id),
                            result->delivered ? "delivered" : "not delivered");
                co_return jsonReply(
                    200,
                    json::object{{"webhook_id", *id},
                                 {"event", "test"},
                                 {"delivered", result->delivered},
                                 {"attempts", result->attempts},
                                 {"status", result->last_status ? json::value(*result->last_status)
                                                                : json::value(nullptr)},
                                 {"error", result->last_error}});
              }});
}

}  // namespace poise::admin
