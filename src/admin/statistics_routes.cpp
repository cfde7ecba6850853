#include "admin/statistics_routes.h"

#include <boost/json.hpp>
#include <map>

#include "admin/admin_support.h"
#include "core/secret_mask.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using net::Response;
using namespace support;

namespace {

constexpr auto kDefaultSurvivalRange = std::chrono::hours(12);

// An optional ISO-8601 query parameter: true with `out` unset when absent, false when present
// but not a datetime.
bool optionalTime(const AdminRequest& rq, std::string_view name, std::optional<TimePoint>& out) {
  const std::string raw = rq.query(name);
  if (raw.empty()) return true;
  TimePoint t;
  if (!parseIso8601(raw, t)) return false;
  out = t;
  return true;
}

json::object snapshotJson(const storage::SurvivalSnapshot& s) {
  json::object o;
  o["timestamp"] = formatIso8601(s.timestamp);
  o["active_keys"] = s.active_keys;
  o["exhausted_keys"] = s.exhausted_keys;
  o["error_keys"] = s.error_keys;
  o["disabled_keys"] = s.disabled_keys;
  o["total_keys"] = s.total_keys;
  return o;
}

}  // namespace

void registerStatisticsRoutes(http::Router& r, AdminApi& admin, StatisticsDeps deps) {
  using boost::beast::http::verb;
  BlockingPool* blocking = &deps.blocking;
  storage::StatisticsRepository* repo = &deps.repo;
  stats::CallCounters* counters = &deps.counters;
  const Clock* clock = &deps.clock;
  keys::KeyPool* pool = &admin.deps().pool;

  // From the pool's counters: O(1), no database scan (the seed's shape, plus disabled_keys).
  admin.add(r, {.method = verb::get,
                .pattern = "/api/v1/api_keys/statistics/keys",
                .summary = "Key counts by status, live",
                .handler = [pool](const AdminRequest&) -> asio::awaitable<Response> {
                  const auto c = pool->statusCounts();
                  json::object out;
                  out["active_keys"] = c.active;
                  out["exhausted_keys"] = c.exhausted;
                  out["error_keys"] = c.error;
                  out["disabled_keys"] = c.disabled;
                  out["total_keys"] = c.total();
                  co_return jsonReply(200, out);
                }});

  // Ascending, at most ~500 points (the seed returned every row).
  admin.add(
      r, {.method = verb::get,
          .pattern = "/api/v1/api_keys/statistics/survival",
          .summary = "Key counts by status over time (default: the last 12 hours)",
          .handler = [blocking, repo, clock](const AdminRequest& rq) -> asio::awaitable<Response> {
            std::optional<TimePoint> start;
            std::optional<TimePoint> end;
            if (!optionalTime(rq, "start_time", start) || !optionalTime(rq, "end_time", end)) {
              co_return errorReply(422,
                                   "start_time and end_time must be ISO-8601 datetimes, e.g. "
                                   "2026-11-26T05:00:00.000Z",
                                   ErrorCode::InvalidArgument);
            }
            const TimePoint to = end.value_or(clock->now());
            const TimePoint from = start.value_or(to - kDefaultSurvivalRange);
            if (from > to) {
              co_return errorReply(422, "start_time is after end_time", ErrorCode::InvalidArgument);
            }
            auto job = [repo, from, to] { return repo->survival(from, to); };
            auto series = co_await blocking->run(job);
            if (!series) co_return failureReply(series.error(), rq.info.request_id);
            json::array points;
            points.reserve(series->points.size());
            for (const auto& p : series->points) points.push_back(snapshotJson(p));
            json::object out;
            out["statistics"] = std::move(points);
            out["resolution"] = series->resolution;
            out["bucket_seconds"] = series->bucket_seconds;
            out["start_time"] = formatIso8601(from);
            out["end_time"] = formatIso8601(to);
            co_return jsonReply(200, out);
          }});

  // Every try on a key, retries included, from the in-memory counters.
  admin.add(r, {.method = verb::get,
                .pattern = "/api/v1/api_keys/statistics/calls",
                .summary = "Upstream attempts per minute, hour, day and month",
                .handler = [counters, clock](const AdminRequest&) -> asio::awaitable<Response> {
                  const TimePoint now = clock->now();
                  const auto day = counters->callsLast(std::chrono::hours(24), now);
                  json::object out;
                  out["calls_last_1_minute"] =
                      counters->callsLast(std::chrono::seconds(60), now).calls;
                  out["calls_last_1_hour"] = counters->callsLast(std::chrono::hours(1), now).calls;
                  out["calls_last_24_hours"] = day.calls;
                  out["monthly_usage"] = counters->monthlyUsage(now);
                  out["failures_last_24_hours"] = day.failures;
                  co_return jsonReply(200, out);
                }});

  // The seed's per-key minute buckets, from the in-memory counters (the last 24 h at most; empty
  // after a restart). key_value is the masked form, never a prefix of the plaintext.
  admin.add(
      r, {.method = verb::get,
          .pattern = "/api/v1/api_keys/statistics/calls_by_minute",
          .summary = "Upstream attempts per key and minute over the last hours_ago hours",
          .handler = [counters, clock, pool](const AdminRequest& rq) -> asio::awaitable<Response> {
            int hours = 24;
            if (auto h = rq.query("hours_ago"); !h.empty()) {
              if (!parseNumber(h, hours) || hours < 1 || hours > 24) {
                co_return errorReply(422, "hours_ago must be 1..24 (the counters keep 24 h)",
                                     ErrorCode::ValidationError);
              }
            }
            const TimePoint now = clock->now();
            json::array logs;
            std::map<std::int64_t, std::string> masked;
            for (const auto& c : counters->keyMinutes(now - std::chrono::hours(hours), now)) {
              auto [it, fresh] = masked.try_emplace(c.key_id);
              if (fresh) {
                auto key = pool->get(c.key_id);
                it->second = key ? maskSecret(key->value) : std::string();
              }
              logs.push_back(json::object{{"api_key_id", c.key_id},
                                          {"key_value", it->second},
                                          {"timestamp", formatIso8601(c.minute)},
                                          {"call_count", c.count.calls},
                                          {"failure_count", c.count.failures}});
            }
            json::object out;
            out["logs"] = std::move(logs);
            out["complete_since"] = timeOrNull(counters->keyMinutesCompleteSince());
            co_return jsonReply(200, out);
          }});
}

}  // namespace poise::admin
