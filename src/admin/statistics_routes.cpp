#include "admin/statistics_routes.h"

#include <array>
#include <boost/json.hpp>
#include <chrono>
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
constexpr int kMaxCallsHours = 48;
constexpr std::size_t kMaxKeyMinutes = 200'000;  // (key, minute) cells per answer at most

TimePoint unixTime(std::int64_t seconds) {
  return TimePoint{std::chrono::seconds(seconds)};
}

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
  storage::UsageAggregateRepository* usage = &deps.usage;
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

  // Every try on a key, retries included, from the usage aggregates ('all' cells' attempts):
  // each window counts the whole minutes that overlap it (the current one included), and the
  // month counts from the first instant of the current UTC month. Behind the proxy by at most
  // the request log writer's batch interval (200 ms) plus one write.
  admin.add(
      r, {.method = verb::get,
          .pattern = "/api/v1/api_keys/statistics/calls",
          .summary = "Upstream attempts per minute, hour, day and month",
          .handler = [blocking, usage, clock](const AdminRequest& rq) -> asio::awaitable<Response> {
            const TimePoint now = clock->now();
            auto job = [usage, now]() -> Result<std::array<storage::UsageCounts, 4>> {
              const auto month =
                  std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now));
              const TimePoint month_start =
                  std::chrono::sys_days(month.year() / month.month() / std::chrono::day(1));
              std::array<storage::UsageCounts, 4> out;
              const std::array<TimePoint, 4> since = {now - std::chrono::seconds(60),
                                                      now - std::chrono::hours(1),
                                                      now - std::chrono::hours(24), month_start};
              for (std::size_t i = 0; i < since.size(); ++i) {
                const auto spans = storage::coverRange(since[i], now, now);
                auto t = usage->totals(storage::UsageDimension::All, spans, std::string(), 1);
                if (!t) return t.error();
                if (!t->empty()) out[i] = t->front().counts;
              }
              return out;
            };
            auto c = co_await blocking->run(job);
            if (!c) co_return failureReply(c.error(), rq.info.request_id);
            json::object out;
            out["calls_last_1_minute"] = (*c)[0].attempts;
            out["calls_last_1_hour"] = (*c)[1].attempts;
            out["calls_last_24_hours"] = (*c)[2].attempts;
            out["monthly_usage"] = (*c)[3].attempts;
            out["failures_last_24_hours"] = (*c)[2].failed_attempts;
            co_return jsonReply(200, out);
          }});

  // The seed's per-key minute buckets, from the usage aggregates' minute cells (kept 48 h).
  // key_value is the masked form, never a prefix of the plaintext.
  admin.add(r,
            {.method = verb::get,
             .pattern = "/api/v1/api_keys/statistics/calls_by_minute",
             .summary = "Upstream attempts per key and minute over the last hours_ago hours",
             .handler = [blocking, usage, clock,
                         pool](const AdminRequest& rq) -> asio::awaitable<Response> {
               int hours = 24;
               if (auto h = rq.query("hours_ago"); !h.empty()) {
                 if (!parseNumber(h, hours) || hours < 1 || hours > kMaxCallsHours) {
                   co_return errorReply(422, "hours_ago must be 1..48 (minute cells are kept 48 h)",
                                        ErrorCode::ValidationError);
                 }
               }
               const std::int64_t now = storage::unixSeconds(clock->now());
               const std::int64_t from = storage::floorTo(now - std::int64_t{hours} * 3600, 60);
               const std::int64_t to = storage::floorTo(now, 60) + 60;
               auto job = [usage, from, to] { return usage->keyMinutes(from, to, kMaxKeyMinutes); };
               auto listing = co_await blocking->run(job);
               if (!listing) co_return failureReply(listing.error(), rq.info.request_id);
               json::array logs;
               std::map<std::int64_t, std::string> masked;
               for (const auto& c : listing->items) {
                 auto [it, fresh] = masked.try_emplace(c.key_id);
                 if (fresh) {
                   auto key = pool->get(c.key_id);
                   it->second = key ? maskSecret(key->value) : std::string();
                 }
                 logs.push_back(json::object{{"api_key_id", c.key_id},
                                             {"key_value", it->second},
                                             {"timestamp", formatIso8601(unixTime(c.minute))},
                                             {"call_count", c.attempts},
                                             {"failure_count", c.failed_attempts}});
               }
               json::object out;
               out["logs"] = std::move(logs);
               out["complete_since"] =
                   listing->complete_since
                       ? json::value(formatIso8601(unixTime(*listing->complete_since)))
                       : json::value(nullptr);
               co_return jsonReply(200, out);
             }});
}

}  // namespace poise::admin
