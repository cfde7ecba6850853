// The config routes: every entry, one entry, one entry saved, many saved. Secrets are shown
// masked; saves are validated, stored and published at once (AdminApi::saveConfig).
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
                if (!*item) {
                  co_return errorReply(404, "Config key '" + key + "' not found",
                                       ErrorCode::NotFound);
                }
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

  api.add(
      r, {.method = verb::put,
          .pattern = "/api/v1/config/{key}",
          .body = Body::Object,
          .summary = "Save one config entry; it takes effect at once",
          .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
            auto value = optionalString(rq.object(), "value");
            if (!value) {
              co_return errorReply(422, "value (a string) is required", ErrorCode::ValidationError);
            }
            const std::string key(rq.param("key"));
            std::vector<storage::ConfigEntry> entries;
            entries.push_back({key, *value});
            auto refused = co_await self->saveConfig(rq, std::move(entries));
            if (refused) co_return std::move(*refused);
            auto job = [d, &key] { return d->config.get(key); };
            auto item = co_await d->blocking.run(job);
            if (!item || !*item) {
              co_return errorReply(500, "config vanished after saving", ErrorCode::InternalError);
            }
            co_return jsonReply(200, configJson(**item));
          }});
}

}  // namespace poise::admin
