#include "admin/token_bucket_routes.h"

#include <boost/json.hpp>
#include <cmath>

#include "admin/admin_support.h"
#include "config/runtime_config.h"
#include "core/secret_mask.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using http::RouteParams;
using net::HttpExchange;
using namespace support;

namespace {

constexpr std::string_view kPrefix = "token_bucket_";

double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

json::object bucketJson(const keys::BucketView& b) {
  json::object o;
  o["api_key_id"] = b.id;
  o["capacity"] = b.capacity;
  o["tokens"] = std::floor(b.tokens * 1000.0) / 1000.0;
  o["refill_rate"] = b.refill_rate;
  o["last_refill"] = formatIso8601(b.last_refill);
  o["priority"] = keys::toString(b.priority);
  o["overridden"] = b.overridden;
  return o;
}

json::value settingJson(const keys::BucketConfig& c, const keys::BucketSetting& s) {
  switch (s.kind) {
    case keys::BucketSetting::Kind::Int:
      return c.*(s.int_field);
    case keys::BucketSetting::Kind::Rate:
      return c.*(s.rate_field);
    case keys::BucketSetting::Kind::Bool:
      return c.*(s.bool_field);
  }
  return nullptr;
}

// {"capacity", "refill_rate"} → limits, or a 422 message.
Result<keys::BucketLimits> limitsFromBody(const json::value* body) {
  const json::object* o = body ? body->if_object() : nullptr;
  const json::value* cap = o ? o->if_contains("capacity") : nullptr;
  const json::value* rate = o ? o->if_contains("refill_rate") : nullptr;
  if (!cap || !rate || !(cap->is_int64() || cap->is_uint64()) || !rate->is_number()) {
    return makeError("invalid_config",
                     "capacity (a whole number) and refill_rate (tokens per second) are required");
  }
  keys::BucketLimits limits;
  limits.capacity = cap->is_int64()
                        ? static_cast<int>(std::clamp<std::int64_t>(cap->as_int64(), -1, 1'000'000))
                        : 1'000'000;
  limits.refill_per_second = rate->to_number<double>();
  if (auto st = keys::validateBucketLimits(limits); !st) return st.error();
  return limits;
}

std::optional<std::int64_t> parseId(const RouteParams& p) {
  std::int64_t id = 0;
  if (!parseNumber(p.get("id"), id) || id <= 0) return std::nullopt;
  return id;
}

}  // namespace

void registerTokenBucketRoutes(http::Router& r, AdminApi& api,
                               storage::BucketOverrideRepository& overrides) {
  using bhttp::verb;
  AdminApi* self = &api;
  storage::BucketOverrideRepository* repo = &overrides;
  const AdminDeps* d = &api.deps();

  r.add(verb::get, "/api/v1/token-bucket/config",
        [self, d](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          const auto cfg = d->runtime.snapshot();
          json::object data;
          for (const auto& s : keys::bucketSettings()) {
            data[s.name] = settingJson(cfg->token_bucket, s);
          }
          json::object reply{{"success", true},
                             {"data", std::move(data)},
                             {"message", "token bucket configuration"}};
          co_await sendJson(ex, 200, reply);
        });

  // Any subset of the 18 settings; every value is checked before anything is stored.
  r.add(verb::put, "/api/v1/token-bucket/config",
        [self](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          const json::object* o = body ? body->if_object() : nullptr;
          if (!o || o->empty()) {
            co_await sendError(ex, 422, "a JSON object of token bucket settings is required",
                               "validation_error");
            co_return;
          }
          json::object errors;
          std::vector<storage::ConfigEntry> entries;
          for (const auto& [name, value] : *o) {
            const auto* s = keys::findBucketSetting(name);
            if (!s) {
              errors[name] = "unknown setting";
              continue;
            }
            auto text = configValueText(value);
            keys::BucketConfig scratch;
            Status st = text ? keys::applyBucketSetting(scratch, *s, *text)
                             : Status(makeError("invalid_config", "must be a number or boolean"));
            if (!st) {
              errors[name] = st.error().message;
              continue;
            }
            entries.push_back({std::string(kPrefix) + s->name, *text});
          }
          if (!errors.empty()) {
            json::object out{{"success", false},
                             {"detail", "token bucket configuration is not valid"},
                             {"code", "invalid_config"},
                             {"message", "token bucket configuration is not valid"},
                             {"errors", std::move(errors)}};
            co_await sendJson(ex, 422, out);
            co_return;
          }
          if (!co_await self->saveConfig(ex, *caller, std::move(entries))) co_return;
          json::object reply{{"success", true}, {"message", "configuration updated"}};
          co_await sendJson(ex, 200, reply);
        });

  // The {id} of a key in the pool; otherwise answers 404 and returns nullopt.
  auto pooledKeyId = [d](HttpExchange& ex,
                         const RouteParams& p) -> asio::awaitable<std::optional<std::int64_t>> {
    auto id = parseId(p);
    if (!id || !d->pool.get(*id)) {
      co_await sendError(ex, 404, "API Key not found", "not_found");
      co_return std::nullopt;
    }
    co_return id;
  };

  // Sets (limits) or drops (nullopt: back to the priority tier) a key's own limits: stored
  // first, then applied to the pool, audited, and answered with the bucket.
  auto storeOverride = [self, d, repo](
                           HttpExchange& ex, const AdminApi::Caller& caller, std::int64_t id,
                           std::optional<keys::BucketLimits> limits) -> asio::awaitable<void> {
    std::optional<storage::BucketOverride> row;
    if (limits) row = storage::BucketOverride{limits->capacity, limits->refill_per_second};
    auto job = [d, repo, id, row] {
      const std::int64_t ids[] = {id};
      return repo->set(ids, row, d->clock.now());
    };
    auto stored = co_await d->blocking.run(job);
    if (!stored) {
      co_await sendFailure(ex, stored.error());
      co_return;
    }
    d->pool.setBucketOverride(id, limits);
    std::string detail;
    if (limits) {
      detail = std::to_string(limits->capacity) + "@" + std::to_string(limits->refill_per_second);
    }
    self->audit(caller, ex, limits ? "token_bucket.configure" : "token_bucket.unconfigure",
                std::to_string(id), detail);
    json::object out{{"success", true},
                     {"message", "API key " + std::to_string(id) +
                                     (limits ? " bucket configured" : " uses its tier again")}};
    if (auto b = d->pool.bucket(id)) out["data"] = bucketJson(*b);
    co_await sendJson(ex, 200, out);
  };

  // A key's own limits (persisted; they survive restarts and win over the priority tier).
  r.add(verb::post, "/api/v1/token-bucket/api-keys/{id}/configure",
        [self, pooledKeyId, storeOverride](HttpExchange& ex,
                                           const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          auto id = co_await pooledKeyId(ex, p);
          if (!id) co_return;
          auto body = parseBody(ex);
          auto limits = limitsFromBody(body ? &*body : nullptr);
          if (!limits) {
            co_await sendFailure(ex, limits.error());
            co_return;
          }
          co_await storeOverride(ex, *caller, *id, *limits);
        });

  // Drops a key's own limits: it goes back to its priority tier's.
  r.add(verb::delete_, "/api/v1/token-bucket/api-keys/{id}/configure",
        [self, pooledKeyId, storeOverride](HttpExchange& ex,
                                           const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          auto id = co_await pooledKeyId(ex, p);
          if (!id) co_return;
          co_await storeOverride(ex, *caller, *id, std::nullopt);
        });

  r.add(verb::post, "/api/v1/token-bucket/api-keys/{id}/reset",
        [self, d](HttpExchange& ex, const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          auto id = parseId(p);
          if (!id || !d->pool.resetBucket(*id)) {
            co_await sendError(ex, 404, "API Key not found", "not_found");
            co_return;
          }
          self->audit(*caller, ex, "token_bucket.reset", std::to_string(*id), "");
          json::object out{{"success", true},
                           {"message", "API key " + std::to_string(*id) + " bucket refilled"}};
          if (auto b = d->pool.bucket(*id)) out["data"] = bucketJson(*b);
          co_await sendJson(ex, 200, out);
        });

  r.add(verb::get, "/api/v1/token-bucket/api-keys/{id}/status",
        [self, d](HttpExchange& ex, const RouteParams& p) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          auto id = parseId(p);
          auto b = id ? d->pool.bucket(*id) : std::nullopt;
          if (!b) {
            co_await sendError(ex, 404, "API Key not found", "not_found");
            co_return;
          }
          co_await sendJson(ex, 200, bucketJson(*b));
        });

  r.add(verb::get, "/api/v1/token-bucket/api-keys/status",
        [self, d](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          json::array out;
          for (const auto& b : d->pool.activeBuckets()) out.push_back(bucketJson(b));
          co_await sendJson(ex, 200, out);
        });

  // The same limits for every active key, stored as each key's override.
  r.add(verb::post, "/api/v1/token-bucket/batch-configure",
        [self, d, repo](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          auto body = parseBody(ex);
          auto limits = limitsFromBody(body ? &*body : nullptr);
          if (!limits) {
            co_await sendFailure(ex, limits.error());
            co_return;
          }
          std::vector<std::int64_t> ids = d->pool.idsWithStatus(keys::KeyStatus::Active);
          const storage::BucketOverride row{limits->capacity, limits->refill_per_second};
          auto job = [d, repo, &ids, row] { return repo->set(ids, row, d->clock.now()); };
          auto stored = co_await d->blocking.run(job);
          if (!stored) {
            co_await sendFailure(ex, stored.error());
            co_return;
          }
          std::int64_t configured = 0;
          for (std::int64_t id : ids) configured += d->pool.setBucketOverride(id, *limits) ? 1 : 0;
          self->audit(
              *caller, ex, "token_bucket.batch_configure", std::to_string(configured),
              std::to_string(limits->capacity) + "@" + std::to_string(limits->refill_per_second));
          json::object reply{
              {"success", true},
              {"configured_count", configured},
              {"message", "configured " + std::to_string(configured) + " active keys"}};
          co_await sendJson(ex, 200, reply);
        });

  r.add(verb::post, "/api/v1/token-bucket/cleanup",
        [self, d](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          const auto forgotten = d->pool.cleanupBuckets();
          json::object reply{{"success", true},
                             {"forgotten_buckets", forgotten},
                             {"message", "token bucket cleanup done"}};
          co_await sendJson(ex, 200, reply);
        });

  // Picks a key as the proxy would (for any model), taking `required_tokens` from its bucket.
  r.add(
      verb::post, "/api/v1/token-bucket/test-selection",
      [self, d](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
        auto caller = co_await self->requireAdmin(ex);
        if (!caller) co_return;
        keys::KeyPool::PickOptions options;
        const std::string tokens = queryParam(ex, "required_tokens");
        const std::string use = queryParam(ex, "use_token_bucket");
        if ((!tokens.empty() && (!parseNumber(tokens, options.tokens) || options.tokens < 1 ||
                                 options.tokens > keys::BucketConfig::kMaxCapacity)) ||
            (!use.empty() && use != "true" && use != "false")) {
          co_await sendError(ex, 422,
                             "required_tokens must be 1 to 1000 and use_token_bucket true or "
                             "false",
                             "validation_error");
          co_return;
        }
        options.ignore_buckets = use == "false";
        auto pick = d->pool.pick("", {}, options);
        if (!pick) {
          json::object out{{"success", false}, {"message", "no API key is available"}};
          if (auto at = d->pool.nextEligibleAt("")) {
            const auto ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(*at - d->clock.now()).count();
            out["retry_after_seconds"] = std::max<std::int64_t>(1, (ms + 999) / 1000);
          }
          co_await sendJson(ex, 200, out);
          co_return;
        }
        json::object out{{"success", true},
                         {"selected_api_key_id", pick->id},
                         {"key_value_preview", maskSecret(pick->value)},
                         {"message", "API key selected"}};
        if (auto b = d->pool.bucket(pick->id)) out["token_info"] = bucketJson(*b);
        co_await sendJson(ex, 200, out);
      });

  r.add(verb::get, "/api/v1/token-bucket/statistics",
        [self, d](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          const auto t = d->pool.bucketTotals();
          const double n = t.keys > 0 ? static_cast<double>(t.keys) : 1.0;
          const double used = static_cast<double>(t.total_capacity) - t.total_tokens;
          json::object data{
              {"total_api_keys", t.keys},
              {"configured_keys", t.overridden},
              {"total_capacity", t.total_capacity},
              {"total_available_tokens", round2(t.total_tokens)},
              {"average_capacity", round2(static_cast<double>(t.total_capacity) / n)},
              {"average_available_tokens", round2(t.total_tokens / n)},
              {"utilization_rate",
               t.total_capacity > 0 ? round2(used / static_cast<double>(t.total_capacity) * 100.0)
                                    : 0.0}};
          json::object reply{{"success", true}, {"data", std::move(data)}};
          co_await sendJson(ex, 200, reply);
        });
}

}  // namespace poise::admin
