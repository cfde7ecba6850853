// The seed's four /api_keys/cache/* routes, mapped onto the in-memory key pool (the seed cached
// the active keys in Redis for 5 minutes; here the pool is the cache, updated at once by every
// admin change, so there is no TTL):
//   POST invalidate, POST refresh: reload the pool from the database the way start-up loads it
//     (pending usage flushed first; live cooldowns and bucket levels kept, see KeyPool::sync);
//   GET status: the pool's key counts by status against the stored rows';
//   POST reset-stats: zero the reload statistics that status shows.
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using namespace support;

namespace {

// Reloads since start-up or the last reset: "hits" changed no key count, "misses" did.
class ReloadStats {
 public:
  explicit ReloadStats(TimePoint start) : since_(start) {}

  void record(bool changed, TimePoint now) {
    std::lock_guard lock(mu_);
    ++(changed ? misses_ : hits_);
    last_reload_ = now;
  }
  void reset(TimePoint now) {
    std::lock_guard lock(mu_);
    hits_ = misses_ = 0;
    since_ = now;
    last_reset_ = now;
  }
  json::object toJson(TimePoint now) const {
    std::lock_guard lock(mu_);
    const std::int64_t total = hits_ + misses_;
    const double rate =
        total == 0
            ? 0.0
            : std::round(10000.0 * static_cast<double>(hits_) / static_cast<double>(total)) / 100.0;
    const double hours = std::chrono::duration<double, std::ratio<3600>>(now - since_).count();
    return json::object{{"total_requests", total},
                        {"cache_hits", hits_},
                        {"cache_misses", misses_},
                        {"hit_rate", rate},
                        {"duration_hours", std::round(hours * 100.0) / 100.0},
                        {"start_time", epochSeconds(since_)},
                        {"last_reset_time", last_reset_ ? json::value(epochSeconds(*last_reset_))
                                                        : json::value(nullptr)},
                        {"last_reload_at", timeOrNull(last_reload_)}};
  }

 private:
  static double epochSeconds(TimePoint t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  }

  mutable std::mutex mu_;
  std::int64_t hits_ = 0;
  std::int64_t misses_ = 0;
  TimePoint since_;
  std::optional<TimePoint> last_reset_;
  std::optional<TimePoint> last_reload_;
};

json::object countsJson(const keys::KeyPool::StatusCounts& c) {
  return json::object{{"active", c.active},
                      {"exhausted", c.exhausted},
                      {"error", c.error},
                      {"disabled", c.disabled},
                      {"total", c.total()}};
}

keys::KeyPool::StatusCounts countsOf(const std::map<std::string, std::int64_t>& by_status) {
  const auto at = [&by_status](const char* s) {
    auto it = by_status.find(s);
    return it == by_status.end() ? std::int64_t{0} : it->second;
  };
  return {.active = at("active"),
          .exhausted = at("exhausted"),
          .error = at("error"),
          .disabled = at("disabled")};
}

bool sameCounts(const keys::KeyPool::StatusCounts& a, const keys::KeyPool::StatusCounts& b) {
  return a.active == b.active && a.exhausted == b.exhausted && a.error == b.error &&
         a.disabled == b.disabled;
}

// The reload both invalidate and refresh do, audited. Suspends.
asio::awaitable<Response> reload(AdminApi& api, ReloadStats& stats, const AdminRequest& rq,
                                 std::string_view message) {
  const AdminDeps* d = &api.deps();
  if (!d->reload_pool) {
    co_return errorReply(503, "the key pool cannot be reloaded here", ErrorCode::Unavailable);
  }
  auto job = [d] {
    const auto before = d->pool.statusCounts();
    auto r = d->reload_pool();
    return std::pair{std::move(r), before};
  };
  auto [result, before] = co_await d->blocking.run(job);
  if (!result) co_return failureReply(result.error(), rq.info.request_id);
  stats.record(!sameCounts(before, d->pool.statusCounts()), d->clock.now());
  api.audit(rq, "pool.reload", "", "keys " + std::to_string(result->keys));
  json::object out;
  out["message"] = message;
  out["cached_keys_count"] = result->keys;
  out["undecryptable_keys"] = result->undecryptable;
  co_return jsonReply(200, out);
}

}  // namespace

void registerPoolRoutes(http::Router& r, AdminApi& api) {
  AdminApi* self = &api;
  const AdminDeps* d = &api.deps();
  auto stats = std::make_shared<ReloadStats>(d->clock.now());

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/api_keys/cache/invalidate",
              .summary = "Reload the key pool from the database",
              .handler = [self, stats](const AdminRequest& rq) -> asio::awaitable<Response> {
                co_return co_await reload(*self, *stats, rq, "Cache invalidated successfully");
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/api_keys/cache/refresh",
              .summary = "Reload the key pool from the database",
              .handler = [self, stats](const AdminRequest& rq) -> asio::awaitable<Response> {
                co_return co_await reload(*self, *stats, rq, "Cache refreshed successfully");
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/api_keys/cache/status",
              .summary = "The key pool's counts by status against the database's",
              .handler = [d, stats](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto job = [d] { return d->keys.countByStatus(); };
                auto stored = co_await d->blocking.run(job);
                if (!stored) co_return failureReply(stored.error(), rq.info.request_id);
                const auto live = d->pool.statusCounts();
                const auto db = countsOf(*stored);
                json::object out;
                out["cache_status"] = "hit";  // the pool is always loaded
                out["cached_keys_count"] = live.total();
                out["actual_active_keys_count"] = db.active;
                // Stored rows trail the pool by up to a second (the usage flusher).
                out["cache_accuracy"] = sameCounts(live, db);
                out["cache_ttl_seconds"] = nullptr;  // no expiry: changes apply at once
                out["pool"] = countsJson(live);
                out["database"] = countsJson(db);
                out["statistics"] = stats->toJson(d->clock.now());
                co_return jsonReply(200, out);
              }});

  api.add(r, {.method = verb::post,
              .pattern = "/api/v1/api_keys/cache/reset-stats",
              .summary = "Zero the reload statistics",
              .handler = [self, d, stats](const AdminRequest& rq) -> asio::awaitable<Response> {
                stats->reset(d->clock.now());
                self->audit(rq, "pool.reset_stats", "", "");
                json::object out;
                out["message"] = "Cache statistics reset";
                co_return jsonReply(200, out);
              }});
}

}  // namespace poise::admin
