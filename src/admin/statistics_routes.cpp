#include "admin/statistics_routes.h"

#include <boost/json.hpp>

#include "admin/admin_support.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using http::RouteParams;
using net::HttpExchange;
using namespace support;

namespace {

constexpr auto kDefaultSurvivalRange = std::chrono::hours(12);

// An optional ISO-8601 query parameter: true with `out` unset when absent, false when present
// but not a datetime.
bool optionalTime(const HttpExchange& ex, std::string_view name, std::optional<TimePoint>& out) {
  const std::string raw = queryParam(ex, name);
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
  AdminApi* self = &admin;
  BlockingPool* blocking = &deps.blocking;
  storage::StatisticsRepository* repo = &deps.repo;
  stats::CallCounters* counters = &deps.counters;
  const Clock* clock = &deps.clock;

  // Key counts by status over time, ascending, at most ~500 points (the seed returned every row).
  r.add(
      verb::get, "/api/v1/api_keys/statistics/survival",
      [self, blocking, repo, clock](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
        auto caller = co_await self->requireAdmin(ex);
        if (!caller) co_return;
        std::optional<TimePoint> start;
        std::optional<TimePoint> end;
        if (!optionalTime(ex, "start_time", start) || !optionalTime(ex, "end_time", end)) {
          co_await sendError(ex, 422,
                             "start_time and end_time must be ISO-8601 datetimes, e.g. "
                             "2026-11-26T05:00:00.000Z",
                             "invalid_argument");
          co_return;
        }
        const TimePoint to = end.value_or(clock->now());
        const TimePoint from = start.value_or(to - kDefaultSurvivalRange);
        if (from > to) {
          co_await sendError(ex, 422, "start_time is after end_time", "invalid_argument");
          co_return;
        }
        auto job = [repo, from, to] { return repo->survival(from, to); };
        auto series = co_await blocking->run(job);
        if (!series) {
          co_await sendFailure(ex, series.error());
          co_return;
        }
        json::array points;
        points.reserve(series->points.size());
        for (const auto& p : series->points) points.push_back(snapshotJson(p));
        json::object out;
        out["statistics"] = std::move(points);
        out["resolution"] = series->resolution;
        out["bucket_seconds"] = series->bucket_seconds;
        out["start_time"] = formatIso8601(from);
        out["end_time"] = formatIso8601(to);
        co_await sendJson(ex, 200, out);
      });

  // Upstream attempts (every try on a key, retries included) from the in-memory counters.
  r.add(verb::get, "/api/v1/api_keys/statistics/calls",
        [self, counters, clock](HttpExchange& ex, const RouteParams&) -> asio::awaitable<void> {
          auto caller = co_await self->requireAdmin(ex);
          if (!caller) co_return;
          const TimePoint now = clock->now();
          const auto day = counters->callsLast(std::chrono::hours(24), now);
          json::object out;
          out["calls_last_1_minute"] = counters->callsLast(std::chrono::seconds(60), now).calls;
          out["calls_last_1_hour"] = counters->callsLast(std::chrono::hours(1), now).calls;
          out["calls_last_24_hours"] = day.calls;
          out["monthly_usage"] = counters->monthlyUsage(now);
          out["failures_last_24_hours"] = day.failures;
          co_await sendJson(ex, 200, out);
        });
}

}  // namespace poise::admin
