#include "proxy/attempt_loop.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <set>

#include "net/run_for_test.h"
#include "proxy/fake_upstream_test_support.h"

namespace poise::proxy {
namespace {

namespace asio = boost::asio;
using testing::FakeUpstream;
using testing::MemoryClient;
using testing::Script;

constexpr std::string_view kModel = "gemini-2.5-flash";

Script answer(unsigned status, std::string body) {
  Script s;
  s.status = status;
  s.headers = {{"Content-Type", "application/json"}};
  s.pieces = {std::move(body)};
  return s;
}

Script quota(int retry_seconds) {
  return answer(429, R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota",)"
                     R"("details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo",)"
                     R"("retryDelay":")" +
                         std::to_string(retry_seconds) + R"(s"}]}})");
}

Script invalidKey() {
  return answer(400, R"({"error":{"code":400,"status":"INVALID_ARGUMENT","message":"bad key",)"
                     R"("details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",)"
                     R"("reason":"API_KEY_INVALID"}]}})");
}

Script networkFailure(net::UpstreamErrorKind kind) {
  Script s;
  s.fails = net::UpstreamError{.kind = kind, .message = "scripted failure"};
  return s;
}

class AttemptLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.upstream_tls = false;
    config_.upstream_host = "upstream.test";
    config_.upstream_port = "80";
    config_.proxy_retry_max_count = 3;
    config_.proxy_retry_backoff_ms = 0;  // no waiting between attempts in memory
    std::vector<keys::PoolKey> keys;
    for (int i = 1; i <= 4; ++i) keys.push_back(keys::PoolKey{i, "key-" + std::to_string(i)});
    pool_.load(std::move(keys));
  }

  UpstreamResult run(UpstreamRequest request, PieceTranslator* translator = nullptr) {
    request.target = "/v1beta/models/gemini-2.5-flash:generateContent";
    request.model = std::string(kModel);
    request.body = "{}";
    const AttemptDeps deps{.config = config_,
                           .keys = pool_,
                           .clock = clock_,
                           .upstream = upstream_,
                           .rng = rng_,
                           .request_id = "req-test"};
    UpstreamResult result;
    net::runForTest(ioc_, [&]() -> asio::awaitable<void> {
      result = co_await runAttempts(deps, client_, record_, request, translator, 1024);
    }());
    return result;
  }
  UpstreamResult run() { return run(UpstreamRequest{}); }

  std::set<std::string> keysSent() const {
    std::set<std::string> sent;
    for (std::size_t i = 0; i < upstream_.heads.size(); ++i) sent.insert(upstream_.keyOf(i));
    return sent;
  }

  asio::io_context ioc_;
  ManualClock clock_;
  config::RuntimeConfig config_;
  keys::KeyPool pool_{clock_, 7};
  std::mt19937_64 rng_{1};
  FakeUpstream upstream_{ioc_.get_executor(), clock_};
  MemoryClient client_{ioc_.get_executor()};
  http::RequestRecord record_;
};

TEST_F(AttemptLoopTest, ASuccessIsReturnedWithItsUsage) {
  upstream_.add(answer(200, R"({"candidates":[],"usageMetadata":{"promptTokenCount":5,)"
                            R"("candidatesTokenCount":2,"totalTokenCount":7}})"));
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Answer);
  EXPECT_TRUE(r.success());
  EXPECT_NE(r.fields.find("Content-Type: application/json"), std::string::npos);
  ASSERT_EQ(record_.attempts.size(), 1u);
  EXPECT_EQ(record_.attempts[0].outcome, "success");
  EXPECT_EQ(record_.attempts[0].status, 200u);
  EXPECT_TRUE(record_.usage.present);
  EXPECT_EQ(record_.usage.prompt, 5);
  EXPECT_EQ(record_.usage.candidates, 2);
  EXPECT_EQ(record_.error, http::ErrorClass::None);
  EXPECT_NE(record_.first_byte_ms, 0);
  // The key went upstream in a header, never in the target.
  EXPECT_EQ(upstream_.heads.size(), 1u);
  EXPECT_EQ(upstream_.heads[0].find("key="), std::string::npos);
  EXPECT_EQ(upstream_.keyOf(0).substr(0, 4), "key-");
}

TEST_F(AttemptLoopTest, AQuotaAnswerCoolsTheKeyForTheModelAndTriesAnother) {
  upstream_.add(quota(30));
  upstream_.add(answer(200, "{}"));
  const UpstreamResult r = run();
  EXPECT_TRUE(r.success());
  ASSERT_EQ(record_.attempts.size(), 2u);
  EXPECT_EQ(record_.attempts[0].outcome, "cooldown");
  EXPECT_EQ(record_.attempts[1].outcome, "success");
  EXPECT_NE(record_.attempts[0].key_id, record_.attempts[1].key_id);
  EXPECT_EQ(keysSent().size(), 2u);
  // The cooled key is not picked for the model (20 picks: within the buckets' default burst).
  const std::int64_t cooled = record_.attempts[0].key_id;
  for (int i = 0; i < 20; ++i) {
    auto pick = pool_.pick(kModel, {});
    ASSERT_TRUE(pick);
    EXPECT_NE(pick->id, cooled);
  }
  EXPECT_FALSE(pool_.cooldowns(cooled).empty());
}

TEST_F(AttemptLoopTest, AnInvalidKeyIsRetiredAndAnotherIsTried) {
  upstream_.add(invalidKey());
  upstream_.add(answer(200, "{}"));
  const UpstreamResult r = run();
  EXPECT_TRUE(r.success());
  ASSERT_EQ(record_.attempts.size(), 2u);
  EXPECT_EQ(record_.attempts[0].outcome, "rejected");
  const auto rejected = pool_.get(record_.attempts[0].key_id);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, keys::KeyStatus::Error);
}

TEST_F(AttemptLoopTest, TransientFailuresRetryOnDistinctKeysUpToTheLimit) {
  upstream_.add(answer(503, R"({"error":{"code":503,"status":"UNAVAILABLE"}})"));
  upstream_.add(networkFailure(net::UpstreamErrorKind::Connect));
  upstream_.add(answer(500, "{}"));
  upstream_.add(answer(502, "{}"));
  upstream_.add(answer(200, "{}"));  // never reached: 1 + 3 retries
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Answer);
  EXPECT_EQ(r.status, 502u);  // the last upstream error is passed on
  EXPECT_EQ(upstream_.heads.size(), 4u);
  EXPECT_EQ(keysSent().size(), 4u);
  for (const auto& a : record_.attempts) EXPECT_EQ(a.outcome, "transient");
  EXPECT_EQ(record_.error, http::ErrorClass::UpstreamError);
  // Not the keys' fault: all still active.
  for (int id = 1; id <= 4; ++id) EXPECT_EQ(pool_.get(id)->status, keys::KeyStatus::Active);
}

TEST_F(AttemptLoopTest, AClientErrorIsReturnedAtOnceWithoutBlamingTheKey) {
  upstream_.add(answer(400, R"({"error":{"code":400,"status":"INVALID_ARGUMENT"}})"));
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Answer);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(upstream_.heads.size(), 1u);
  EXPECT_EQ(record_.attempts[0].outcome, "client_error");
  EXPECT_EQ(record_.error, http::ErrorClass::UpstreamError);
  EXPECT_EQ(pool_.get(record_.attempts[0].key_id)->status, keys::KeyStatus::Active);
}

TEST_F(AttemptLoopTest, AnUnreachableUpstreamEndsAfterEveryAttempt) {
  for (int i = 0; i < 4; ++i) upstream_.add(networkFailure(net::UpstreamErrorKind::Timeout));
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Unreachable);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(record_.error, http::ErrorClass::UpstreamTimeout);
  EXPECT_EQ(record_.attempts.size(), 4u);
}

TEST_F(AttemptLoopTest, TheTotalDeadlineStopsTheRetries) {
  config_.upstream_total_timeout_seconds = 10;
  Script slow = networkFailure(net::UpstreamErrorKind::Io);
  slow.advance_ms = 11'000;  // the first attempt alone outlasts the deadline
  upstream_.add(std::move(slow));
  upstream_.add(answer(200, "{}"));
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Unreachable);
  EXPECT_EQ(upstream_.heads.size(), 1u);
}

TEST_F(AttemptLoopTest, WhenEveryKeyCoolsTheLast429CarriesRetryAfter) {
  for (int i = 0; i < 4; ++i) upstream_.add(quota(30 + i));
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Answer);
  EXPECT_EQ(r.status, 429u);
  ASSERT_TRUE(r.retry_after_seconds);
  EXPECT_EQ(*r.retry_after_seconds, 30);  // the first key's cooldown ends first
  EXPECT_NE(r.fields.find("Retry-After: 30\r\n"), std::string::npos);
  EXPECT_EQ(keysSent().size(), 4u);
}

TEST_F(AttemptLoopTest, NoKeyWhileAllCoolSaysWhenOneCan) {
  for (int id = 1; id <= 4; ++id) {
    pool_.recordCooldown(id, kModel, clock_.now() + std::chrono::seconds(12), "test");
  }
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::NoKey);
  ASSERT_TRUE(r.retry_after_seconds);
  EXPECT_EQ(*r.retry_after_seconds, 12);
  EXPECT_TRUE(upstream_.heads.empty());
  EXPECT_EQ(record_.error, http::ErrorClass::NoKey);
}

TEST_F(AttemptLoopTest, NoKeyAtAllIsNoKeyWithoutRetryAfter) {
  pool_.load({});
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::NoKey);
  EXPECT_FALSE(r.retry_after_seconds);
}

TEST_F(AttemptLoopTest, AStreamIsNeverRetriedAfterItsFirstByte) {
  Script s;
  s.headers = {{"Content-Type", "text/event-stream"}};
  s.pieces = {"data: {\"a\":1}\r\n\r\n"};
  s.with_length = false;
  s.breaks = true;  // breaks after the first event
  upstream_.add(std::move(s));
  upstream_.add(answer(200, "{}"));
  UpstreamRequest request;
  request.streaming = true;
  IdentityTranslator identity;
  const UpstreamResult r = run(request, &identity);
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Relayed);
  EXPECT_EQ(upstream_.heads.size(), 1u);
  ASSERT_EQ(record_.attempts.size(), 1u);
  EXPECT_EQ(record_.error, http::ErrorClass::StreamBroken);
  ASSERT_EQ(client_.pieces.size(), 2u);
  EXPECT_NE(client_.pieces[1].find("\"code\":502"), std::string::npos);
}

TEST_F(AttemptLoopTest, ALargeAnswerIsRelayedAndItsUsageCounted) {
  Script s = answer(200, std::string(2000, ' ') + R"({"usageMetadata":{"promptTokenCount":9}})");
  upstream_.add(std::move(s));
  IdentityTranslator identity;
  const UpstreamResult r = run(UpstreamRequest{}, &identity);  // 1 KiB buffered limit
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Relayed);
  EXPECT_TRUE(client_.finished);
  EXPECT_EQ(record_.usage.prompt, 9);
}

TEST_F(AttemptLoopTest, AStalePooledConnectionIsNotBlamedOnTheKey) {
  Script s = answer(200, "{}");
  s.retried_stale = true;  // the transport replaced a dead pooled connection once
  upstream_.add(std::move(s));
  const UpstreamResult r = run();
  EXPECT_TRUE(r.success());
  ASSERT_EQ(record_.attempts.size(), 1u);
  EXPECT_EQ(record_.attempts[0].outcome, "success");
  EXPECT_EQ(pool_.get(record_.attempts[0].key_id)->failed_count, 0);
}

TEST_F(AttemptLoopTest, AClientThatLeavesStopsTheLoopAndBlamesNoKey) {
  Script s;
  s.headers = {{"Content-Type", "text/event-stream"}};
  s.pieces = {"data: 1\r\n\r\n", "data: 2\r\n\r\n"};
  s.with_length = false;
  s.hangs = true;
  upstream_.add(std::move(s));
  client_.leave_after_pieces = 1;
  UpstreamRequest request;
  request.streaming = true;
  IdentityTranslator identity;
  const UpstreamResult r = run(request, &identity);
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Relayed);
  EXPECT_EQ(record_.error, http::ErrorClass::ClientGone);
  EXPECT_TRUE(*upstream_.closed.at(0));
  EXPECT_EQ(upstream_.heads.size(), 1u);
}

TEST_F(AttemptLoopTest, AClientGoneBeforeTheAnswerEndsWithNothingSent) {
  client_.leave();
  upstream_.add(answer(200, "{}"));
  const UpstreamResult r = run();
  EXPECT_EQ(r.kind, UpstreamResult::Kind::ClientGone);
  EXPECT_TRUE(record_.attempts.empty());  // the attempt was cut: no key is blamed
  EXPECT_EQ(record_.error, http::ErrorClass::ClientGone);
  EXPECT_TRUE(client_.aborted);
}

TEST_F(AttemptLoopTest, AHeadTheWriterRefusesUsesNoKey) {
  UpstreamRequest request;
  request.fields = "X-Evil: a\r\nInjected: b\n";
  const UpstreamResult r = run(request);
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Refused);
  EXPECT_TRUE(upstream_.heads.empty());
  EXPECT_EQ(record_.error, http::ErrorClass::BadRequest);
}

}  // namespace
}  // namespace poise::proxy

namespace poise::proxy {
namespace {

UpstreamRequest pinnedTo(std::int64_t key_id) {
  UpstreamRequest request;
  request.pin = UpstreamRequest::Pin{.key_id = key_id, .resource = "files/abc"};
  return request;
}

TEST_F(AttemptLoopTest, APinnedRequestUsesItsKeyOnEveryAttemptAndNoOther) {
  // Transient failures are retried, on the same key.
  upstream_.add(networkFailure(net::UpstreamErrorKind::Connect));
  upstream_.add(answer(503, R"({"error":{"code":503,"status":"UNAVAILABLE","message":"x"}})"));
  upstream_.add(answer(200, "{}"));
  const UpstreamResult r = run(pinnedTo(3));
  EXPECT_TRUE(r.success());
  EXPECT_EQ(r.key_id, 3);
  EXPECT_EQ(keysSent(), (std::set<std::string>{"key-3"}));
  EXPECT_EQ(upstream_.heads.size(), 3u);
}

TEST_F(AttemptLoopTest, APinnedRequestsQuotaAnswerIsNotTakenToAnotherKey) {
  upstream_.add(quota(30));
  upstream_.add(answer(200, "{}"));
  const UpstreamResult r = run(pinnedTo(2));
  EXPECT_EQ(r.kind, UpstreamResult::Kind::Answer);
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(keysSent(), (std::set<std::string>{"key-2"}));
  // Now the key cools for the model: refused before any attempt, with when to come back.
  const UpstreamResult again = run(pinnedTo(2));
  EXPECT_EQ(again.kind, UpstreamResult::Kind::Denied);
  EXPECT_EQ(again.status, 503u);
  EXPECT_EQ(again.denial_code, "resource_key_unavailable");
  EXPECT_NE(again.denial.find("files/abc"), std::string::npos);
  EXPECT_EQ(again.retry_after_seconds, 30);
  EXPECT_EQ(upstream_.heads.size(), 1u);
}

TEST_F(AttemptLoopTest, AResourceThisKeyCannotSeeIsNotTheKeysFault) {
  upstream_.add(answer(403, R"({"error":{"code":403,"status":"PERMISSION_DENIED","message":)"
                            R"("You do not have permission to access the File abc or it may not )"
                            R"(exist."}})"));
  const UpstreamResult r = run();
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(upstream_.heads.size(), 1u) << "not retried on another key";
  EXPECT_EQ(pool_.statusCounts().active, 4);
  EXPECT_EQ(pool_.get(std::stoll(upstream_.keyOf(0).substr(4)))->failed_count, 0);
}

}  // namespace
}  // namespace poise::proxy
