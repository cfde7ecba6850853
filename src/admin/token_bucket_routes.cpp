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
using net::Response;
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

// {"capacity", "refill_rate"} → limits, or an invalid_config error (422).
Result<keys::BucketLimits> limitsFromBody(const json::object& o) {
  const json::value* cap = o.if_contains("capacity");
  const json::value* rate = o.if_contains("refill_rate");
  if (!cap || !rate || !(cap->is_int64() || cap->is_uint64()) || !rate->is_number()) {
    return makeError(ErrorCode::InvalidConfig,
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

Error keyNotFound() {
  return makeError(ErrorCode::NotFound, "API Key not found");
}

}  // namespace

void registerTokenBucketRoutes(http::Router& r, AdminApi& api,
                               storage::BucketOverrideRepository& overrides) {
  using bhttp::verb;
  AdminApi* self = &api;
  storage::BucketOverrideRepository* repo = &overrides;
  const AdminDeps* d = &api.deps();

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/token-bucket/config",
              .summary = "The 18 token bucket settings",
              .handler = [d](const AdminRequest&) -> asio::awaitable<Response> {
                const auto cfg = d->runtime.snapshot();
                json::object data;
                for (const auto& s : keys::bucketSettings()) {
                  data[s.name] = settingJson(cfg->token_bucket, s);
                }
                json::object reply{{"success", true},
                                   {"data", std::move(data)},
                                   {"message", "token bucket configuration"}};
                co_return jsonReply(200, reply);
              }});

  // Any subset of the 18 settings; every value is checked before anything is stored. A bad
  // one is a 422 naming each bad setting in `errors`.
  api.add(r, {.method = verb::put,
              .pattern = "/api/v1/token-bucket/config",
              .body = Body::Object,
              .summary = "Change some of the token bucket settings",
              .handler = [self](const AdminRequest& rq) -> asio::awaitable<Response> {
                const json::object& o = rq.object();
                if (o.empty()) {
                  co_return errorReply(422, "a JSON object of token bucket settings is required",
                                       ErrorCode::ValidationError);
                }
                json::object errors;
                std::vector<storage::ConfigEntry> entries;
                for (const auto& [name, value] : o) {
                  const auto* s = keys::findBucketSetting(name);
                  if (!s) {
                    errors[name] = "unknown setting";
                    continue;
                  }
                  auto text = configValueText(value);
                  keys::BucketConfig scratch;
                  Status st = text ? keys::applyBucketSetting(scratch, *s, *text)
                                   : Status(makeError(ErrorCode::InvalidConfig,
                                                      "must be a number or boolean"));
                  if (!st) {
                    errors[name] = st.error().message;
                    continue;
                  }
                  entries.push_back({std::string(kPrefix) + s->name, *text});
                }
                if (!errors.empty()) {
                  json::object out{{"detail", "token bucket configuration is not valid"},
                                   {"code", "invalid_config"},
                                   {"errors", std::move(errors)}};
                  co_return jsonReply(422, out);
                }
                auto refused = co_await self->saveConfig(rq, std::move(entries));
                if (refused) co_return std::move(*refused);
                json::object reply{{"success", true}, {"message", "configuration updated"}};
                co_return jsonReply(200, reply);
              }});

  // The {id} of a key in the pool; nullopt otherwise.
  auto pooledKeyId = [d](const AdminRequest& rq) -> std::optional<std::int64_t> {
    auto id = positiveId(rq.param("id"));
    if (!id || !d->pool.get(*id)) return std::nullopt;
    return id;
  };

  // Sets (limits) or drops (nullopt: back to the priority tier) a key's own limits: stored
  // first, then applied to the pool, audited, and answered with the bucket.
  auto storeOverride = [self, d, repo](
                           const AdminRequest& rq, std::int64_t id,
                           std::optional<keys::BucketLimits> limits) -> asio::awaitable<Response> {
    std::optional<storage::BucketOverride> row;
    if (limits) row = storage::BucketOverride{limits->capacity, limits->refill_per_second};
    auto job = [d, repo, id, &row] {
      const std::int64_t ids[] = {id};
      return repo->set(ids, row, d->clock.now());
    };
    auto stored = co_await d->blocking.run(job);
    if (!stored) co_return failureReply(stored.error(), rq.info.request_id);
    d->pool.setBucketOverride(id, limits);
    std::string detail;
    if (limits) {
      detail = std::to_string(limits->capacity) + "@" + std::to_string(limits->refill_per_second);
    }
    self->audit(rq, limits ? "token_bucket.configure" : "token_bucket.unconfigure",
                std::to_string(id), detail);
    std::string message = "API key " + std::to_string(id);
    message += limits ? " bucket configured" : " uses its tier again";
    json::object out{{"success", true}, {"message", std::move(message)}};
    if (auto b = d->pool.bucket(id)) out["data"] = bucketJson(*b);
    co_return jsonReply(200, out);
  };

  // Persisted; the key's own limits survive restarts and win over its priority tier.
  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/token-bucket/api-keys/{id}/configure",
              .body = Body::Object,
              .summary = "Give one key its own bucket limits",
              .handler = [pooledKeyId,
                          storeOverride](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = pooledKeyId(rq);
                if (!id) co_return failureReply(keyNotFound(), rq.info.request_id);
                auto limits = limitsFromBody(rq.object());
                if (!limits) co_return failureReply(limits.error(), rq.info.request_id);
                co_return co_await storeOverride(rq, *id, *limits);
              }});

  api.add(r, {.method = verb::delete_,
              .pattern = "/api/v1/token-bucket/api-keys/{id}/configure",
              .summary = "Drop one key's own limits: back to its priority tier's",
              .handler = [pooledKeyId,
                          storeOverride](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = pooledKeyId(rq);
                if (!id) co_return failureReply(keyNotFound(), rq.info.request_id);
                co_return co_await storeOverride(rq, *id, std::nullopt);
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/token-bucket/api-keys/{id}/reset",
              .summary = "Refill one key's bucket",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id || !d->pool.resetBucket(*id)) {
                  co_return failureReply(keyNotFound(), rq.info.request_id);
                }
                self->audit(rq, "token_bucket.reset", std::to_string(*id), "");
                json::object out{
                    {"success", true},
                    {"message", "API key " + std::to_string(*id) + " bucket refilled"}};
                if (auto b = d->pool.bucket(*id)) out["data"] = bucketJson(*b);
                co_return jsonReply(200, out);
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/token-bucket/api-keys/{id}/status",
              .summary = "One key's bucket",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                auto b = id ? d->pool.bucket(*id) : std::nullopt;
                if (!b) co_return failureReply(keyNotFound(), rq.info.request_id);
                co_return jsonReply(200, bucketJson(*b));
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/token-bucket/api-keys/status",
              .summary = "The bucket of every active key",
              .handler = [d](const AdminRequest&) -> asio::awaitable<Response> {
                json::array out;
                for (const auto& b : d->pool.activeBuckets()) out.push_back(bucketJson(b));
                co_return jsonReply(200, out);
              }});

  // Stored as each active key's own limits.
  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/token-bucket/batch-configure",
              .body = Body::Object,
              .summary = "Give every active key the same own limits",
              .handler = [self, d, repo](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto limits = limitsFromBody(rq.object());
                if (!limits) co_return failureReply(limits.error(), rq.info.request_id);
                std::vector<std::int64_t> ids = d->pool.idsWithStatus(keys::KeyStatus::Active);
                const storage::BucketOverride row{limits->capacity, limits->refill_per_second};
                auto job = [d, repo, &ids, row] { return repo->set(ids, row, d->clock.now()); };
                auto stored = co_await d->blocking.run(job);
                if (!stored) co_return failureReply(stored.error(), rq.info.request_id);
                std::int64_t configured = 0;
                for (std::int64_t id : ids) {
                  configured += d->pool.setBucketOverride(id, *limits) ? 1 : 0;
                }
                self->audit(rq, "token_bucket.batch_configure", std::to_string(configured),
                            std::to_string(limits->capacity) + "@" +
                                std::to_string(limits->refill_per_second));
                json::object reply{
                    {"success", true},
                    {"configured_count", configured},
                    {"message", "configured " + std::to_string(configured) + " active keys"}};
                co_return jsonReply(200, reply);
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/token-bucket/cleanup",
              .summary = "Forget the buckets of idle keys",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                const auto forgotten = d->pool.cleanupBuckets();
                self->audit(rq, "token_bucket.cleanup", "",
                            "forgot " + std::to_string(forgotten) + " buckets");
                json::object reply{{"success", true},
                                   {"forgotten_buckets", forgotten},
                                   {"message", "token bucket cleanup done"}};
                co_return jsonReply(200, reply);
              }});

  // Picks a key as the proxy would (for any model), taking `required_tokens` from its bucket.
  // No key to pick is a 409, with Retry-After when a key will be eligible again.
  api.add(r,
          {.method = verb::post,
           .pattern = "/api/v1/token-bucket/test-selection",
           .summary = "Pick a key as the proxy would",
           .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
             keys::KeyPool::PickOptions options;
             const std::string tokens = rq.query("required_tokens");
             const std::string use = rq.query("use_token_bucket");
             if ((!tokens.empty() && (!parseNumber(tokens, options.tokens) || options.tokens < 1 ||
                                      options.tokens > keys::BucketConfig::kMaxCapacity)) ||
                 (!use.empty() && use != "true" && use != "false")) {
               co_return errorReply(
                   422, "required_tokens must be 1 to 1000 and use_token_bucket true or false",
                   ErrorCode::ValidationError);
             }
             options.ignore_buckets = use == "false";
             auto pick = d->pool.pick("", {}, options);
             if (!pick) {
               constexpr std::string_view kNoKey = "no API key is available";
               constexpr ErrorCode kCode = ErrorCode::NoKeyAvailable;
               const auto at = d->pool.nextEligibleAt("");
               if (!at) co_return errorReply(409, kNoKey, kCode);
               const auto ms =
                   std::chrono::duration_cast<std::chrono::milliseconds>(*at - d->clock.now());
               co_return retryLaterReply(409, kNoKey, kCode,
                                         std::chrono::ceil<std::chrono::seconds>(
                                             std::max(ms, std::chrono::milliseconds(1))));
             }
             // A pick takes tokens from the key's bucket: a change, so it is audited.
             self->audit(rq, "token_bucket.test_selection", std::to_string(pick->id),
                         std::to_string(options.tokens) + " tokens");
             json::object out{{"success", true},
                              {"selected_api_key_id", pick->id},
                              {"key_value_preview", maskSecret(pick->value)},
                              {"message", "API key selected"}};
             if (auto b = d->pool.bucket(pick->id)) out["token_info"] = bucketJson(*b);
             co_return jsonReply(200, out);
           }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/token-bucket/statistics",
              .summary = "Bucket totals over every key",
              .handler = [d](const AdminRequest&) -> asio::awaitable<Response> {
                const auto t = d->pool.bucketTotals();
                const double n = t.keys > 0 ? static_cast<double>(t.keys) : 1.0;
                const double used = static_cast<double>(t.total_capacity) - t.total_tokens;
                const double utilization =
                    t.total_capacity > 0
                        ? round2(used / static_cast<double>(t.total_capacity) * 100.0)
                        : 0.0;
                json::object data{
                    {"total_api_keys", t.keys},
                    {"configured_keys", t.overridden},
                    {"total_capacity", t.total_capacity},
                    {"total_available_tokens", round2(t.total_tokens)},
                    {"average_capacity", round2(static_cast<double>(t.total_capacity) / n)},
                    {"average_available_tokens", round2(t.total_tokens / n)},
                    {"utilization_rate", utilization}};
                json::object reply{{"success", true}, {"data", std::move(data)}};
                co_return jsonReply(200, reply);
              }});
}

}  // namespace poise::admin
