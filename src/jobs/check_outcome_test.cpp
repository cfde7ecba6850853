#include "jobs/check_outcome.h"

#include <gtest/gtest.h>

namespace poise::jobs {
namespace {

using keys::KeyStatus;

constexpr std::string_view kInvalidKey = R"({"error": {"code": 400,
  "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
  "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
               "domain": "googleapis.com"}]}})";

constexpr std::string_view kQuota = R"({"error": {"code": 429, "message": "quota",
  "status": "RESOURCE_EXHAUSTED", "details": [
  {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"}]}})";

constexpr std::string_view kModel = "gemini-2.5-flash";
constexpr std::chrono::seconds kDefaultCooldown{60};

UpstreamAnswer answered(unsigned status, std::string_view body = "{}") {
  return UpstreamAnswer{
      .kind = UpstreamAnswer::Kind::Answered, .status = status, .body = std::string(body)};
}

// One key in a real pool, checked once through decideCheck + applyCheck.
struct Checked {
  CheckOutcome outcome;
  std::optional<keys::PoolKey> after;
  std::vector<keys::KeyDelta> deltas;
  std::vector<keys::CooldownInfo> cooldowns;
};

Checked check(ManualClock& clock, KeyStatus before, const UpstreamAnswer& answer,
              std::int64_t failed_count = 0) {
  keys::KeyPool pool(clock, 7);
  std::vector<keys::PoolKey> keys;
  keys.push_back(keys::PoolKey{.id = 1,
                               .value = "AIzaSyTestKey0000000000000000000000000",
                               .status = before,
                               .failed_count = failed_count});
  pool.load(std::move(keys));
  Checked out;
  out.outcome = decideCheck(answer, keys::ErrorPolicy{}, kModel);
  applyCheck(pool, 1, out.outcome, kModel, clock.now(), kDefaultCooldown);
  out.after = pool.get(1);
  out.deltas = pool.drainDeltas();
  out.cooldowns = pool.cooldowns(1);
  return out;
}

TEST(CheckOutcome, SuccessBringsAnExhaustedKeyBackWithAReason) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Exhausted, answered(200), 2);
  EXPECT_EQ(c.outcome.status, "valid");
  EXPECT_EQ(c.outcome.action, PoolAction::Validated);
  EXPECT_EQ(c.after->status, KeyStatus::Active);
  EXPECT_EQ(c.after->failed_count, 0);
  ASSERT_EQ(c.deltas.size(), 1u);
  EXPECT_EQ(c.deltas[0].new_status, KeyStatus::Active);
  EXPECT_EQ(c.deltas[0].old_status, KeyStatus::Exhausted);
  EXPECT_EQ(c.deltas[0].reason, "validation: ok");
  EXPECT_EQ(c.deltas[0].usage_increment, 0) << "a validation is not a use of the key";
}

TEST(CheckOutcome, SuccessBringsAnErrorKeyBack) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Error, answered(200));
  EXPECT_EQ(c.after->status, KeyStatus::Active);
}

TEST(CheckOutcome, SuccessLeavesADisabledKeyDisabled) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Disabled, answered(200));
  EXPECT_EQ(c.outcome.status, "valid");
  EXPECT_EQ(c.after->status, KeyStatus::Disabled);
}

TEST(CheckOutcome, InvalidKeyGoesToErrorWithTheReason) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Active, answered(400, kInvalidKey));
  EXPECT_EQ(c.outcome.status, "error");
  EXPECT_EQ(c.outcome.action, PoolAction::Rejected);
  EXPECT_NE(c.outcome.message.find("API_KEY_INVALID"), std::string::npos);
  EXPECT_EQ(c.after->status, KeyStatus::Error);
  ASSERT_EQ(c.deltas.size(), 1u);
  EXPECT_EQ(c.deltas[0].reason, "validation: 400 API_KEY_INVALID");
}

// A 403 is not conclusive on its own: it counts a failure, and key_validation_max_failed_count
// (3 by default) of them in a row retire the key (KeyPool's tests cover the count).
TEST(CheckOutcome, ForbiddenKeyCountsAFailure) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Active, answered(403));
  EXPECT_EQ(c.outcome.action, PoolAction::Rejected);
  EXPECT_EQ(c.after->status, KeyStatus::Active);
  EXPECT_EQ(c.after->failed_count, 1);
}

TEST(CheckOutcome, QuotaCoolsTheValidationModelUntilRetryInfo) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Active, answered(429, kQuota));
  EXPECT_EQ(c.outcome.status, "exhausted");
  EXPECT_EQ(c.outcome.action, PoolAction::Cooldown);
  EXPECT_EQ(c.after->status, KeyStatus::Active) << "a 429 rests the key for one model only";
  ASSERT_EQ(c.cooldowns.size(), 1u);
  EXPECT_EQ(c.cooldowns[0].model, kModel);
  EXPECT_EQ(c.cooldowns[0].until, clock.now() + std::chrono::seconds(30));
}

TEST(CheckOutcome, QuotaOnAnErrorKeyMakesItExhausted) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Error, answered(429, kQuota));
  EXPECT_EQ(c.after->status, KeyStatus::Exhausted) << "the key is valid, only out of quota";
  ASSERT_EQ(c.deltas.size(), 1u);
  EXPECT_EQ(c.deltas[0].reason.rfind("validation: 429", 0), 0u) << c.deltas[0].reason;
}

TEST(CheckOutcome, ServerErrorsTimeoutsAndNetworkFailuresChangeNothing) {
  ManualClock clock;
  for (KeyStatus before : {KeyStatus::Active, KeyStatus::Exhausted, KeyStatus::Error}) {
    const auto c503 = check(clock, before, answered(503));
    EXPECT_EQ(c503.outcome.status, "error");
    EXPECT_EQ(c503.outcome.action, PoolAction::None);
    EXPECT_NE(c503.outcome.message.find("unchanged"), std::string::npos);
    EXPECT_EQ(c503.after->status, before);

    const auto timeout =
        check(clock, before, UpstreamAnswer{.kind = UpstreamAnswer::Kind::TimedOut});
    EXPECT_EQ(timeout.outcome.status, "timeout");
    EXPECT_EQ(timeout.after->status, before);

    const auto network = check(
        clock, before,
        UpstreamAnswer{.kind = UpstreamAnswer::Kind::NetworkError, .error = "Connection refused"});
    EXPECT_EQ(network.outcome.status, "network_error");
    EXPECT_NE(network.outcome.message.find("Connection refused"), std::string::npos);
    EXPECT_EQ(network.after->status, before);
  }
}

TEST(CheckOutcome, AClientErrorDoesNotBlameTheKey) {
  ManualClock clock;
  const auto c = check(clock, KeyStatus::Active, answered(404));
  EXPECT_EQ(c.outcome.status, "error");
  EXPECT_EQ(c.outcome.action, PoolAction::None);
  EXPECT_NE(c.outcome.message.find("key_validation_model_name"), std::string::npos);
  EXPECT_EQ(c.after->status, KeyStatus::Active);
}

TEST(CheckOutcome, TheConfiguredErrorPolicyDecides) {
  auto policy = keys::parseErrorPolicy(R"({"403": "retry-other-key"})");
  ASSERT_TRUE(policy) << policy.error().message;
  const auto outcome = decideCheck(answered(403), *policy, kModel);
  EXPECT_EQ(outcome.action, PoolAction::None);
}

}  // namespace
}  // namespace poise::jobs
