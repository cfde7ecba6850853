#include "stats/gateway_metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "storage/sqlite/sqlite_database.h"

namespace poise::stats {
namespace {

http::RequestRecord record(std::string model, unsigned status,
                           std::vector<std::string_view> outcomes) {
  http::RequestRecord r;
  r.route = "/v1beta/";
  r.protocol = http::Protocol::Gemini;
  r.model = std::move(model);
  r.started_ms = 1000;
  r.first_byte_ms = 1040;
  r.ended_ms = 1300;
  r.status = status;
  for (const std::string_view o : outcomes) r.attempts.push_back({.key_id = 7, .outcome = o});
  return r;
}

bool has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(GatewayMetrics, CountsRequestsAttemptsAndTimings) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  GatewayMetrics m(pool);
  m.observe(record("gemini-2.5-flash", 200, {"cooldown", "transient", "success"}));
  m.observe(record("gemini-2.5-flash", 429, {"cooldown"}));
  m.observe(record("made-up", 404, {"client_error"}));
  m.observe(record("", 401, {}));
  const std::string text = m.render();
  const std::string ok = R"(protocol="gemini",route="/v1beta/",model="gemini-2.5-flash")";
  EXPECT_TRUE(has(text, "poise_requests_total{" + ok + R"(,status_class="2xx"} 1)")) << text;
  EXPECT_TRUE(has(text, "poise_requests_total{" + ok + R"(,status_class="4xx"} 1)"));
  EXPECT_TRUE(has(
      text,
      R"(poise_requests_total{protocol="gemini",route="/v1beta/",model="none",status_class="4xx"} 1)"));
  EXPECT_TRUE(has(
      text,
      R"(poise_requests_total{protocol="gemini",route="/v1beta/",model="other",status_class="4xx"} 1)"));
  EXPECT_TRUE(has(text, R"(poise_upstream_attempts_total{outcome="quota"} 2)"));
  EXPECT_TRUE(has(text, R"(poise_upstream_attempts_total{outcome="client_error"} 1)"));
  EXPECT_TRUE(has(text, R"(poise_upstream_attempts_total{outcome="transient"} 1)"));
  EXPECT_TRUE(has(text, R"(poise_upstream_attempts_total{outcome="success"} 1)"));
  EXPECT_TRUE(has(text, R"(poise_upstream_attempts_total{outcome="invalid"} 0)"));
  EXPECT_TRUE(has(text, "poise_request_duration_seconds_bucket{" + ok + R"(,le="0.25"} 0)"));
  EXPECT_TRUE(has(text, "poise_request_duration_seconds_bucket{" + ok + R"(,le="0.5"} 2)"));
  EXPECT_TRUE(has(text, "poise_request_first_byte_seconds_bucket{" + ok + R"(,le="0.05"} 2)"));
  EXPECT_TRUE(has(text, "poise_request_duration_seconds_sum{" + ok + "} 0.6"));
  EXPECT_TRUE(has(text, R"(poise_keys{status="active"} 0)"));
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes "), std::string::npos);
}

TEST(GatewayMetrics, AModelBecomesALabelOnlyOnceTheUpstreamServedItOrCountedAQuota) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  GatewayMetrics m(pool);
  m.observe(record("made-up-1", 404, {"client_error"}));
  EXPECT_EQ(m.modelLabel("made-up-1"), "other");
  m.observe(record("gemini-2.5-pro", 200, {"success"}));
  EXPECT_EQ(m.modelLabel("gemini-2.5-pro"), "gemini-2.5-pro");
  m.observe(record("gemini-2.0-flash", 429, {"cooldown"}));  // a quota: Gemini knows it
  EXPECT_EQ(m.modelLabel("gemini-2.0-flash"), "gemini-2.0-flash");
  m.observe(record("gemini-x", 503, {"transient", "rejected"}));
  EXPECT_EQ(m.modelLabel("gemini-x"), "other");
  // A name that is no model id never becomes a label, even on a success.
  m.observe(record("bad\"name\n", 200, {"success"}));
  EXPECT_EQ(m.modelLabel("bad\"name\n"), "other");
  for (std::size_t i = 0; i < GatewayMetrics::kMaxModels + 10; ++i) {
    m.observe(record("m-" + std::to_string(i), 200, {"success"}));
  }
  EXPECT_EQ(m.modelLabel("m-0"), "m-0");
  EXPECT_EQ(m.modelLabel("m-" + std::to_string(GatewayMetrics::kMaxModels + 5)), "other");
}

TEST(GatewayMetrics, KeyAndTokenLabelsOnlyWhenTurnedOn) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  auto r = record("gemini-2.5-flash", 200, {"cooldown", "success"});
  r.token_id = 42;
  GatewayMetrics off(pool);
  off.observe(r);
  EXPECT_EQ(off.render().find("key_id"), std::string::npos);
  EXPECT_EQ(off.render().find("token_id"), std::string::npos);
  GatewayMetrics on(pool, {.per_key_labels = true});
  on.observe(r);
  const std::string text = on.render();
  EXPECT_TRUE(has(text, R"(poise_key_attempts_total{key_id="7",outcome="quota"} 1)")) << text;
  EXPECT_TRUE(has(text, R"(poise_key_attempts_total{key_id="7",outcome="success"} 1)"));
  EXPECT_TRUE(has(text, R"(poise_token_requests_total{token_id="42",status_class="2xx"} 1)"));
}

TEST(GatewayMetrics, ReadsTheRequestLogAndTheDatabasePoolAtScrapeTime) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  GatewayMetrics m(pool);
  RequestLogFigures figures{
      .written = 10, .dropped = 2, .failed = 1, .queue_depth = 3, .queue_capacity = 8192};
  m.watchRequestLog([&] { return figures; });
  auto db = storage::SqliteDatabase::open(":memory:");
  ASSERT_TRUE(db);
  m.watchDatabase(**db);
  ASSERT_TRUE((*db)->execute("SELECT 1"));
  std::string text = m.render();
  EXPECT_TRUE(has(text, "poise_request_log_queue_depth 3")) << text;
  EXPECT_TRUE(has(text, "poise_request_log_queue_capacity 8192"));
  EXPECT_TRUE(has(text, "poise_request_log_written_total 10"));
  EXPECT_TRUE(has(text, "poise_request_log_dropped_total 2"));
  EXPECT_TRUE(has(text, "poise_request_log_failed_total 1"));
  EXPECT_TRUE(has(text, "poise_db_pool_connections 1"));
  EXPECT_TRUE(has(text, "poise_db_pool_in_use 0"));
  EXPECT_TRUE(has(text, "poise_db_pool_waits_total 0"));
  EXPECT_TRUE(has(text, "poise_db_pool_timeouts_total 0"));
  figures.dropped = 5;
  text = m.render();
  EXPECT_TRUE(has(text, "poise_request_log_dropped_total 5")) << text;
}

TEST(GatewayMetrics, MapsStatusClassesAndOutcomeWords) {
  EXPECT_EQ(statusClass(0), "none");
  EXPECT_EQ(statusClass(204), "2xx");
  EXPECT_EQ(statusClass(503), "5xx");
  EXPECT_EQ(attemptOutcome("cooldown"), "quota");
  EXPECT_EQ(attemptOutcome("rejected"), "invalid");
  EXPECT_EQ(attemptOutcome("client_error"), "client_error");
  EXPECT_EQ(attemptOutcome("transient"), "transient");
}

}  // namespace
}  // namespace poise::stats
