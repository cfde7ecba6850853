// Storage benchmark (SPEC P4): bulk import of 100 000 keys through ApiKeyRepository::addMany, and
// the keys page query (page 1 and page 500 of 50, with a status filter, plus the unfiltered
// rank-ordered page 500), on the database DATABASE_URL names. Each run uses a fresh namespace
// (a SQLite file, a PostgreSQL schema, a MySQL database) that is dropped afterwards.
//
// Baseline, measured in the same run on the same database: a raw multi-row INSERT of 100 000
// rows of the same shape (same columns, same sizes, no encryption, no duplicate check), so the
// import figure can be read as a ratio to what the database itself costs.
//
//   poise_storage_bench [--keys N] [--repeats R]    (POISE_TEST_DATABASE_URL selects the server)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/clock.h"
#include "storage/api_key_repository.h"
#include "storage/key_cipher.h"
#include "storage/test_database.h"

namespace poise::storage {
namespace {

using SteadyClock = std::chrono::steady_clock;

double msSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string keyValue(std::int64_t i) {
  std::string digits = std::to_string(i);
  return "AIzaSyBench" + std::string(28 - digits.size(), '0') + digits;
}

int run(int keys, int repeats) {
  TestDatabase t({.pool_size = 4});
  Database& db = t.db();
  SystemClock clock;
  MasterKey master{};
  master.fill(7);
  KeyCipher cipher(master);
  ApiKeyRepository repo(db, cipher, clock);
  const std::string dialect(dialectName(db.dialect()));

  // Baseline: raw rows of the same shape, 500 per statement, in one transaction.
  {
    auto created = db.execute(
        "CREATE TABLE baseline_keys (id BIGINT PRIMARY KEY, c VARCHAR(255), n VARCHAR(64), "
        "f VARCHAR(64) UNIQUE, m VARCHAR(64), s VARCHAR(16), d VARCHAR(255), p VARCHAR(16), "
        "a VARCHAR(32), u VARCHAR(32))");
    if (!created) {
      std::fprintf(stderr, "baseline table: %s\n", created.error().message.c_str());
      return 1;
    }
  }
  const auto base_start = SteadyClock::now();
  Status base = db.transaction([&](Connection& c) -> Status {
    constexpr int kChunk = 500;
    std::vector<Value> params;
    for (int begin = 0; begin < keys; begin += kChunk) {
      const int end = std::min(keys, begin + kChunk);
      params.clear();
      for (int i = begin; i < end; ++i) {
        const std::string v = keyValue(i);
        params.emplace_back(std::int64_t{i + 1});
        params.emplace_back(std::string(55, 'c'));
        params.emplace_back(std::string(12, 'n'));
        params.emplace_back(cipher.fingerprint(v));
        params.emplace_back(KeyCipher::masked(v));
        params.emplace_back(std::string("active"));
        params.emplace_back(std::string());
        params.emplace_back(std::string("normal"));
        params.emplace_back(std::string("2026-11-26T00:00:00.000Z"));
        params.emplace_back(std::string("2026-11-26T00:00:00.000Z"));
      }
      auto r = c.execute("INSERT INTO baseline_keys (id, c, n, f, m, s, d, p, a, u) VALUES " +
                             placeholderRows(static_cast<std::size_t>(end - begin), 10),
                         params);
      if (!r) return r.error();
    }
    return {};
  });
  const double base_ms = msSince(base_start);
  if (!base) {
    std::fprintf(stderr, "baseline insert: %s\n", base.error().message.c_str());
    return 1;
  }

  std::vector<std::string> input;
  input.reserve(static_cast<std::size_t>(keys));
  for (int i = 0; i < keys; ++i) input.push_back(keyValue(i));
  const auto import_start = SteadyClock::now();
  auto added = repo.addMany(std::move(input), clock.now());
  const double import_ms = msSince(import_start);
  if (!added || added->total_added != keys) {
    std::fprintf(stderr, "import failed: %s\n",
                 added ? "wrong count" : added.error().message.c_str());
    return 1;
  }
  // A realistic mix: one key in ten is in error, so the status filter is selective.
  auto marked = db.execute("UPDATE api_keys SET status = 'error' WHERE id % 10 = 0");
  if (!marked) {
    std::fprintf(stderr, "status update: %s\n", marked.error().message.c_str());
    return 1;
  }

  struct Case {
    const char* name;
    KeyListQuery query;
  };
  const Case cases[] = {
      {"page 1, status=active", {.page = 1, .page_size = 50, .status = "active"}},
      {"page 500, status=active", {.page = 500, .page_size = 50, .status = "active"}},
      {"page 1, status=error", {.page = 1, .page_size = 50, .status = "error"}},
      {"page 500, no filter (rank order)", {.page = 500, .page_size = 50}},
  };
  auto measure = [&](const char* label) -> bool {
    std::printf(", \"%s\": {", label);
    bool first = true;
    for (const Case& c : cases) {
      std::vector<double> times;
      for (int r = 0; r < repeats; ++r) {
        const auto start = SteadyClock::now();
        auto page = repo.list(c.query);
        times.push_back(msSince(start));
        if (!page || page->items.empty()) {
          std::fprintf(stderr, "list %s failed\n", c.name);
          return false;
        }
      }
      std::printf("%s\"%s\": {\"median_ms\": %.2f, \"max_ms\": %.2f}", first ? "" : ", ", c.name,
                  median(times), *std::max_element(times.begin(), times.end()));
      first = false;
    }
    std::printf("}");
    return true;
  };
  std::printf(
      "{\"dialect\": \"%s\", \"keys\": %d, \"baseline_insert_ms\": %.0f, "
      "\"import_ms\": %.0f, \"import_over_baseline\": %.2f",
      dialect.c_str(), keys, base_ms, import_ms, import_ms / base_ms);
  // Right after the import and a mass status change, before the server has refreshed its
  // planner statistics for them, then once it has (autovacuum/auto-analyze does so within a
  // minute or so of such a change; here an explicit ANALYZE stands in for it).
  if (!measure("pages_right_after_changes")) return 1;
  (void)db.execute(analyzeTableSql(db.dialect(), "api_keys"));
  if (!measure("pages_with_current_statistics")) return 1;
  std::printf("}\n");
  return 0;
}

}  // namespace
}  // namespace poise::storage

int main(int argc, char** argv) {
  int keys = 100'000;
  int repeats = 21;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--keys") keys = std::atoi(argv[i + 1]);
    if (flag == "--repeats") repeats = std::atoi(argv[i + 1]);
  }
  try {
    return poise::storage::run(keys, repeats);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "storage bench: %s\n", e.what());
    return 1;
  }
}
