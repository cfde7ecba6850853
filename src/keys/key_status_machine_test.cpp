#include "keys/key_status_machine.h"

#include <gtest/gtest.h>

namespace poise::keys {
namespace {

using Source = KeyStatusMachine::Source;
using Rejection = KeyStatusMachine::Rejection;

constexpr KeyRef kKey{0, 7};

class KeyStatusMachineTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  KeyStatusMachine machine_;
  TimePoint now() const { return clock_.now(); }
};

TEST_F(KeyStatusMachineTest, CountsKeysByStatusThroughAddEditAndRemove) {
  machine_.add(KeyRef{0, 1}, {.status = KeyStatus::Active});
  machine_.add(KeyRef{1, 2}, {.status = KeyStatus::Disabled});
  machine_.add(KeyRef{2, 3}, {.status = KeyStatus::Active});
  EXPECT_EQ(machine_.count(KeyStatus::Active), 2);
  EXPECT_EQ(machine_.count(KeyStatus::Disabled), 1);
  machine_.edit(KeyRef{0, 1}, {.status = KeyStatus::Error}, false);
  EXPECT_EQ(machine_.count(KeyStatus::Active), 1);
  EXPECT_EQ(machine_.count(KeyStatus::Error), 1);
  machine_.remove(KeyRef{1, 2});
  EXPECT_EQ(machine_.count(KeyStatus::Disabled), 0);
  EXPECT_TRUE(machine_.drain().empty());  // admin edits are not queued
}

TEST_F(KeyStatusMachineTest, UsesAreCountedAndQueuedMergedPerKey) {
  machine_.add(kKey, {.usage_count = 40});
  EXPECT_FALSE(machine_.recordSuccess(kKey, Source::Proxy, now()));
  clock_.advance(Millis{5});
  EXPECT_FALSE(machine_.recordTransient(kKey, Source::Proxy, now()));
  EXPECT_FALSE(machine_.recordSuccess(kKey, Source::Validation, now()));  // not a use
  EXPECT_EQ(machine_.state(kKey).usage_count, 42);
  EXPECT_EQ(machine_.state(kKey).last_used_at, now());
  const auto deltas = machine_.drain();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].id, 7);
  EXPECT_EQ(deltas[0].usage_increment, 2);
  EXPECT_EQ(deltas[0].last_used_at, now());
  EXPECT_FALSE(deltas[0].new_status);
  EXPECT_TRUE(machine_.drain().empty());
}

TEST_F(KeyStatusMachineTest, ACountedRejectionRetiresTheKeyAfterMaxFailedCountInARow) {
  machine_.setRules({.max_failed_count = 3});
  machine_.add(kKey, {});
  EXPECT_FALSE(machine_.recordRejected(kKey, "403", Rejection::Counted, Source::Proxy, now()));
  EXPECT_FALSE(machine_.recordRejected(kKey, "403", Rejection::Counted, Source::Proxy, now()));
  (void)machine_.recordSuccess(kKey, Source::Proxy, now());  // the run starts again
  EXPECT_EQ(machine_.state(kKey).failed_count, 0);
  EXPECT_FALSE(machine_.recordRejected(kKey, "403", Rejection::Counted, Source::Proxy, now()));
  EXPECT_FALSE(machine_.recordRejected(kKey, "403", Rejection::Counted, Source::Proxy, now()));
  const auto t = machine_.recordRejected(kKey, "403", Rejection::Counted, Source::Proxy, now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, KeyStatus::Active);
  EXPECT_EQ(t->to, KeyStatus::Error);
  EXPECT_EQ(machine_.count(KeyStatus::Error), 1);
  const auto deltas = machine_.drain();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].failed_count, 3);
  EXPECT_EQ(deltas[0].old_status, KeyStatus::Active);
  EXPECT_EQ(deltas[0].new_status, KeyStatus::Error);
  EXPECT_EQ(deltas[0].reason, "403 (3 in a row)");
  EXPECT_EQ(deltas[0].changed_at, now());
}

TEST_F(KeyStatusMachineTest, AConclusiveRejectionRetiresAtOnceAndADisabledKeyIgnoresIt) {
  machine_.add(kKey, {});
  const auto t = machine_.recordRejected(kKey, "API_KEY_INVALID", Rejection::Conclusive,
                                         Source::Validation, now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, KeyStatus::Error);
  EXPECT_EQ(machine_.drain()[0].reason, "validation: API_KEY_INVALID");
  const KeyRef disabled{1, 8};
  machine_.add(disabled, {.status = KeyStatus::Disabled});
  EXPECT_FALSE(machine_.recordRejected(disabled, "x", Rejection::Conclusive, Source::Proxy, now()));
  EXPECT_FALSE(machine_.recordValidated(disabled, "ok", now()));
  EXPECT_EQ(machine_.status(disabled), KeyStatus::Disabled);
  EXPECT_TRUE(machine_.drain().empty());
}

TEST_F(KeyStatusMachineTest, EveryAttemptA429OverTheWindowExhaustsTheKey) {
  machine_.setRules({.exhausted_window = std::chrono::seconds(60), .exhausted_min_429s = 3});
  machine_.add(kKey, {});
  EXPECT_FALSE(machine_.recordCooldown(kKey, "quota", Source::Proxy, now()));
  clock_.advance(Millis{30'000});
  EXPECT_FALSE(machine_.recordCooldown(kKey, "quota", Source::Proxy, now()));
  clock_.advance(Millis{30'000});
  const auto t = machine_.recordCooldown(kKey, "quota", Source::Proxy, now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, KeyStatus::Exhausted);
  EXPECT_EQ(machine_.drain()[0].reason,
            "every attempt for 60s was a 429 (3 attempts; last: quota)");
}

TEST_F(KeyStatusMachineTest, AnyOtherOutcomeBreaksTheRunOf429s) {
  machine_.setRules({.exhausted_window = std::chrono::seconds(60), .exhausted_min_429s = 2});
  machine_.add(kKey, {});
  (void)machine_.recordCooldown(kKey, "quota", Source::Proxy, now());
  clock_.advance(Millis{60'000});
  (void)machine_.recordTransient(kKey, Source::Proxy, now());
  EXPECT_FALSE(machine_.recordCooldown(kKey, "quota", Source::Proxy, now()));  // a new run
  clock_.advance(Millis{59'999});
  EXPECT_FALSE(machine_.recordCooldown(kKey, "quota", Source::Proxy, now()));
  clock_.advance(Millis{1});
  EXPECT_TRUE(machine_.recordCooldown(kKey, "quota", Source::Proxy, now()));
}

TEST_F(KeyStatusMachineTest, ValidationMovesAnErrorKeyToExhaustedOnA429AndToActiveOnAPass) {
  machine_.add(kKey, {.status = KeyStatus::Error, .failed_count = 3});
  auto t = machine_.recordCooldown(kKey, "quota", Source::Validation, now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, KeyStatus::Exhausted);
  t = machine_.recordValidated(kKey, "validation: ok", now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->from, KeyStatus::Exhausted);
  EXPECT_EQ(t->to, KeyStatus::Active);
  EXPECT_EQ(machine_.state(kKey).failed_count, 0);
  const auto deltas = machine_.drain();
  ASSERT_EQ(deltas.size(), 1u);
  // Merged: the status before the first change, the last reason, no use counted.
  EXPECT_EQ(deltas[0].old_status, KeyStatus::Error);
  EXPECT_EQ(deltas[0].new_status, KeyStatus::Active);
  EXPECT_EQ(deltas[0].reason, "validation: ok");
  EXPECT_EQ(deltas[0].failed_count, 0);
  EXPECT_EQ(deltas[0].usage_increment, 0);
}

TEST_F(KeyStatusMachineTest, LiveStateShowsUnflushedChangesAndLearnsTheStoredCountOnce) {
  machine_.add(kKey, {});
  (void)machine_.recordSuccess(kKey, Source::Proxy, now());
  (void)machine_.recordRejected(kKey, "bad", Rejection::Conclusive, Source::Proxy, now());
  auto live = machine_.live(kKey, std::nullopt);
  EXPECT_EQ(live.status, KeyStatus::Error);
  EXPECT_EQ(live.unflushed_uses, 2);
  EXPECT_FALSE(live.usage_count);
  ASSERT_TRUE(live.unflushed_change);
  EXPECT_EQ(live.unflushed_change->from, KeyStatus::Active);
  EXPECT_EQ(live.unflushed_change->reason, "bad");
  live = machine_.live(kKey, 100);  // the row predates the two unflushed uses
  EXPECT_EQ(live.usage_count, 102);
  (void)machine_.drain();
  live = machine_.live(kKey, 500);  // known now: later rows do not override it
  EXPECT_EQ(live.usage_count, 102);
  EXPECT_EQ(live.unflushed_uses, 0);
  EXPECT_FALSE(live.unflushed_change);
}

TEST_F(KeyStatusMachineTest, AnEditKeepsTheMachinesCountsAndWithKeepStateItsStatus) {
  machine_.add(kKey, {.usage_count = 10});
  (void)machine_.recordRejected(kKey, "bad", Rejection::Conclusive, Source::Proxy, now());
  const TimePoint used = now();
  machine_.edit(kKey, {.status = KeyStatus::Active, .failed_count = 0, .usage_count = 3}, true);
  EXPECT_EQ(machine_.status(kKey), KeyStatus::Error);
  EXPECT_EQ(machine_.state(kKey).failed_count, 1);
  EXPECT_EQ(machine_.state(kKey).usage_count, 11);
  EXPECT_EQ(machine_.state(kKey).last_used_at, used);
  machine_.edit(kKey, {.status = KeyStatus::Active, .failed_count = 0}, false);
  EXPECT_EQ(machine_.status(kKey), KeyStatus::Active);
  EXPECT_EQ(machine_.count(KeyStatus::Error), 0);
  EXPECT_EQ(machine_.count(KeyStatus::Active), 1);
}

}  // namespace
}  // namespace poise::keys
