// Request log benchmarks (SPEC §7 P6 and the GET /api/v1/logs page), on the database
// POISE_TEST_DATABASE_URL names (a SQLite file in a fresh temporary directory when unset, opened
// in WAL mode as the gateway opens it). Each run uses a fresh namespace that is dropped afterwards.
//
//   poise_request_log_bench writer [--rate 20000] [--seconds 60]
//                                  [--batch-rows N] [--interval-ms N] [--capacity N]
//                                  [--aggregates on|off]
//     P6: usage::RequestLogWriter with its default options, fed at a paced `rate` rows/s by one
//     producer thread for `seconds`, writing through RequestLogRepository::appendBatch wrapped
//     by usage::withUsageAggregates (the usage aggregate upserts per batch), as the gateway's
//     sink is. The rows
//     are made by usage::toRequestLogRow from RequestRecords shaped like the gateway's (1–3 keys
//     tried, a few errors). Prints the sustained written rate, drops, failed rows, the queue
//     depth peak and the batch write times as one JSON line.
//
//   poise_request_log_bench query [--rows 5000000] [--repeats 11] [--database URL]
//     Seeds `rows` request_logs rows (and 1–3 request_log_keys rows each) with one
//     INSERT … SELECT per 500 000 rows over a number series (generate_series, a recursive CTE,
//     MariaDB's seq_1_to_N), then times RequestLogRepository::query for a page of 50 under each
//     filter GET /api/v1/logs offers. Prints one JSON line. With --database URL the rows go to
//     that database (migrated first) and stay there: a later run with the same URL and --rows
//     skips the seeding (seed_ms 0). Without it, a fresh namespace is seeded and dropped.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "http/request_record.h"
#include "storage/database_url.h"
#include "storage/dialect.h"
#include "storage/migrations.h"
#include "storage/request_log_repository.h"
#include "storage/test_database.h"
#include "storage/usage_aggregate_repository.h"
#include "usage/request_log_writer.h"
#include "usage/usage_aggregator.h"

namespace poise::storage {
namespace {

using SteadyClock = std::chrono::steady_clock;

double msSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// CPU time of the calling thread: less sensitive than wall time to other work on the machine.
double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::lround(p * static_cast<double>(v.size() - 1)));
  return v[std::min(i, v.size() - 1)];
}

// ---- P6: the writer at a paced rate ------------------------------------------------------------

const char* const kModels[] = {"gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash",
                               "gemini-2.5-flash-lite"};

// A finished record as the gateway makes one: mostly one successful attempt; one in seven
// requests tries two keys, one in 49 three; a few end in errors.
http::RequestRecord sampleRecord(std::uint64_t i) {
  http::RequestRecord r;
  const std::string model = kModels[i % 4];
  const bool stream = i % 3 == 0;
  r.method = "POST";
  r.path = "/v1beta/models/" + model + (stream ? ":streamGenerateContent" : ":generateContent");
  r.remote_ip = "10.1.2." + std::to_string(i % 250);
  r.user_agent = "google-genai-sdk/1.20.0 gl-python/3.11.9";
  r.started_ms = 1'000'000;
  r.route = stream ? "/v1beta/models/{model}:streamGenerateContent"
                   : "/v1beta/models/{model}:generateContent";
  r.protocol = i % 10 == 0 ? http::Protocol::OpenAI : http::Protocol::Gemini;
  r.token = i % 5 == 0 ? "default" : "team-" + std::to_string(i % 20);
  r.token_id = i % 5 == 0 ? 0 : static_cast<std::int64_t>(i % 20);
  r.model = model;
  r.stream = stream;
  const auto key = static_cast<std::int64_t>(1 + (i * 37) % 1000);
  const int tries = i % 49 == 0 ? 3 : i % 7 == 0 ? 2 : 1;
  for (int t = 0; t < tries; ++t) {
    const bool last = t == tries - 1;
    r.attempts.push_back(http::KeyAttempt{.key_id = 1 + (key + std::int64_t{t} * 101) % 1000,
                                          .outcome = last ? "success" : "cooldown",
                                          .status = last ? 200U : 429U,
                                          .duration_ms = 300});
  }
  r.usage.prompt = 100 + static_cast<std::int64_t>(i % 900);
  r.usage.candidates = 200 + static_cast<std::int64_t>(i % 700);
  r.usage.thoughts = static_cast<std::int64_t>(i % 3) * 64;
  r.first_byte_ms = r.started_ms + 150 + static_cast<std::int64_t>(i % 400);
  r.status = 200;
  if (i % 100 == 1) {
    r.status = 429;
    r.fail(http::ErrorClass::UpstreamError,
           "upstream 429: Resource has been exhausted (e.g. check quota).");
  } else if (i % 200 == 2) {
    r.status = 503;
    r.fail(http::ErrorClass::NoKey, "no key available for model " + model);
  }
  r.ended_ms = r.started_ms + 300 + static_cast<std::int64_t>((i * 7919) % 2500);
  r.finished = true;
  return r;
}

struct WriterArgs {
  int rate = 20'000;
  int seconds = 60;
  usage::RequestLogWriterOptions options;  // the defaults unless --batch-rows/--interval-ms
  bool aggregates = true;                  // the usage aggregates too, as the gateway's sink
};

int runWriter(const WriterArgs& a) {
  TestDatabase t;
  Database& db = t.db();
  RequestLogRepository repo(db);
  UsageAggregateRepository aggregates(db);
  const std::string dialect(dialectName(db.dialect()));
  // The gateway's sink: the rows, then the batch's usage aggregates (ServerApp). The rows'
  // share of the wall time is reported apart (logs_ms_share).
  double logs_ms = 0;
  usage::RequestLogWriter::Sink logs = [&](std::span<const RequestLogRow> rows) {
    const auto start = SteadyClock::now();
    Status st = repo.appendBatch(rows);
    logs_ms += msSince(start);
    return st;
  };
  const usage::RequestLogWriter::Sink sink =
      a.aggregates ? usage::withUsageAggregates(logs, aggregates) : logs;

  std::mutex times_mutex;
  std::vector<double> batch_ms;
  std::vector<double> batch_rows;
  double sink_cpu_ms = 0;
  usage::RequestLogWriter writer(
      [&](std::span<const RequestLogRow> rows) -> Status {
        const auto start = SteadyClock::now();
        const double cpu_start = threadCpuMs();
        Status st = sink(rows);
        const double ms = msSince(start);
        const double cpu_ms = threadCpuMs() - cpu_start;
        std::lock_guard lock(times_mutex);
        sink_cpu_ms += cpu_ms;
        batch_ms.push_back(ms);
        batch_rows.push_back(static_cast<double>(rows.size()));
        return st;
      },
      a.options);

  // 1 000 distinct record shapes, reused with a fresh request id each.
  std::vector<http::RequestRecord> shapes;
  for (std::uint64_t i = 0; i < 1000; ++i) shapes.push_back(sampleRecord(i));

  SystemClock clock;
  const auto start = SteadyClock::now();
  const auto end = start + std::chrono::seconds(a.seconds);
  std::uint64_t produced = 0;
  std::size_t depth_peak = 0;
  std::vector<double> per_second_written;
  std::uint64_t written_at_last_second = 0;
  auto next_second = start + std::chrono::seconds(1);
  auto tick = start;
  for (;;) {
    tick += std::chrono::milliseconds(1);
    std::this_thread::sleep_until(tick);
    const auto now = SteadyClock::now();
    const auto elapsed = std::min(now, end) - start;
    const auto target = static_cast<std::uint64_t>(std::chrono::duration<double>(elapsed).count() *
                                                   static_cast<double>(a.rate));
    const TimePoint wall = clock.now();
    for (; produced < target; ++produced) {
      http::RequestRecord& r = shapes[produced % shapes.size()];
      // Shaped like the gateway's own ids: a random prefix, the worker, a counter in hex.
      char id[40];
      std::snprintf(id, sizeof id, "5f3a9c1e-0-%llx", static_cast<unsigned long long>(produced));
      r.request_id = id;
      (void)writer.enqueue(usage::toRequestLogRow(r, wall));
    }
    const auto c = writer.counters();
    depth_peak = std::max(depth_peak, c.queue_depth);
    if (now >= next_second) {
      per_second_written.push_back(static_cast<double>(c.written - written_at_last_second));
      written_at_last_second = c.written;
      next_second += std::chrono::seconds(1);
    }
    if (now >= end) break;
  }
  const double window_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const auto at_end = writer.counters();
  const auto flush_start = SteadyClock::now();
  writer.flushAndStop();
  const double flush_ms = msSince(flush_start);
  const auto final_counters = writer.counters();
  auto count = db.query("SELECT COUNT(*) FROM request_logs");
  auto key_count = db.query("SELECT COUNT(*) FROM request_log_keys");
  if (!count || !key_count) {
    std::fprintf(stderr, "count failed\n");
    return 1;
  }
  std::lock_guard lock(times_mutex);
  std::printf(
      "{\"bench\": \"request_log_writer\", \"dialect\": \"%s\", \"rate_offered\": %d, "
      "\"capacity\": %zu, \"batch_rows\": %zu, \"batch_interval_ms\": %lld, "
      "\"seconds\": %.1f, \"produced\": %llu, \"written_in_window\": %llu, "
      "\"written_per_s\": %.0f, \"written_per_s_min_1s\": %.0f, \"dropped\": %llu, "
      "\"failed_rows\": %llu, \"batch_failures\": %llu, \"queue_depth_peak\": %zu, "
      "\"queue_depth_at_end\": %zu, \"flush_ms\": %.0f, \"rows_in_db\": %lld, "
      "\"key_rows_in_db\": %lld, \"batches\": %zu, \"batch_rows_median\": %.0f, "
      "\"batch_ms_p50\": %.1f, \"batch_ms_p99\": %.1f, \"batch_ms_max\": %.1f, "
      "\"us_per_row_median\": %.1f, \"writer_thread_cpu_us_per_row\": %.1f, "
      "\"aggregates\": %s, \"logs_ms_share\": %.2f}\n",
      dialect.c_str(), a.rate, a.options.capacity, a.options.batch_rows,
      static_cast<long long>(a.options.batch_interval.count()), window_s,
      static_cast<unsigned long long>(produced), static_cast<unsigned long long>(at_end.written),
      static_cast<double>(at_end.written) / window_s,
      per_second_written.size() > 2
          ? *std::min_element(per_second_written.begin() + 1, per_second_written.end())
          : 0.0,
      static_cast<unsigned long long>(final_counters.dropped),
      static_cast<unsigned long long>(final_counters.failed_rows),
      static_cast<unsigned long long>(final_counters.batch_failures), depth_peak,
      at_end.queue_depth, flush_ms, static_cast<long long>(count->front().int64(0)),
      static_cast<long long>(key_count->front().int64(0)), batch_ms.size(),
      percentile(batch_rows, 0.5), percentile(batch_ms, 0.5), percentile(batch_ms, 0.99),
      percentile(batch_ms, 1.0),
      [&] {
        std::vector<double> per_row;
        for (std::size_t i = 0; i < batch_ms.size(); ++i) {
          per_row.push_back(batch_ms[i] * 1000.0 / std::max(1.0, batch_rows[i]));
        }
        return percentile(per_row, 0.5);
      }(),
      sink_cpu_ms * 1000.0 / std::max<double>(1.0, static_cast<double>(final_counters.written)),
      a.aggregates ? "true" : "false",
      [&] {
        double total = 0;
        for (double ms : batch_ms) total += ms;
        return logs_ms / std::max(1.0, total);
      }());
  return 0;
}

// ---- The logs page at millions of rows --------------------------------------------------------

// Row i (1-based, its id is i) of the seed, as SQL expressions over `i`.
constexpr std::int64_t kSeedEpochMs = 1'795'910'400'000;  // 2026-11-29T00:00:00Z
constexpr std::int64_t kSeedStepMs = 50;                  // 20 rows a second

std::string cat(Dialect d, std::initializer_list<std::string> parts) {
  std::string out = d == Dialect::Sqlite ? "(" : "CONCAT(";
  bool first = true;
  for (const auto& p : parts) {
    if (!first) out += d == Dialect::Sqlite ? " || " : ", ";
    out += p;
    first = false;
  }
  return out + ")";
}

std::string createdAtExpr(Dialect d) {
  const std::string ms =
      "(" + std::to_string(kSeedEpochMs) + " + i * " + std::to_string(kSeedStepMs) + ")";
  switch (d) {
    case Dialect::Sqlite:
      return "strftime('%Y-%m-%dT%H:%M:%fZ', " + ms + " / 1000.0, 'unixepoch')";
    case Dialect::Postgres:
      return "to_char(to_timestamp(" + ms +
             " / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
    default:
      return "CONCAT(DATE_FORMAT(DATE_ADD('2026-11-29 00:00:00', INTERVAL (i * " +
             std::to_string(kSeedStepMs) + " DIV 1000) SECOND), '%Y-%m-%dT%H:%i:%s.'), LPAD((i * " +
             std::to_string(kSeedStepMs) + ") % 1000, 3, '0'), 'Z')";
  }
}

std::string seriesFrom(Dialect d, std::int64_t lo, std::int64_t hi) {
  const std::string a = std::to_string(lo);
  const std::string b = std::to_string(hi);
  switch (d) {
    case Dialect::Sqlite:
      return "(WITH RECURSIVE n(i) AS (SELECT " + a + " UNION ALL SELECT i + 1 FROM n WHERE i < " +
             b + ") SELECT i FROM n) AS s";
    case Dialect::Postgres:
      return "generate_series(" + a + "::bigint, " + b + "::bigint) AS s(i)";
    default:
      return "(SELECT seq AS i FROM seq_" + a + "_to_" + b + ") AS s";
  }
}

// Distribution: model 4 common ones (25 % each) and gemini-1.5-pro on 0.1 %; token id i % 50
// (0: the default token); status 429 on 1 %, 400 on 1 %, 503 on 0.5 %; latency 100–3 099 ms and
// 60 s+ on 0.01 %; one key in 1 000 per row, a second on one row in 7, a third on one in 49.
std::string seedSql(Dialect d, std::int64_t lo, std::int64_t hi) {
  const std::string model =
      "CASE WHEN i % 1000 = 7 THEN 'gemini-1.5-pro' WHEN i % 4 = 0 THEN 'gemini-2.5-flash' "
      "WHEN i % 4 = 1 THEN 'gemini-2.5-pro' WHEN i % 4 = 2 THEN 'gemini-2.0-flash' "
      "ELSE 'gemini-2.5-flash-lite' END";
  const std::string status =
      "CASE WHEN i % 200 = 2 THEN 503 WHEN i % 100 = 1 THEN 429 WHEN i % 100 = 3 THEN 400 "
      "ELSE 200 END";
  const std::string key1 = "(1 + (i * 37) % 1000)";
  const std::string latency =
      "CASE WHEN i % 10000 = 5 THEN 60000 + i % 1000 ELSE 100 + (i * 7919) "
      "% 3000 END";
  // Ids are set (= i): MariaDB's auto-increment leaves gaps between INSERT … SELECT statements.
  return "INSERT INTO request_logs (id, created_at, request_id, token_id, token_name, protocol, "
         "route, method, path, model, is_stream, status, attempts, keys_tried, latency_ms, "
         "ttfb_ms, prompt_tokens, completion_tokens, thought_tokens, cached_tokens, error_class, "
         "error_message, client_ip, user_agent) SELECT i, " +
         createdAtExpr(d) + ", " + cat(d, {"'seed-'", "i"}) + ", i % 50, " +
         "CASE WHEN i % 50 = 0 THEN 'default' ELSE " + cat(d, {"'team-'", "i % 50"}) + " END, " +
         "CASE WHEN i % 10 = 0 THEN 'openai' ELSE 'gemini' END, " +
         "'/v1beta/models/{model}:generateContent', 'POST', " +
         cat(d, {"'/v1beta/models/'", model, "':generateContent'"}) + ", " + model + ", " +
         "CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END, " + status + ", " +
         "CASE WHEN i % 49 = 0 THEN 3 WHEN i % 7 = 0 THEN 2 ELSE 1 END, " +
         cat(d, {key1, "':success'"}) + ", " + latency + ", (" + latency + ") / 3, " +
         "100 + i % 900, 200 + i % 700, (i % 3) * 64, 0, " +
         "CASE WHEN i % 200 = 2 THEN 'no_key' WHEN i % 100 = 1 THEN 'upstream_error' "
         "WHEN i % 100 = 3 THEN 'bad_request' ELSE 'none' END, " +
         "CASE WHEN i % 200 = 2 THEN " + cat(d, {"'no key available for model '", model}) +
         " WHEN i % 100 = 1 THEN 'upstream 429: Resource has been exhausted (e.g. check quota).' "
         "WHEN i % 100 = 3 THEN 'Invalid JSON payload received. Unknown name \"foo\"' "
         "ELSE '' END, " +
         cat(d, {"'10.1.2.'", "i % 250"}) + ", 'google-genai-sdk/1.20.0 gl-python/3.11.9' FROM " +
         seriesFrom(d, lo, hi);
}

std::string seedKeysSql(Dialect d, std::int64_t lo, std::int64_t hi) {
  const std::string i = "i";
  const std::string k = "(1 + (i * 37) % 1000)";
  // The second and third keys are other ids than the first (offsets 101 and 202 mod 1000).
  return "INSERT INTO request_log_keys (log_id, key_id) SELECT i, " + k + " FROM " +
         seriesFrom(d, lo, hi) + " UNION ALL SELECT i, 1 + (" + k + " - 1 + 101) % 1000 FROM " +
         seriesFrom(d, lo, hi) + " WHERE i % 7 = 0 OR i % 49 = 0 UNION ALL SELECT i, 1 + (" + k +
         " - 1 + 202) % 1000 FROM " + seriesFrom(d, lo, hi) + " WHERE i % 49 = 0";
}

TimePoint seedTime(std::int64_t i) {
  return TimePoint{Millis{kSeedEpochMs + i * kSeedStepMs}};
}

struct QueryArgs {
  std::int64_t rows = 5'000'000;
  int repeats = 11;
  std::string database;  // --database URL: kept and reused when already seeded with `rows` rows
};

int runQuery(const QueryArgs& a) {
  // A throw-away namespace, or (--database) a database that outlives the run: migrated, seeded
  // when empty, reused as it is when it already holds the seed's `rows` rows.
  std::optional<TestDatabase> scratch;
  std::unique_ptr<Database> kept;
  if (a.database.empty()) {
    scratch.emplace(DatabaseOptions{.pool_size = 2});
  } else {
    auto opened = openDatabase(a.database, DatabaseOptions{.pool_size = 2});
    if (!opened) {
      std::fprintf(stderr, "--database: %s\n", opened.error().message.c_str());
      return 1;
    }
    kept = std::move(*opened);
    ManualClock clock;
    if (auto st = migrate(*kept, clock); !st) {
      std::fprintf(stderr, "--database: %s\n", st.error().message.c_str());
      return 1;
    }
  }
  Database& db = kept ? *kept : static_cast<Database&>(scratch->db());
  const Dialect d = db.dialect();
  RequestLogRepository repo(db);
  const std::string dialect(dialectName(d));

  std::int64_t present = 0;
  if (kept) {
    auto count = db.query("SELECT COUNT(*) FROM request_logs");
    if (!count) return 1;
    present = count->front().int64(0);
    if (present != 0 && present != a.rows) {
      std::fprintf(stderr, "--database holds %lld rows, not 0 or --rows %lld\n",
                   static_cast<long long>(present), static_cast<long long>(a.rows));
      return 1;
    }
  }
  const auto seed_start = SteadyClock::now();
  constexpr std::int64_t kChunk = 500'000;
  for (std::int64_t lo = 1; present == 0 && lo <= a.rows; lo += kChunk) {
    const std::int64_t hi = std::min(a.rows, lo + kChunk - 1);
    Status st = db.transaction([&](Connection& c) -> Status {
      if (auto r = c.execute(seedSql(d, lo, hi)); !r) return r.error();
      if (auto r = c.execute(seedKeysSql(d, lo, hi)); !r) return r.error();
      return {};
    });
    if (!st) {
      std::fprintf(stderr, "seed %lld..%lld: %s\n", static_cast<long long>(lo),
                   static_cast<long long>(hi), st.error().message.c_str());
      return 1;
    }
  }
  const double seed_ms = msSince(seed_start);
  const auto analyze_start = SteadyClock::now();
  (void)db.execute(analyzeTableSql(d, "request_logs"));
  (void)db.execute(analyzeTableSql(d, "request_log_keys"));
  const double analyze_ms = msSince(analyze_start);
  // The seed must read back through the repository (timestamps parse, keys attach).
  {
    auto check = repo.query({}, std::nullopt, 1);
    if (!check || check->items.empty() || check->items.front().key_ids.empty() ||
        check->items.front().created_at != seedTime(a.rows)) {
      std::fprintf(stderr, "seeded rows do not read back as written: %s\n",
                   !check                 ? check.error().message.c_str()
                   : check->items.empty() ? "no row"
                   : check->items.front().key_ids.empty()
                       ? "no key ids"
                       : formatIso8601(check->items.front().created_at).c_str());
      return 1;
    }
  }

  const std::int64_t mid = a.rows / 2;
  struct Case {
    const char* name;
    RequestLogFilter filter;
    std::optional<std::int64_t> before_id;
  };
  const std::vector<Case> cases = {
      {"none", {}, std::nullopt},
      {"none, cursor mid-table", {}, mid},
      {"model (25 %)", {.model = "gemini-2.5-pro"}, std::nullopt},
      {"model (0.1 %)", {.model = "gemini-1.5-pro"}, std::nullopt},
      {"model (no row)", {.model = "gemini-9"}, std::nullopt},
      {"token id (2 %)", {.token_id = 17}, std::nullopt},
      {"key id (0.1 %)", {.key_id = 500}, std::nullopt},
      {"status class 4 (2 %)", {.status_class = 4}, std::nullopt},
      {"status class 5 (0.5 %)", {.status_class = 5}, std::nullopt},
      {"status class 3 (no row)", {.status_class = 3}, std::nullopt},
      {"min latency 60 s (0.01 %)", {.min_latency_ms = 60'000}, std::nullopt},
      {"min latency 2 s (37 %)", {.min_latency_ms = 2'000}, std::nullopt},
      {"error text (1 %)", {.error_text = "exhausted"}, std::nullopt},
      {"error text (no row)", {.error_text = "no such words"}, std::nullopt},
      {"time range 1 h, mid-table",
       {.since = seedTime(mid), .until = seedTime(mid) + Millis{3'600'000}},
       std::nullopt},
      {"since 24 h before the newest row",
       {.since = seedTime(a.rows) - Millis{86'400'000}},
       std::nullopt},
      {"time range 1 h + status class 5",
       {.since = seedTime(mid), .until = seedTime(mid) + Millis{3'600'000}, .status_class = 5},
       std::nullopt},
      {"time range 1 h + error text (no row)",
       {.since = seedTime(mid),
        .until = seedTime(mid) + Millis{3'600'000},
        .error_text = "no such words"},
       std::nullopt},
      {"request id", {.request_id = "seed-" + std::to_string(mid)}, std::nullopt},
      {"model + token + status class 2",
       {.token_id = 17, .model = "gemini-2.5-pro", .status_class = 2},
       std::nullopt},
      // Token 17 (i % 50 = 17) never meets gemini-2.5-flash (i % 4 = 0): every row of the token
      // is looked at.
      {"model + token (no row)", {.token_id = 17, .model = "gemini-2.5-flash"}, std::nullopt},
  };
  std::printf(
      "{\"bench\": \"request_log_page\", \"dialect\": \"%s\", \"rows\": %lld, \"seed_ms\": %.0f, "
      "\"analyze_ms\": %.0f, \"pages\": {",
      dialect.c_str(), static_cast<long long>(a.rows), seed_ms, analyze_ms);
  bool first = true;
  for (const Case& c : cases) {
    std::vector<double> times;
    std::size_t items = 0;
    for (int r = 0; r < a.repeats; ++r) {
      const auto start = SteadyClock::now();
      auto page = repo.query(c.filter, c.before_id, 50);
      times.push_back(msSince(start));
      if (!page) {
        std::fprintf(stderr, "query %s: %s\n", c.name, page.error().message.c_str());
        return 1;
      }
      items = page->items.size();
    }
    std::printf("%s\"%s\": {\"median_ms\": %.2f, \"max_ms\": %.2f, \"items\": %zu}",
                first ? "" : ", ", c.name, percentile(times, 0.5), percentile(times, 1.0), items);
    std::fflush(stdout);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}

}  // namespace
}  // namespace poise::storage

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  poise::storage::WriterArgs w;
  poise::storage::QueryArgs q;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rate") w.rate = std::atoi(argv[i + 1]);
    if (flag == "--seconds") w.seconds = std::atoi(argv[i + 1]);
    if (flag == "--batch-rows") w.options.batch_rows = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--interval-ms")
      w.options.batch_interval = std::chrono::milliseconds(std::atoi(argv[i + 1]));
    if (flag == "--capacity") w.options.capacity = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--aggregates") w.aggregates = std::string_view(argv[i + 1]) != "off";
    if (flag == "--rows") q.rows = std::atoll(argv[i + 1]);
    if (flag == "--repeats") q.repeats = std::atoi(argv[i + 1]);
    if (flag == "--database") q.database = argv[i + 1];
  }
  try {
    if (mode == "writer") return poise::storage::runWriter(w);
    if (mode == "query") return poise::storage::runQuery(q);
    std::fprintf(stderr, "usage: poise_request_log_bench writer|query [options]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "request log bench: %s\n", e.what());
    return 1;
  }
}
