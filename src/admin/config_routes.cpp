// The config routes: every entry, one entry, one entry created, saved or deleted, many saved.
// Secrets are shown masked; saves are validated, stored and published at once
// (AdminApi::saveConfig). The gateway token and the upstream URL cannot be deleted: without them
// the gateway cannot serve (every other key falls back to its default when deleted).
#include <boost/json.hpp>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"
#include "core/secret_mask.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using namespace support;

namespace {

json::object configJson(const storage::ConfigItem& i) {
  json::object o;
  o["id"] = i.id;
  o["key"] = i.key;
  o["value"] = config::isSecretConfigKey(i.key) ? maskSecret(i.value) : i.value;
  o["updated_at"] = formatIso8601(i.updated_at);
  o["updated_by_user_id"] =
      i.updated_by_user_id ? json::value(*i.updated_by_user_id) : json::value(nullptr);
  return o;
}

// Keys the gateway needs a stored value for.
bool requiredKey(std::string_view key) {
  return key == "api_token" || key == "target_api_url";
}

Response notFound(const std::string& key) {
  return errorReply(404, "Config key '" + key + "' not found", ErrorCode::NotFound);
}

// The stored item after a save, as GET shows it. Suspends.
asio::awaitable<Response> savedItem(const AdminDeps* d, const AdminRequest& rq,
                                    const std::string& key, unsigned status) {
  auto job = [d, &key] { return d->config.get(key); };
  auto item = co_await d->blocking.run(job);
  if (!item) co_return failureReply(item.error(), rq.info.request_id);
  if (!*item) co_return errorReply(500, "config vanished after saving", ErrorCode::InternalError);
  co_return jsonReply(status, configJson(**item));
}

}  // namespace

void registerConfigRoutes(http::Router& r, AdminApi& api) {
  AdminApi* self = &api;
  const AdminDeps* d = &api.deps();

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/config",
              .summary = "Every config entry (secrets masked)",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto job = [d] { return d->config.all(); };
                auto items = co_await d->blocking.run(job);
                if (!items) co_return failureReply(items.error(), rq.info.request_id);
                json::array out;
                for (const auto& i : *items) out.push_back(configJson(i));
                co_return jsonReply(200, out);
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/config/{key}",
              .summary = "One config entry (a secret masked)",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                const std::string key(rq.param("key"));
                auto job = [d, &key] { return d->config.get(key); };
                auto item = co_await d->blocking.run(job);
                if (!item) co_return failureReply(item.error(), rq.info.request_id);
                if (!*item) co_return notFound(key);
                co_return jsonReply(200, configJson(**item));
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/config/bulk-save",
              .body = Body::Object,
              .summary = "Save many config entries; they take effect at once",
              .handler = [self](const AdminRequest& rq) -> asio::awaitable<Response> {
                const json::array* items = arrayMember(rq.object(), "items");
                if (!items) {
                  co_return errorReply(422, "items (an array of {key, value}) is required",
                                       ErrorCode::ValidationError);
                }
                std::vector<storage::ConfigEntry> entries;
                for (const auto& it : *items) {
                  const auto* io = it.if_object();
                  auto k = io ? optionalString(*io, "key") : std::nullopt;
                  const json::value* v = io ? io->if_contains("value") : nullptr;
                  auto value = v ? configValueText(*v) : std::nullopt;
                  if (!k || !value) {
                    co_return errorReply(422, "each item needs a string key and a value",
                                         ErrorCode::ValidationError);
                  }
                  entries.push_back({*k, std::move(*value)});
                }
                const std::size_t n = entries.size();
                auto refused = co_await self->saveConfig(rq, std::move(entries));
                if (refused) co_return std::move(*refused);
                json::object out;
                out["detail"] = "Successfully processed " + std::to_string(n) + " config items.";
                co_return jsonReply(200, out);
              }});

  api.add(r, {.method = verb::put,
              .pattern = "/api/v1/config/{key}",
              .body = Body::Object,
              .summary = "Save one config entry; it takes effect at once",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto value = optionalString(rq.object(), "value");
                if (!value) {
                  co_return errorReply(422, "value (a string) is required",
                                       ErrorCode::ValidationError);
                }
                const std::string key(rq.param("key"));
                std::vector<storage::ConfigEntry> entries;
                entries.push_back({key, *value});
                auto refused = co_await self->saveConfig(rq, std::move(entries));
                if (refused) co_return std::move(*refused);
                co_return co_await savedItem(d, rq, key, 200);
              }});

  // The seed's create: 409 when the key exists (PUT changes it), validated like bulk-save.
  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/config",
              .body = Body::Object,
              .summary = "Create one config entry; it takes effect at once",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                const json::object& o = rq.object();
                auto key = optionalString(o, "key");
                const json::value* v = o.if_contains("value");
                auto value = v ? configValueText(*v) : std::nullopt;
                if (!key || key->empty() || !value) {
                  co_return errorReply(422, "key (a non-empty string) and value are required",
                                       ErrorCode::ValidationError);
                }
                const std::string k = *key;
                auto job = [d, &k] { return d->config.get(k); };
                auto existing = co_await d->blocking.run(job);
                if (!existing) co_return failureReply(existing.error(), rq.info.request_id);
                if (*existing) {
                  co_return errorReply(409, "Config key '" + k + "' already exists",
                                       ErrorCode::Conflict);
                }
                std::vector<storage::ConfigEntry> entries;
                entries.push_back({k, std::move(*value)});
                auto refused = co_await self->saveConfig(rq, std::move(entries), "config.create");
                if (refused) co_return std::move(*refused);
                co_return co_await savedItem(d, rq, k, 201);
              }});

  api.add(r, {.method = verb::delete_,
              .pattern = "/api/v1/config/{key}",
              .summary = "Delete one config entry (its default applies at once)",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                const std::string key(rq.param("key"));
                if (requiredKey(key)) {
                  co_return errorReply(422,
                                       "Config key '" + key +
                                           "' is needed to serve and cannot be deleted; "
                                           "change its value instead",
                                       ErrorCode::ConfigRequired);
                }
                auto job = [d, self, &key]() -> Result<bool> {
                  auto removed = d->config.remove(key);
                  if (!removed || !*removed) return removed;
                  if (auto st = self->reloadConfig(); !st) return st.error();
                  return true;
                };
                auto removed = co_await d->blocking.run(job);
                if (!removed) co_return failureReply(removed.error(), rq.info.request_id);
                if (!*removed) co_return notFound(key);
                self->audit(rq, "config.delete", key, "");
                co_return emptyReply(204);
              }});
}

}  // namespace poise::admin
