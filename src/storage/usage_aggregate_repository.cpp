#include "storage/usage_aggregate_repository.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <map>
#include <tuple>

#include "storage/limits.h"

namespace poise::storage {

namespace {

constexpr std::size_t kKeyColumns = 4;
constexpr std::size_t kScalarColumns = 9;
constexpr std::size_t kCountColumns =
    kScalarColumns + kUsageErrorClasses.size() + kUsageLatencyBuckets;
constexpr std::size_t kAllColumns = kKeyColumns + kCountColumns;

// The count columns in UsageCounts order.
const std::vector<std::string>& countColumns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c = {"requests",        "errors",        "attempts",
                                  "failed_attempts", "prompt_tokens", "completion_tokens",
                                  "thought_tokens",  "cached_tokens", "latency_ms_sum"};
    for (std::string_view e : kUsageErrorClasses) c.push_back(fmt::format("err_{}", e));
    for (std::size_t i = 0; i < kUsageLatencyBuckets; ++i) c.push_back(fmt::format("lat_{:02}", i));
    return c;
  }();
  return columns;
}

void appendCounts(const UsageCounts& c, std::vector<Value>& out) {
  for (std::int64_t v :
       {c.requests, c.errors, c.attempts, c.failed_attempts, c.prompt_tokens, c.completion_tokens,
        c.thought_tokens, c.cached_tokens, c.latency_ms_sum}) {
    out.emplace_back(v);
  }
  for (std::int64_t v : c.errors_by_class) out.emplace_back(v);
  for (std::int64_t v : c.latency_buckets) out.emplace_back(v);
}

// Reads the count columns starting at cell `first`.
UsageCounts readCounts(const Row& r, std::size_t first) {
  UsageCounts c;
  std::size_t i = first;
  for (std::int64_t* v :
       {&c.requests, &c.errors, &c.attempts, &c.failed_attempts, &c.prompt_tokens,
        &c.completion_tokens, &c.thought_tokens, &c.cached_tokens, &c.latency_ms_sum}) {
    *v = r.int64(i++);
  }
  for (std::int64_t& v : c.errors_by_class) v = r.int64(i++);
  for (std::int64_t& v : c.latency_buckets) v = r.int64(i++);
  return c;
}

// "SUM(requests), SUM(errors), …" in count column order.
std::string sumList() {
  std::string out;
  for (const std::string& c : countColumns()) {
    if (!out.empty()) out += ", ";
    out += "SUM(" + c + ")";
  }
  return out;
}

// The upsert of the rows `source` yields ("VALUES (?, …), …" or a SELECT).
std::string upsertSql(Dialect dialect, std::string_view source) {
  std::string sql =
      "INSERT INTO usage_aggregates (granularity, bucket_start, dimension, dimension_value";
  for (const std::string& c : countColumns()) sql += ", " + c;
  sql.append(") ").append(source);
  const bool mysql = dialect == Dialect::Mysql;
  sql +=
      mysql ? " ON DUPLICATE KEY UPDATE "
            : " ON CONFLICT (granularity, dimension, dimension_value, bucket_start) DO UPDATE SET ";
  const auto assign =
      fmt::runtime(mysql ? "{0} = {0} + VALUES({0})" : "{0} = usage_aggregates.{0} + excluded.{0}");
  bool first = true;
  for (const std::string& c : countColumns()) {
    if (!first) sql += ", ";
    first = false;
    sql += fmt::format(assign, c);
  }
  return sql;
}

std::int64_t ceilTo(std::int64_t t, std::int64_t g) {
  const std::int64_t f = floorTo(t, g);
  return f == t ? t : f + g;
}

// Covers [a, b) (whole minutes) with hours where they fit and minutes at the edges.
void coverHours(std::int64_t a, std::int64_t b, std::vector<UsageSpan>& out) {
  const std::int64_t h0 = ceilTo(a, kHourSeconds);
  const std::int64_t h1 = floorTo(b, kHourSeconds);
  if (h0 >= h1) {
    if (a < b) out.push_back({kMinuteSeconds, a, b});
    return;
  }
  if (a < h0) out.push_back({kMinuteSeconds, a, h0});
  out.push_back({kHourSeconds, h0, h1});
  if (h1 < b) out.push_back({kMinuteSeconds, h1, b});
}

// Widens an edge to the granularity whose cells still exist at that age.
std::int64_t widenEdge(std::int64_t t, std::int64_t now, bool up) {
  const auto minute_limit = now - std::chrono::seconds(kMinuteRetention).count();
  const auto hour_limit = now - std::chrono::seconds(kHourRetention).count();
  std::int64_t g = kMinuteSeconds;
  if (t < hour_limit) {
    g = kDaySeconds;
  } else if (t < minute_limit) {
    g = kHourSeconds;
  }
  return up ? ceilTo(t, g) : floorTo(t, g);
}

}  // namespace

std::int64_t unixSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

std::int64_t floorTo(std::int64_t t, std::int64_t g) {
  const std::int64_t r = t % g;
  return r < 0 ? t - r - g : t - r;
}

std::string_view toString(UsageDimension d) {
  switch (d) {
    case UsageDimension::All:
      return "all";
    case UsageDimension::Model:
      return "model";
    case UsageDimension::Token:
      return "token";
    case UsageDimension::Key:
      return "key";
  }
  return "all";
}

void UsageCounts::add(const UsageCounts& o) {
  requests += o.requests;
  errors += o.errors;
  attempts += o.attempts;
  failed_attempts += o.failed_attempts;
  prompt_tokens += o.prompt_tokens;
  completion_tokens += o.completion_tokens;
  thought_tokens += o.thought_tokens;
  cached_tokens += o.cached_tokens;
  latency_ms_sum += o.latency_ms_sum;
  for (std::size_t i = 0; i < errors_by_class.size(); ++i) {
    errors_by_class[i] += o.errors_by_class[i];
  }
  for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
    latency_buckets[i] += o.latency_buckets[i];
  }
}

std::vector<UsageSpan> coverRange(TimePoint from_tp, TimePoint to_tp, TimePoint now_tp) {
  std::vector<UsageSpan> out;
  const std::int64_t now = unixSeconds(now_tp);
  const std::int64_t from = widenEdge(floorTo(unixSeconds(from_tp), kMinuteSeconds), now, false);
  const std::int64_t to = widenEdge(
      ceilTo(unixSeconds(to_tp + std::chrono::milliseconds(999)), kMinuteSeconds), now, true);
  if (from >= to) return out;
  const std::int64_t d0 = ceilTo(from, kDaySeconds);
  const std::int64_t d1 = floorTo(to, kDaySeconds);
  if (d0 >= d1) {
    coverHours(from, to, out);
    return out;
  }
  coverHours(from, d0, out);
  out.push_back({kDaySeconds, d0, d1});
  coverHours(d1, to, out);
  return out;
}

Status UsageAggregateRepository::addChunk(Connection& c, std::span<const UsageCell> cells) {
  std::vector<Value> params;
  params.reserve(cells.size() * kAllColumns);
  for (const UsageCell& cell : cells) {
    assert(cell.bucket_start % cell.granularity == 0);
    params.emplace_back(cell.granularity);
    params.emplace_back(cell.bucket_start);
    params.emplace_back(std::string(toString(cell.dimension)));
    params.emplace_back(truncateUtf8(cell.value, kMaxUsageValueBytes));
    appendCounts(cell.counts, params);
  }
  std::string source;
  if (c.dialect() == Dialect::Postgres) {
    // One statement of array parameters for every cell (see postgresUnnestSelect).
    static const std::vector<std::string_view> types = [] {
      std::vector<std::string_view> t(kAllColumns, "bigint[]");
      t[2] = t[3] = "text[]";  // dimension, dimension_value
      return t;
    }();
    UnnestSelect bulk = postgresUnnestSelect(params, types);
    source = std::move(bulk.sql);
    params = std::move(bulk.params);
  } else {
    source = "VALUES " + placeholderRows(cells.size(), kAllColumns);
  }
  auto n = c.execute(upsertSql(c.dialect(), source), params);
  if (!n) return n.error();
  return {};
}

Status UsageAggregateRepository::add(std::span<const UsageCell> cells) {
  if (cells.empty()) return {};
  // Key order: two processes adding to the same cells take their row locks in the same order.
  std::vector<const UsageCell*> order;
  order.reserve(cells.size());
  for (const UsageCell& c : cells) order.push_back(&c);
  const auto key = [](const UsageCell* c) {
    return std::tie(c->granularity, c->dimension, c->value, c->bucket_start);
  };
  std::sort(order.begin(), order.end(),
            [&](const UsageCell* a, const UsageCell* b) { return key(a) < key(b); });
  assert(std::adjacent_find(order.begin(), order.end(), [&](const auto* a, const auto* b) {
           return key(a) == key(b);
         }) == order.end());
  std::vector<UsageCell> sorted;
  sorted.reserve(order.size());
  for (const UsageCell* c : order) sorted.push_back(*c);
  return db_.transaction([&](Connection& c) -> Status {
    // PostgreSQL takes every cell in one statement of array parameters.
    const std::size_t chunk = c.dialect() == Dialect::Postgres ? sorted.size() : kCellsPerUpsert;
    for (std::size_t start = 0; start < sorted.size(); start += chunk) {
      const std::size_t n = std::min(chunk, sorted.size() - start);
      if (auto st = addChunk(c, std::span<const UsageCell>(sorted).subspan(start, n)); !st) {
        return st;
      }
    }
    return {};
  });
}

Result<std::vector<UsagePoint>> UsageAggregateRepository::series(UsageDimension dimension,
                                                                 std::string_view value,
                                                                 std::int64_t granularity,
                                                                 std::int64_t from, std::int64_t to,
                                                                 std::int64_t step) {
  if (granularity <= 0 || step <= 0 || step % granularity != 0) {
    return makeError(ErrorCode::InvalidArgument, "step must be a multiple of the granularity");
  }
  std::string sql = "SELECT bucket_start";
  for (const std::string& c : countColumns()) sql += ", " + c;
  sql +=
      " FROM usage_aggregates WHERE granularity = ? AND dimension = ? AND dimension_value = ? "
      "AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start";
  auto rows = db_.query(sql, {granularity, std::string(toString(dimension)),
                              truncateUtf8(value, kMaxUsageValueBytes), from, to});
  if (!rows) return rows.error();
  std::vector<UsagePoint> out;
  for (const Row& r : *rows) {
    const std::int64_t start = from + floorTo(r.int64(0) - from, step);
    if (out.empty() || out.back().start != start) out.push_back(UsagePoint{.start = start});
    out.back().counts.add(readCounts(r, 1));
  }
  return out;
}

Result<std::vector<UsageTotal>> UsageAggregateRepository::totals(UsageDimension dimension,
                                                                 std::span<const UsageSpan> spans,
                                                                 std::optional<std::string> value,
                                                                 int limit) {
  if (limit < 1) return makeError(ErrorCode::InvalidArgument, "limit must be >= 1");
  std::vector<UsageTotal> out;
  if (spans.empty()) return out;
  std::string sql =
      "SELECT dimension_value, " + sumList() + " FROM usage_aggregates WHERE dimension = ?";
  std::vector<Value> params{std::string(toString(dimension))};
  if (value) {
    sql += " AND dimension_value = ?";
    params.emplace_back(truncateUtf8(*value, kMaxUsageValueBytes));
  }
  sql += " AND (";
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i != 0) sql += " OR ";
    sql += "(granularity = ? AND bucket_start >= ? AND bucket_start < ?)";
    params.emplace_back(spans[i].granularity);
    params.emplace_back(spans[i].from);
    params.emplace_back(spans[i].to);
  }
  sql += ") GROUP BY dimension_value ORDER BY 2 DESC, 1 LIMIT ?";
  params.emplace_back(std::int64_t{limit});
  auto rows = db_.query(sql, params);
  if (!rows) return rows.error();
  out.reserve(rows->size());
  for (const Row& r : *rows)
    out.push_back(UsageTotal{.value = r.text(0), .counts = readCounts(r, 1)});
  return out;
}

Result<KeyMinuteListing> UsageAggregateRepository::keyMinutes(std::int64_t from, std::int64_t to,
                                                              std::size_t max_cells) {
  auto rows = db_.query(
      "SELECT dimension_value, bucket_start, attempts, failed_attempts FROM usage_aggregates "
      "WHERE granularity = ? AND dimension = 'key' AND bucket_start >= ? AND bucket_start < ? "
      "AND attempts > 0 ORDER BY bucket_start DESC LIMIT ?",
      {kMinuteSeconds, from, to, static_cast<std::int64_t>(max_cells) + 1});
  if (!rows) return rows.error();
  KeyMinuteListing out;
  for (const Row& r : *rows) {
    std::int64_t id = 0;
    const std::string v = r.text(0);
    const auto [_, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
    if (ec != std::errc{}) continue;
    out.items.push_back(KeyMinuteAttempts{
        .key_id = id, .minute = r.int64(1), .attempts = r.int64(2), .failed_attempts = r.int64(3)});
  }
  if (rows->size() > max_cells && !out.items.empty()) {
    // The oldest minute read may be cut: leave it out entirely.
    const std::int64_t oldest = out.items.back().minute;
    std::erase_if(out.items, [&](const KeyMinuteAttempts& k) { return k.minute == oldest; });
    out.complete_since = oldest + kMinuteSeconds;
  }
  std::sort(out.items.begin(), out.items.end(), [](const auto& a, const auto& b) {
    return std::tie(a.key_id, a.minute) < std::tie(b.key_id, b.minute);
  });
  return out;
}

Result<std::int64_t> UsageAggregateRepository::prune(TimePoint now_tp, int batch) {
  if (batch < 1) return makeError(ErrorCode::InvalidArgument, "batch must be >= 1");
  const std::int64_t now = unixSeconds(now_tp);
  const std::array<std::pair<std::int64_t, std::int64_t>, 3> expiry = {{
      {kMinuteSeconds, now - std::chrono::seconds(kMinuteRetention).count()},
      {kHourSeconds, now - std::chrono::seconds(kHourRetention).count()},
      {kDaySeconds, now - std::chrono::seconds(kDayRetention).count()},
  }};
  std::int64_t deleted = 0;
  for (const auto& [granularity, before] : expiry) {
    for (;;) {
      // The bucket of the batch-th oldest expired row bounds this transaction: about `batch`
      // rows (all of that bucket's cells go together).
      auto edge = db_.query(
          "SELECT bucket_start FROM usage_aggregates WHERE granularity = ? AND bucket_start < ? "
          "ORDER BY bucket_start LIMIT 1 OFFSET ?",
          {granularity, before, std::int64_t{batch - 1}});
      if (!edge) return edge.error();
      const std::int64_t upto = edge->empty() ? before : edge->front().int64(0) + 1;
      auto n =
          db_.execute("DELETE FROM usage_aggregates WHERE granularity = ? AND bucket_start < ?",
                      {granularity, std::min(upto, before)});
      if (!n) return n.error();
      deleted += *n;
      if (edge->empty()) break;
    }
  }
  return deleted;
}

}  // namespace poise::storage
