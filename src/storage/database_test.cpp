// The Database contract every dialect must keep: write transactions serialize across processes,
// a lock wait ends in "busy", two writers lose no update, migrations run once from several
// processes at once, and text and instants round-trip exactly. Runs against SQLite by default
// and against a server when POISE_TEST_DATABASE_URL names one (CTest's conformance.* entries).
#include "storage/database.h"

#include <gtest/gtest.h>

#include <thread>

#include "storage/migrations.h"
#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

TEST(DatabaseContract, TransactionsSerializeAndAWaitTimesOutAsBusy) {
  TestDatabase t({.pool_size = 2}, false);
  auto other = t.openAnother({.pool_size = 1, .busy_timeout = 1000ms});
  ASSERT_TRUE(other) << other.error().message;
  Status inner;
  ASSERT_TRUE(t.db().transaction([&](Connection&) -> Status {
    inner = (*other)->transaction([](Connection&) -> Status { return {}; });
    return {};
  }));
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error().code, ErrorCode::Busy) << inner.error().message;
  // The failed wait left the other connection usable and the lock free.
  EXPECT_TRUE((*other)->transaction([](Connection&) -> Status { return {}; }));
}

TEST(DatabaseContract, AFailedBodyRollsBack) {
  TestDatabase t({.pool_size = 2}, false);
  ASSERT_TRUE(t.db().execute("CREATE TABLE n (v BIGINT)"));
  EXPECT_FALSE(t.db().transaction([](Connection& c) -> Status {
    if (auto r = c.execute("INSERT INTO n VALUES (1)"); !r) return r.error();
    return makeError(ErrorCode::InvalidArgument, "rolled back");
  }));
  EXPECT_THROW((void)t.db().transaction([](Connection& c) -> Status {
    (void)c.execute("INSERT INTO n VALUES (2)");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  auto count = t.db().query("SELECT COUNT(*) FROM n");
  ASSERT_TRUE(count);
  EXPECT_EQ((*count)[0].int64(0), 0);
  // The connections went back to the pool outside any transaction.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(t.db().execute("INSERT INTO n VALUES (3)"));
  auto after = t.db().query("SELECT COUNT(*) FROM n");
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)[0].int64(0), 4);
}

TEST(DatabaseContract, TwoWritersLoseNoUpdate) {
  TestDatabase t({.pool_size = 2}, false);
  ASSERT_TRUE(t.db().execute("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"));
  ASSERT_TRUE(t.db().execute("INSERT INTO counter (id, n) VALUES (1, 0)"));
  auto other = t.openAnother({.pool_size = 2, .busy_timeout = 10'000ms});
  ASSERT_TRUE(other) << other.error().message;
  constexpr int kPerWriter = 60;
  // Read-modify-write: only a real write lock keeps the two from overwriting each other.
  auto writer = [](Database& db, std::atomic<int>& failures) {
    for (int i = 0; i < kPerWriter; ++i) {
      Status st = db.transaction([](Connection& c) -> Status {
        auto r = c.query("SELECT n FROM counter WHERE id = 1");
        if (!r) return r.error();
        auto w = c.execute("UPDATE counter SET n = ? WHERE id = 1", {(*r)[0].int64(0) + 1});
        if (!w) return w.error();
        return {};
      });
      if (!st) ++failures;
    }
  };
  std::atomic<int> failures{0};
  Database& mine = t.db();
  std::thread a([&] { writer(mine, failures); });
  std::thread b([&] { writer(**other, failures); });
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  auto n = t.db().query("SELECT n FROM counter WHERE id = 1");
  ASSERT_TRUE(n);
  EXPECT_EQ((*n)[0].int64(0), 2 * kPerWriter);
}

TEST(DatabaseContract, SeveralProcessesMigrateAtOnce) {
  TestDatabase t({.pool_size = 1}, false);
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < 4; ++i) {
    auto db = t.openAnother({.pool_size = 1, .busy_timeout = 20'000ms});
    ASSERT_TRUE(db) << db.error().message;
    dbs.push_back(std::move(*db));
  }
  std::vector<Status> results(dbs.size());
  std::vector<std::thread> threads;
  const ManualClock clock;
  for (std::size_t i = 0; i < dbs.size(); ++i) {
    threads.emplace_back([&results, &dbs, &clock, i] { results[i] = migrate(*dbs[i], clock); });
  }
  for (auto& th : threads) th.join();
  for (const Status& st : results) EXPECT_TRUE(st) << st.error().message;
  auto versions = appliedMigrationVersions(t.db());
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->size(), embeddedMigrations(t.db().dialect()).size());
}

TEST(DatabaseContract, UnicodeAndInstantsRoundTripExactly) {
  TestDatabase t({}, false);
  ASSERT_TRUE(
      t.db().execute("CREATE TABLE u (id BIGINT PRIMARY KEY, s VARCHAR(255), at VARCHAR(32))"));
  // Four-byte UTF-8 (emoji), combining marks, right-to-left text, quotes and a NUL-free mix.
  const std::string text = "ключ 🔑 e\xCC\x81 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D 'q' \"d\" ?";
  // An instant near a DST change, stored in the UTC form every dialect shares.
  const TimePoint at = TimePoint{std::chrono::milliseconds{1'793'498'400'123}};
  ASSERT_TRUE(
      t.db().execute("INSERT INTO u (id, s, at) VALUES (1, ?, ?)", {text, timestampValue(at)}));
  auto rows = t.db().query("SELECT s, at FROM u WHERE s = ?", {text});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].text(0), text);
  EXPECT_EQ((*rows)[0].time(1), at);
  // Equality is exact: case and accents matter, as they do for fingerprints and usernames.
  auto upper = t.db().query("SELECT COUNT(*) FROM u WHERE s = ?", {std::string("КЛЮЧ 🔑")});
  ASSERT_TRUE(upper);
  EXPECT_EQ((*upper)[0].int64(0), 0);
}

// Behaviour only a server has: its connections can be dropped under us. Runs in the
// conformance.* entries (excluded from the plain SQLite run).
class ServerDatabaseContract : public ::testing::Test {
 protected:
  void SetUp() override {
    t_ = std::make_unique<TestDatabase>(DatabaseOptions{.pool_size = 1}, false);
    if (!t_->serverUrl()) GTEST_SKIP() << "needs POISE_TEST_DATABASE_URL naming a server";
  }
  std::unique_ptr<TestDatabase> t_;
};

TEST_F(ServerDatabaseContract, ReconnectsAfterTheServerDropsTheConnection) {
  const bool postgres = t_->db().dialect() == Dialect::Postgres;
  const std::string_view my_id = postgres ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";
  const std::string_view kill =
      postgres ? "SELECT pg_terminate_backend(CAST(? AS INTEGER))" : "KILL ?";
  auto victim = t_->openAnother({.pool_size = 1});
  ASSERT_TRUE(victim) << victim.error().message;
  auto id = (*victim)->query(my_id);
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(t_->db().query(kill, {(*id)[0][0]}));
  std::this_thread::sleep_for(100ms);
  // The next statement finds the connection gone, reconnects and runs on a new session.
  auto again = (*victim)->query(my_id);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_NE((*again)[0].int64(0), (*id)[0].int64(0));
  EXPECT_TRUE((*victim)->transaction([](Connection& c) -> Status {
    auto r = c.query("SELECT 1");
    if (!r) return r.error();
    return {};
  }));
}

}  // namespace
}  // namespace poise::storage
