#include "admin/usage_routes.h"

#include <boost/json.hpp>
#include <cmath>

#include "admin/admin_support.h"
#include "core/model_id.h"
#include "core/secret_mask.h"
#include "usage/latency_histogram.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using storage::UsageCounts;
using storage::UsageDimension;
using namespace support;

namespace {

constexpr std::int64_t kDefaultRangeSeconds = 86400;
constexpr std::int64_t kDefaultMaxPoints = 500;
constexpr int kDefaultTopLimit = 10;
constexpr int kMaxTopLimit = 100;

TimePoint fromUnix(std::int64_t s) {
  return TimePoint{std::chrono::seconds(s)};
}

std::int64_t ceilTo(std::int64_t t, std::int64_t g) {
  const std::int64_t f = storage::floorTo(t, g);
  return f == t ? t : f + g;
}

std::string_view granularityName(std::int64_t g) {
  if (g == storage::kDaySeconds) return "day";
  if (g == storage::kHourSeconds) return "hour";
  return "minute";
}

json::value roundedOrNull(std::optional<double> v) {
  if (!v) return nullptr;
  return std::llround(*v);
}

// The counts as the usage routes show them.
json::object countsJson(const UsageCounts& c) {
  json::object o;
  o["requests"] = c.requests;
  o["errors"] = c.errors;
  json::object by_class;
  for (std::size_t i = 0; i < storage::kUsageErrorClasses.size(); ++i) {
    if (c.errors_by_class[i] != 0) by_class[storage::kUsageErrorClasses[i]] = c.errors_by_class[i];
  }
  o["errors_by_class"] = std::move(by_class);
  o["attempts"] = c.attempts;
  o["failed_attempts"] = c.failed_attempts;
  o["prompt_tokens"] = c.prompt_tokens;
  o["completion_tokens"] = c.completion_tokens;
  o["thought_tokens"] = c.thought_tokens;
  o["cached_tokens"] = c.cached_tokens;
  json::object latency;
  latency["avg"] = c.requests == 0
                       ? json::value(nullptr)
                       : json::value(std::llround(static_cast<double>(c.latency_ms_sum) /
                                                  static_cast<double>(c.requests)));
  latency["p50"] = roundedOrNull(usage::latencyPercentile(c.latency_buckets, 0.50));
  latency["p95"] = roundedOrNull(usage::latencyPercentile(c.latency_buckets, 0.95));
  latency["p99"] = roundedOrNull(usage::latencyPercentile(c.latency_buckets, 0.99));
  o["latency_ms"] = std::move(latency);
  return o;
}

// The dimension and value a request's filters name (at most one of model, token_id, key_id).
struct UsageFilter {
  UsageDimension dimension = UsageDimension::All;
  std::string value;
};

std::variant<UsageFilter, std::string> parseFilter(const AdminRequest& rq) {
  UsageFilter f;
  int named = 0;
  if (auto m = rq.query("model"); !m.empty()) {
    if (!isGeminiModelId(m)) return std::string("model must be a Gemini model id");
    f = {UsageDimension::Model, m};
    ++named;
  }
  for (auto [name, dim] :
       {std::pair{"token_id", UsageDimension::Token}, std::pair{"key_id", UsageDimension::Key}}) {
    if (auto v = rq.query(name); !v.empty()) {
      std::int64_t n = 0;
      if (!parseNumber(v, n) || n < 0) return std::string(name) + " must be a whole number >= 0";
      f = {dim, std::to_string(n)};
      ++named;
    }
  }
  if (named > 1) return std::string("give at most one of model, token_id and key_id");
  return f;
}

// Every point of the window, zeros where no cell was stored.
json::array pointsJson(const UsageWindow& w, const std::vector<storage::UsagePoint>& stored) {
  json::array points;
  auto it = stored.begin();
  for (std::int64_t t = w.from; t < w.to; t += w.step) {
    UsageCounts c;
    if (it != stored.end() && it->start == t) c = (it++)->counts;
    json::object p = countsJson(c);
    p["timestamp"] = formatIso8601(fromUnix(t));
    points.push_back(std::move(p));
  }
  return points;
}

void windowJson(const UsageWindow& w, json::object& out) {
  out["from"] = formatIso8601(fromUnix(w.from));
  out["to"] = formatIso8601(fromUnix(w.to));
  out["step_seconds"] = w.step;
  out["granularity"] = granularityName(w.granularity);
}

// A key's masked value from the pool, or null when the pool does not hold it (deleted).
json::value maskedKey(const keys::KeyPool& pool, std::int64_t id) {
  auto key = pool.get(id);
  if (!key) return nullptr;
  return json::value(maskSecret(key->value));
}

Response badQuery(std::string_view detail) {
  return errorReply(422, detail, ErrorCode::ValidationError);
}

// Series and totals of one dimension value over a window, answered as JSON (or a failure).
struct ValueUsage {
  std::vector<storage::UsagePoint> points;
  UsageCounts totals;
};

Result<ValueUsage> readValueUsage(storage::UsageAggregateRepository& repo, const UsageWindow& w,
                                  UsageDimension d, const std::string& value) {
  auto points = repo.series(d, value, w.granularity, w.from, w.to, w.step);
  if (!points) return points.error();
  ValueUsage out{.points = std::move(*points)};
  for (const auto& p : out.points) out.totals.add(p.counts);
  return out;
}

}  // namespace

std::variant<UsageRange, std::string> parseUsageRange(std::string_view from_text,
                                                      std::string_view to_text, TimePoint now) {
  UsageRange r{.from = now - std::chrono::seconds(kDefaultRangeSeconds), .to = now};
  if (!to_text.empty()) {
    if (!parseIso8601(to_text, r.to)) {
      return std::string("to must be an ISO-8601 datetime, e.g. 2026-11-26T05:00:00Z");
    }
    r.from = r.to - std::chrono::seconds(kDefaultRangeSeconds);
  }
  if (!from_text.empty() && !parseIso8601(from_text, r.from)) {
    return std::string("from must be an ISO-8601 datetime, e.g. 2026-11-26T05:00:00Z");
  }
  if (r.from >= r.to) return std::string("from must be before to");
  if (r.to - r.from > std::chrono::seconds(kMaxUsageRangeSeconds)) {
    return std::string("the range is at most 731 days");
  }
  return r;
}

std::variant<UsageWindow, std::string> parseUsageWindow(std::string_view from_text,
                                                        std::string_view to_text,
                                                        std::string_view step_text, TimePoint now) {
  auto range = parseUsageRange(from_text, to_text, now);
  if (auto* bad = std::get_if<std::string>(&range)) return std::move(*bad);
  const UsageRange& rg = std::get<UsageRange>(range);
  const std::int64_t from = storage::unixSeconds(rg.from);
  const std::int64_t to = storage::unixSeconds(rg.to + std::chrono::milliseconds(999));
  std::int64_t step = 0;
  if (step_text.empty()) {
    for (std::int64_t s : {60, 300, 900, 3600, 10800, 21600, 86400, 604800}) {
      step = s;
      if ((to - from + s - 1) / s <= kDefaultMaxPoints) break;
    }
  } else if (step_text == "minute") {
    step = storage::kMinuteSeconds;
  } else if (step_text == "hour") {
    step = storage::kHourSeconds;
  } else if (step_text == "day") {
    step = storage::kDaySeconds;
  } else if (!parseNumber(step_text, step) || step < 60 || step % 60 != 0 ||
             step > kMaxUsageRangeSeconds) {
    return std::string("step must be minute, hour, day or seconds (a multiple of 60)");
  }
  UsageWindow w{.step = step};
  for (std::int64_t g : {storage::kDaySeconds, storage::kHourSeconds, storage::kMinuteSeconds}) {
    if (step % g == 0) {
      w.granularity = g;
      break;
    }
  }
  w.from = storage::floorTo(from, w.granularity);
  w.to = ceilTo(to, w.granularity);
  if ((w.to - w.from + step - 1) / step > kMaxUsagePoints) {
    return "the range makes more than " + std::to_string(kMaxUsagePoints) +
           " points: use a longer step or a shorter range";
  }
  return w;
}

void registerUsageRoutes(http::Router& r, AdminApi& admin, UsageDeps deps) {
  BlockingPool* blocking = &deps.blocking;
  storage::UsageAggregateRepository* repo = &deps.repo;
  const Clock* clock = &deps.clock;
  const keys::KeyPool* pool = &admin.deps().pool;

  const auto window = [clock](const AdminRequest& rq) {
    return parseUsageWindow(rq.query("from"), rq.query("to"), rq.query("step"), clock->now());
  };

  admin.add(
      r, {.method = verb::get,
          .pattern = "/api/v1/usage/timeseries",
          .summary = "Requests, errors, tokens and latency percentiles per step over a "
                     "range; all traffic, or one model, client token or key",
          .handler = [blocking, repo, window](const AdminRequest& rq) -> asio::awaitable<Response> {
            auto w = window(rq);
            if (auto* bad = std::get_if<std::string>(&w)) co_return badQuery(*bad);
            auto f = parseFilter(rq);
            if (auto* bad = std::get_if<std::string>(&f)) co_return badQuery(*bad);
            const UsageWindow win = std::get<UsageWindow>(w);
            const UsageFilter filter = std::get<UsageFilter>(f);
            auto job = [repo, win, filter] {
              return repo->series(filter.dimension, filter.value, win.granularity, win.from, win.to,
                                  win.step);
            };
            auto points = co_await blocking->run(job);
            if (!points) co_return failureReply(points.error(), rq.info.request_id);
            json::object out;
            windowJson(win, out);
            out["dimension"] = storage::toString(filter.dimension);
            out["value"] = filter.dimension == UsageDimension::All ? json::value(nullptr)
                                                                   : json::value(filter.value);
            out["points"] = pointsJson(win, *points);
            co_return jsonReply(200, out);
          }});

  admin.add(r, {.method = verb::get,
                .pattern = "/api/v1/usage/top",
                .summary = "The models, client tokens or keys with the most requests over a range",
                .handler = [blocking, repo, clock,
                            pool](const AdminRequest& rq) -> asio::awaitable<Response> {
                  const std::string by = rq.query("by");
                  UsageDimension dim = UsageDimension::Model;
                  if (by == "token") {
                    dim = UsageDimension::Token;
                  } else if (by == "key") {
                    dim = UsageDimension::Key;
                  } else if (by != "model") {
                    co_return badQuery("by must be model, token or key");
                  }
                  int limit = kDefaultTopLimit;
                  if (auto l = rq.query("limit"); !l.empty()) {
                    if (!parseNumber(l, limit) || limit < 1 || limit > kMaxTopLimit) {
                      co_return badQuery("limit must be 1..100");
                    }
                  }
                  auto range = parseUsageRange(rq.query("from"), rq.query("to"), clock->now());
                  if (auto* bad = std::get_if<std::string>(&range)) co_return badQuery(*bad);
                  const auto [from, to] = std::get<UsageRange>(range);
                  const auto spans = storage::coverRange(from, to, clock->now());
                  auto job = [repo, dim, spans, limit] {
                    return repo->totals(dim, spans, std::nullopt, limit);
                  };
                  auto totals = co_await blocking->run(job);
                  if (!totals) co_return failureReply(totals.error(), rq.info.request_id);
                  json::array items;
                  for (const auto& t : *totals) {
                    json::object item = countsJson(t.counts);
                    item["value"] = t.value;
                    if (dim != UsageDimension::Model) {
                      std::int64_t id = 0;
                      parseNumber(t.value, id);
                      if (dim == UsageDimension::Key) {
                        item["key_id"] = id;
                        item["key_value"] = maskedKey(*pool, id);
                      } else {
                        item["token_id"] = id;
                      }
                    }
                    items.push_back(std::move(item));
                  }
                  json::object out;
                  out["by"] = by;
                  out["from"] = formatIso8601(from);
                  out["to"] = formatIso8601(to);
                  out["items"] = std::move(items);
                  co_return jsonReply(200, out);
                }});

  // One key's or one client token's usage: totals and points over a range.
  const auto valueRoute = [&](std::string pattern, UsageDimension dim, std::string summary) {
    admin.add(
        r, {.method = verb::get,
            .pattern = std::move(pattern),
            .summary = std::move(summary),
            .handler = [blocking, repo, pool, window,
                        dim](const AdminRequest& rq) -> asio::awaitable<Response> {
              std::int64_t id = 0;
              if (!parseNumber(rq.param("id"), id) || id < (dim == UsageDimension::Key ? 1 : 0)) {
                co_return badQuery(dim == UsageDimension::Key
                                       ? "the key id must be a whole number >= 1"
                                       : "the token id must be a whole number >= 0");
              }
              auto w = window(rq);
              if (auto* bad = std::get_if<std::string>(&w)) co_return badQuery(*bad);
              const UsageWindow win = std::get<UsageWindow>(w);
              auto job = [repo, win, dim, id] {
                return readValueUsage(*repo, win, dim, std::to_string(id));
              };
              auto usage = co_await blocking->run(job);
              if (!usage) co_return failureReply(usage.error(), rq.info.request_id);
              json::object out;
              if (dim == UsageDimension::Key) {
                out["key_id"] = id;
                out["key_value"] = maskedKey(*pool, id);
              } else {
                out["token_id"] = id;
              }
              windowJson(win, out);
              out["totals"] = countsJson(usage->totals);
              out["points"] = pointsJson(win, usage->points);
              co_return jsonReply(200, out);
            }});
  };
  valueRoute("/api/v1/usage/keys/{id}", UsageDimension::Key,
             "One upstream key's usage over a range (by id; the value masked)");
  valueRoute("/api/v1/usage/tokens/{id}", UsageDimension::Token,
             "One client token's usage over a range (0: the default api_token)");
}

}  // namespace poise::admin
