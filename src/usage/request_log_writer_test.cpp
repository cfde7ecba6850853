#include "usage/request_log_writer.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "storage/test_database.h"

namespace poise::usage {
namespace {

using namespace std::chrono_literals;
using storage::RequestLogRow;

RequestLogRow row(int i) {
  RequestLogRow r;
  r.request_id = "req-" + std::to_string(i);
  r.protocol = "gemini";
  r.method = "POST";
  r.path = "/v1beta/models/m:generateContent";
  r.status = 200;
  r.key_ids = {i};
  r.keys_tried = std::to_string(i) + ":success";
  return r;
}

// Waits up to 5 s for `done`.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

std::int64_t countRows(storage::TestDbHandle& db) {
  auto n = db.query("SELECT COUNT(*) FROM request_logs");
  return n ? n->front().int64(0) : -1;
}

TEST(RequestLogWriterRecord, ConvertsARecordWithKeyIdsAndNoValues) {
  http::RequestRecord r;
  r.request_id = "rid";
  r.method = "POST";
  r.path = "/v1/chat/completions";
  r.remote_ip = "10.1.2.3";
  r.user_agent = std::string(2000, 'u');
  r.started_ms = 1000;
  r.first_byte_ms = 1040;
  r.ended_ms = 1250;
  r.route = "/v1/chat/completions";
  r.protocol = http::Protocol::OpenAI;
  r.token = "team-a";
  r.token_id = 9;
  r.model = "gemini-2.5-flash";
  r.stream = true;
  r.attempts = {{.key_id = 12, .outcome = "cooldown", .status = 429},
                {.key_id = 15, .outcome = "success", .status = 200}};
  r.usage.prompt = 11;
  r.usage.candidates = 22;
  r.usage.thoughts = 3;
  r.usage.cached = 4;
  r.status = 200;
  const TimePoint now{Millis{1'800'000'000'000}};
  const RequestLogRow got = toRequestLogRow(r, now);
  EXPECT_EQ(got.created_at, now - 250ms);
  EXPECT_EQ(got.request_id, "rid");
  EXPECT_EQ(got.token_id, 9);
  EXPECT_EQ(got.token_name, "team-a");
  EXPECT_EQ(got.protocol, "openai");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.attempts, 2);
  EXPECT_EQ(got.keys_tried, "12:cooldown,15:success");
  EXPECT_EQ(got.key_ids, (std::vector<std::int64_t>{12, 15}));
  EXPECT_EQ(got.attempt_failed, (std::vector<bool>{true, false}));  // cooldown, success
  EXPECT_EQ(got.latency_ms, 250);
  EXPECT_EQ(got.ttfb_ms, 40);
  EXPECT_EQ(got.prompt_tokens, 11);
  EXPECT_EQ(got.completion_tokens, 22);
  EXPECT_EQ(got.thought_tokens, 3);
  EXPECT_EQ(got.cached_tokens, 4);
  EXPECT_EQ(got.error_class, "none");
  EXPECT_EQ(got.client_ip, "10.1.2.3");
  EXPECT_EQ(got.user_agent.size(), storage::kMaxLogUserAgentBytes);

  http::RequestRecord gone;
  gone.error = http::ErrorClass::ClientGone;
  gone.started_ms = gone.ended_ms = 5;
  const RequestLogRow left = toRequestLogRow(gone, now);
  EXPECT_EQ(left.status, 499);
  EXPECT_EQ(left.error_class, "client_gone");
  EXPECT_FALSE(left.ttfb_ms);
  EXPECT_TRUE(left.key_ids.empty());
}

TEST(RequestLogWriterRecord, CapturedBodiesAreScrubbedAndCutOnlyWhenCaptureIsOn) {
  const std::string google_key = "AIzaSy" + std::string(33, 'K');
  const std::string client_token = "gp_" + std::string(43, 'T');
  const std::string own_token = "my-own-gateway-token-value";
  http::RequestRecord r;
  r.started_ms = r.ended_ms = 1;
  r.status = 200;
  const TimePoint now{Millis{1'800'000'000'000}};
  EXPECT_FALSE(toRequestLogRow(r, now).request_body);  // off: nothing stored, not even empty
  EXPECT_FALSE(toRequestLogRow(r, now).response_body);

  const std::string body = R"({"contents":"use )" + google_key + " or " + client_token + " or " +
                           own_token + R"(","url":"https://x/?key=abcdefghijklmnop"})";
  // "x": a garbage credential too short to be one, not masked all over the bodies.
  http::startBodyCapture(r, 1024, body, {own_token, "", "x", "Bearer-less"});
  EXPECT_EQ(r.body_secrets, (std::vector<std::string>{own_token, "Bearer-less"}));
  r.response_body = "héllo " + own_token;
  const RequestLogRow got = toRequestLogRow(r, now);
  ASSERT_TRUE(got.request_body);
  ASSERT_TRUE(got.response_body);
  for (const std::string& secret :
       {google_key, client_token, own_token, std::string("abcdefghijklmnop")}) {
    EXPECT_EQ(got.request_body->find(secret), std::string::npos) << secret;
    EXPECT_EQ(got.response_body->find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(got.request_body->find("\"contents\":\"use "), std::string::npos);
  EXPECT_EQ(got.response_body->substr(0, 7), "héllo ");

  // Cut at the limit on a character boundary: "é" is two bytes and never split.
  const std::string cut = scrubCapturedBody("aé" + std::string(10, 'b'), 2, {});
  EXPECT_EQ(cut, "a");
  // A secret that straddles the limit is still recognised (the raw capture has a margin).
  const std::string straddle = std::string(1020, 'x') + google_key;
  http::RequestRecord s;
  http::startBodyCapture(s, 1024, straddle, {});
  EXPECT_EQ(s.request_body.size(), straddle.size());
  const std::string stored = scrubCapturedBody(s.request_body, 1024, s.body_secrets);
  EXPECT_LE(stored.size(), 1024U);
  EXPECT_EQ(stored.find(google_key.substr(0, 10)), std::string::npos);
}

TEST(RequestLogWriterTest, WritesInBatchesToARealDatabase) {
  storage::SqliteTestDatabase t;
  storage::RequestLogRepository repo(t.db());
  std::vector<std::size_t> batch_sizes;
  std::mutex m;
  RequestLogWriter writer(
      [&](std::span<const RequestLogRow> rows) {
        {
          std::lock_guard lock(m);
          batch_sizes.push_back(rows.size());
        }
        return repo.appendBatch(rows);
      },
      {.capacity = 1000, .batch_rows = 100, .batch_interval = 10s});
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(writer.enqueue(row(i)));
  // Two full batches go at once; the rest waits for the interval or the stop.
  ASSERT_TRUE(eventually([&] { return writer.counters().written == 200; }));
  EXPECT_EQ(writer.counters().queue_depth, 50u);
  writer.flushAndStop();
  const auto c = writer.counters();
  EXPECT_EQ(c.written, 250u);
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_EQ(c.queue_depth, 0u);
  EXPECT_EQ(batch_sizes, (std::vector<std::size_t>{100, 100, 50}));
  EXPECT_EQ(countRows(t.db()), 250);
  auto by_key = repo.query({.key_id = 7}, std::nullopt, 10);
  ASSERT_TRUE(by_key);
  ASSERT_EQ(by_key->items.size(), 1u);
  EXPECT_EQ(by_key->items[0].request_id, "req-7");
  EXPECT_FALSE(writer.enqueue(row(999)));  // stopped
  EXPECT_EQ(writer.counters().dropped, 1u);
}

TEST(RequestLogWriterTest, APartialBatchGoesAfterTheInterval) {
  std::atomic<int> calls{0};
  RequestLogWriter writer(
      [&](std::span<const RequestLogRow>) {
        ++calls;
        return Status{};
      },
      {.capacity = 100, .batch_rows = 50, .batch_interval = 20ms});
  // Let the writer park on its empty queue first: the first row must wake it.
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(writer.enqueue(row(1)));
  ASSERT_TRUE(eventually([&] { return writer.counters().written == 1; }));
  EXPECT_EQ(calls.load(), 1);
}

TEST(RequestLogWriterTest, TheWriterThreadRunsAtALowerPriorityThanRequests) {
  errno = 0;
  const int process_nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  ASSERT_EQ(errno, 0);
  for (const int wanted : {10, 0}) {
    std::promise<int> seen;
    RequestLogWriter writer(
        [&](std::span<const RequestLogRow>) {
          seen.set_value(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())));
          return Status{};
        },
        {.capacity = 4, .batch_rows = 1, .batch_interval = 1ms, .thread_nice = wanted});
    ASSERT_TRUE(writer.enqueue(row(1)));
    // The sink runs on the writer's thread: its nice value, never below the process's.
    EXPECT_EQ(seen.get_future().get(), std::max(process_nice, wanted)) << wanted;
  }
  // This (request) thread is untouched.
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())), process_nice);
}

TEST(RequestLogWriterTest, AStalledDatabaseDropsAndCountsButNeverBlocksEnqueue) {
  // Another connection holds SQLite's write lock, so the writer's transaction waits for it.
  storage::SqliteTestDatabase t({.busy_timeout = 10s});
  storage::RequestLogRepository repo(t.db());
  auto other = t.openAnother({.pool_size = 1});
  ASSERT_TRUE(other);
  std::promise<void> locked;
  std::promise<void> release;
  std::thread holder([&] {
    (void)(*other)->transaction([&](storage::Connection&) -> Status {
      locked.set_value();
      release.get_future().wait();
      return {};
    });
  });
  locked.get_future().wait();

  std::atomic<int> sink_calls{0};
  RequestLogWriter writer(
      [&](std::span<const RequestLogRow> rows) {
        ++sink_calls;
        return repo.appendBatch(rows);
      },
      {.capacity = 20, .batch_rows = 5, .batch_interval = 1ms});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(writer.enqueue(row(i)));
  ASSERT_TRUE(eventually([&] { return sink_calls.load() == 1; }));  // stuck on the lock
  const auto start = std::chrono::steady_clock::now();
  int accepted = 0;
  for (int i = 5; i < 105; ++i) accepted += writer.enqueue(row(i)) ? 1 : 0;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);  // never waited for the database
  EXPECT_EQ(accepted, 20);
  auto c = writer.counters();
  EXPECT_EQ(c.dropped, 80u);
  EXPECT_EQ(c.queue_depth, 20u);
  EXPECT_EQ(c.written, 0u);

  release.set_value();
  holder.join();
  writer.flushAndStop();
  c = writer.counters();
  EXPECT_EQ(c.written, 25u);
  EXPECT_EQ(c.dropped, 80u);
  EXPECT_EQ(c.batch_failures, 0u);
  EXPECT_EQ(countRows(t.db()), 25);
}

TEST(RequestLogWriterTest, AFailedBatchIsCountedAndTheWriterGoesOn) {
  std::atomic<int> calls{0};
  RequestLogWriter writer(
      [&](std::span<const RequestLogRow>) -> Status {
        if (calls++ == 0) return makeError(ErrorCode::DbError, "disk full");
        return {};
      },
      {.capacity = 100, .batch_rows = 3, .batch_interval = 1ms});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer.enqueue(row(i)));
  ASSERT_TRUE(eventually([&] { return writer.counters().batch_failures == 1; }));
  for (int i = 3; i < 5; ++i) ASSERT_TRUE(writer.enqueue(row(i)));
  writer.flushAndStop();
  const auto c = writer.counters();
  EXPECT_EQ(c.batch_failures, 1u);
  EXPECT_EQ(c.failed_rows, 3u);
  EXPECT_EQ(c.written, 2u);
}

TEST(RequestLogWriterTest, StopFlushesEverythingQueued) {
  storage::SqliteTestDatabase t;
  storage::RequestLogRepository repo(t.db());
  {
    RequestLogWriter writer(
        [&](std::span<const RequestLogRow> rows) { return repo.appendBatch(rows); },
        {.capacity = 5000, .batch_rows = 64, .batch_interval = 1h});
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(writer.enqueue(row(i)));
  }  // the destructor flushes
  EXPECT_EQ(countRows(t.db()), 1000);
}

}  // namespace
}  // namespace poise::usage
