#include "storage/sqlite/sqlite_database.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <future>
#include <limits>
#include <set>
#include <stdexcept>
#include <thread>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

Status createCounter(Database& db) {
  auto r = db.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  if (!r) return r.error();
  auto i = db.execute("INSERT INTO counter (id, n) VALUES (1, 0)");
  if (!i) return i.error();
  return {};
}

TEST(SqliteDatabase, EveryPooledConnectionIsConfigured) {
  SqliteTestDatabase t(DatabaseOptions{.pool_size = 3, .busy_timeout = 1234ms}, false);
  EXPECT_EQ(t.db().poolSize(), 3u);
  // The pool hands connections out in FIFO order, so consecutive calls visit each of them.
  for (int i = 0; i < 6; ++i) {
    auto mode = t.db().query("PRAGMA journal_mode");
    auto sync = t.db().query("PRAGMA synchronous");
    auto fk = t.db().query("PRAGMA foreign_keys");
    auto busy = t.db().query("PRAGMA busy_timeout");
    ASSERT_TRUE(mode && sync && fk && busy);
    EXPECT_EQ((*mode)[0].text(0), "wal");
    EXPECT_EQ((*sync)[0].int64(0), 1);  // NORMAL
    EXPECT_EQ((*fk)[0].int64(0), 1);
    EXPECT_EQ((*busy)[0].int64(0), 1234);
  }
  struct stat st {};
  ASSERT_EQ(::stat(t.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SqliteDatabase, MemoryDatabaseUsesOneConnection) {
  auto db = SqliteDatabase::open(":memory:", {.pool_size = 8});
  ASSERT_TRUE(db);
  EXPECT_EQ((*db)->poolSize(), 1u);
  ASSERT_TRUE((*db)->execute("CREATE TABLE t (x)"));
  ASSERT_TRUE((*db)->execute("INSERT INTO t VALUES (1)"));
  auto rows = (*db)->query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].int64(0), 1);
}

TEST(SqliteDatabase, ValuesRoundTrip) {
  SqliteTestDatabase t({}, false);
  auto& db = t.db();
  ASSERT_TRUE(
      db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, d REAL, s TEXT, b BLOB)"));
  const Blob blob{{0x00, 0xff, 0x00, 0x7f}};
  const std::string unicode = "Ключ №1 — 密钥 🔑 \"quoted\" 'single'";
  auto id = db.insert("INSERT INTO v (i, d, s, b) VALUES (?, ?, ?, ?)",
                      {std::numeric_limits<std::int64_t>::max(), 2.5, unicode, blob});
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, 1);
  auto id2 = db.insert("INSERT INTO v (i, d, s, b) VALUES (?, ?, ?, ?)",
                       {nullptr, nullptr, std::string(), Blob{}});
  ASSERT_TRUE(id2);
  EXPECT_EQ(*id2, 2);

  auto rows = db.query("SELECT i, d, s, b FROM v ORDER BY id");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  const Row& a = (*rows)[0];
  EXPECT_EQ(a.int64(0), std::numeric_limits<std::int64_t>::max());
  EXPECT_DOUBLE_EQ(a.real(1), 2.5);
  EXPECT_EQ(a.text(2), unicode);
  EXPECT_EQ(a.blob(3), blob.bytes);
  const Row& b = (*rows)[1];
  EXPECT_TRUE(b.isNull(0));
  EXPECT_EQ(b.optionalInt64(0), std::nullopt);
  EXPECT_EQ(b.optionalText(2), std::string());
  EXPECT_FALSE(b.isNull(3));  // an empty blob is not NULL
  EXPECT_TRUE(b.blob(3).empty());

  auto changed = db.execute("UPDATE v SET i = ? WHERE id >= ?", {std::int64_t{7}, std::int64_t{1}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(*changed, 2);
}

TEST(SqliteDatabase, MapsErrorsWithoutLeakingParameters) {
  SqliteTestDatabase t({}, false);
  auto& db = t.db();
  ASSERT_TRUE(db.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"));
  ASSERT_TRUE(db.execute("INSERT INTO u (name) VALUES (?)", {"AIzaSySecretSecretSecret"}));
  auto dup = db.execute("INSERT INTO u (name) VALUES (?)", {"AIzaSySecretSecretSecret"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  EXPECT_EQ(dup.error().message.find("AIzaSy"), std::string::npos) << dup.error().message;
  auto pk = db.execute("INSERT INTO u (id, name) VALUES (1, 'x')");
  ASSERT_FALSE(pk);
  EXPECT_EQ(pk.error().code, ErrorCode::Conflict);
  auto notnull = db.execute("INSERT INTO u (name) VALUES (?)", {nullptr});
  ASSERT_FALSE(notnull);
  EXPECT_EQ(notnull.error().code, ErrorCode::DbError);
  auto syntax = db.query("SELEC 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, ErrorCode::DbError);
  auto arity = db.query("SELECT ?", {std::int64_t{1}, std::int64_t{2}});
  ASSERT_FALSE(arity);
  EXPECT_NE(arity.error().message.find("takes 1 parameters, 2 given"), std::string::npos);
  auto two = db.execute("DELETE FROM u; DROP TABLE u");
  ASSERT_FALSE(two);
  EXPECT_NE(two.error().message.find("one statement per call"), std::string::npos);
  auto still = db.query("SELECT count(*) FROM u");
  ASSERT_TRUE(still);
  EXPECT_EQ((*still)[0].int64(0), 1);
}

TEST(SqliteDatabase, TransactionCommitsOrRollsBack) {
  SqliteTestDatabase t({}, false);
  auto& db = t.db();
  ASSERT_TRUE(createCounter(db));
  ASSERT_TRUE(db.transaction([](Connection& c) -> Status {
    auto r = c.execute("UPDATE counter SET n = n + 1");
    if (!r) return r.error();
    return {};
  }));
  auto failed = db.transaction([](Connection& c) -> Status {
    auto r = c.execute("UPDATE counter SET n = n + 100");
    if (!r) return r.error();
    return makeError(ErrorCode::DbError, "changed my mind");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::DbError);
  EXPECT_THROW((void)db.transaction([](Connection& c) -> Status {
    (void)c.execute("UPDATE counter SET n = n + 1000");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  // The pool still works and no transaction was left open on any connection.
  for (int i = 0; i < 8; ++i) {
    auto rows = db.query("SELECT n FROM counter");
    ASSERT_TRUE(rows);
    EXPECT_EQ((*rows)[0].int64(0), 1);
  }
}

// A writer holding the lock for `hold` while another connection (another pool, as another process
// would) writes with a busy timeout of `timeout`.
struct RaceResult {
  Status status;
  std::chrono::milliseconds waited;
};

RaceResult raceAWrite(const std::string& path, std::chrono::milliseconds hold,
                      std::chrono::milliseconds timeout) {
  auto holder = SqliteDatabase::open(path, {.pool_size = 1, .busy_timeout = 5000ms});
  auto waiter = SqliteDatabase::open(path, {.pool_size = 1, .busy_timeout = timeout});
  if (!holder || !waiter) return {makeError(ErrorCode::DbError, "open failed"), 0ms};
  std::promise<void> locked;
  std::thread writer([&] {
    (void)(*holder)->transaction([&](Connection& c) -> Status {
      (void)c.execute("UPDATE counter SET n = n + 1");
      locked.set_value();
      std::this_thread::sleep_for(hold);
      return {};
    });
  });
  locked.get_future().wait();
  const auto start = SteadyClock::now();
  Status st = [&]() -> Status {
    auto r = (*waiter)->execute("UPDATE counter SET n = n + 10");
    if (!r) return r.error();
    return {};
  }();
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
  writer.join();
  return {st, waited};
}

TEST(SqliteDatabase, BusyTimeoutLetsASecondWriterWait) {
  SqliteTestDatabase t({}, false);
  ASSERT_TRUE(createCounter(t.db()));
  const RaceResult r = raceAWrite(t.path(), 300ms, 5000ms);
  ASSERT_TRUE(r.status) << r.status.error().message;
  EXPECT_GE(r.waited, 200ms);
  EXPECT_LT(r.waited, 4000ms);
  auto rows = t.db().query("SELECT n FROM counter");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].int64(0), 11);
}

TEST(SqliteDatabase, BusyTimeoutExpiresWithCodeBusy) {
  SqliteTestDatabase t({}, false);
  ASSERT_TRUE(createCounter(t.db()));
  const RaceResult r = raceAWrite(t.path(), 1500ms, 150ms);
  ASSERT_FALSE(r.status);
  EXPECT_EQ(r.status.error().code, ErrorCode::Busy);
  EXPECT_GE(r.waited, 100ms);
  EXPECT_LT(r.waited, 1400ms);
}

TEST(SqliteDatabase, ImmediateTransactionsDoNotLoseUpdates) {
  SqliteTestDatabase t({.pool_size = 4}, false);
  ASSERT_TRUE(createCounter(t.db()));
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < kRounds; ++k) {
        Status st = t.db().transaction([](Connection& c) -> Status {
          // Read, then write: with a deferred BEGIN this upgrade could fail with SQLITE_BUSY.
          auto rows = c.query("SELECT n FROM counter WHERE id = 1");
          if (!rows) return rows.error();
          const std::int64_t n = (*rows)[0].int64(0);
          std::this_thread::yield();
          auto w = c.execute("UPDATE counter SET n = ? WHERE id = 1", {n + 1});
          if (!w) return w.error();
          return {};
        });
        if (!st) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto rows = t.db().query("SELECT n FROM counter");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].int64(0), kThreads * kRounds);
}

TEST(SqliteDatabase, PoolWaitIsBoundedByTheBusyTimeout) {
  SqliteTestDatabase t({.pool_size = 1, .busy_timeout = 100ms}, false);
  // Calling back into the Database from inside a transaction needs a second connection.
  Status inner_status;
  ASSERT_TRUE(t.db().transaction([&](Connection&) -> Status {
    auto r = t.db().query("SELECT 1");
    inner_status = r ? Status{} : Status{r.error()};
    return {};
  }));
  ASSERT_FALSE(inner_status);
  EXPECT_EQ(inner_status.error().code, ErrorCode::Busy);
  // The wait is counted for /metrics: one borrow waited about the busy timeout and gave up.
  const PoolStats stats = t.db().poolStats();
  EXPECT_EQ(stats.size, 1U);
  EXPECT_EQ(stats.in_use, 0U);
  EXPECT_EQ(stats.borrows, 1U);
  EXPECT_EQ(stats.waits, 1U);
  EXPECT_EQ(stats.timeouts, 1U);
  EXPECT_GE(stats.wait_seconds, 0.09);
}

TEST(SqliteDatabase, StatementCacheEvictsWithoutBreakingCalls) {
  SqliteTestDatabase t({.pool_size = 1, .statement_cache_size = 4}, false);
  for (int i = 0; i < 50; ++i) {
    auto r = t.db().query("SELECT ? + " + std::to_string(i % 9), {std::int64_t{i}});
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].int64(0), i + i % 9);
  }
}

}  // namespace
}  // namespace poise::storage
