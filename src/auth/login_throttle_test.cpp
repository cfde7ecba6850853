#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace poise::auth {
namespace {

using namespace std::chrono_literals;
using Outcome = LoginThrottle::Outcome;

const TimePoint kT0{Millis{1'700'000'000'000}};

// 48 guesses arrive together: only as many are admitted as failures the keys may take before the
// lock (free_failures + 1), however their checks interleave.
TEST(LoginThrottle, ConcurrentGuessesCheckNoMorePasswordsThanTheLockAllows) {
  LoginThrottle t(ThrottleOptions{.free_failures = 5});
  const std::array<std::string, 2> keys = {"u:admin", "ip:10.0.0.1"};
  int admitted = 0;
  for (int i = 0; i < 48; ++i) admitted += t.begin(keys, kT0).admitted ? 1 : 0;
  EXPECT_EQ(admitted, 6);
  for (int i = 0; i < admitted; ++i) (void)t.finish(keys, Outcome::Failed, kT0);
  const auto d = t.begin(keys, kT0);
  EXPECT_FALSE(d.admitted);
  EXPECT_TRUE(d.locked);
  EXPECT_EQ(d.retry_after, 2000ms);
}

TEST(LoginThrottle, RefusedWhileSlotsAreBusyIsNotALock) {
  LoginThrottle t(ThrottleOptions{.free_failures = 1});
  const std::array<std::string, 1> keys = {"ip:a"};
  ASSERT_TRUE(t.begin(keys, kT0).admitted);
  ASSERT_TRUE(t.begin(keys, kT0).admitted);
  const auto busy = t.begin(keys, kT0);
  EXPECT_FALSE(busy.admitted);
  EXPECT_FALSE(busy.locked);
  EXPECT_EQ(busy.retry_after, LoginThrottle::kSlotWait);
  // An abandoned check frees its slot and counts nothing.
  EXPECT_FALSE(t.finish(keys, Outcome::Abandoned, kT0));
  EXPECT_TRUE(t.begin(keys, kT0).admitted);
}

TEST(LoginThrottle, LocksDoubleUpToTheCapAndASuccessClears) {
  LoginThrottle t(ThrottleOptions{.free_failures = 2, .base_lock = 2s, .max_lock = 5s});
  const std::array<std::string, 1> keys = {"u:x"};
  TimePoint now = kT0;
  auto fail = [&] {
    EXPECT_TRUE(t.begin(keys, now).admitted);
    return t.finish(keys, Outcome::Failed, now);
  };
  EXPECT_FALSE(fail());
  EXPECT_FALSE(fail());
  EXPECT_TRUE(fail());  // the third failure locks for 2 s
  EXPECT_EQ(t.begin(keys, now).retry_after, 2000ms);
  now += 2s;
  // Once locked, a key admits one check at a time.
  EXPECT_TRUE(t.begin(keys, now).admitted);
  EXPECT_FALSE(t.begin(keys, now).admitted);
  EXPECT_TRUE(t.finish(keys, Outcome::Failed, now));
  EXPECT_EQ(t.begin(keys, now).retry_after, 4000ms);
  now += 4s;
  EXPECT_TRUE(fail());
  EXPECT_EQ(t.begin(keys, now).retry_after, 5000ms);  // capped
  now += 5s;
  EXPECT_TRUE(t.begin(keys, now).admitted);
  EXPECT_FALSE(t.finish(keys, Outcome::Succeeded, now));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(t.begin(keys, now).admitted);
}

TEST(LoginThrottle, AnyLockedKeyRefusesAndNothingIsTaken) {
  LoginThrottle t(ThrottleOptions{.free_failures = 0});
  const std::array<std::string, 1> ip = {"ip:a"};
  ASSERT_TRUE(t.begin(ip, kT0).admitted);
  ASSERT_TRUE(t.finish(ip, Outcome::Failed, kT0));
  const std::array<std::string, 2> both = {"u:fresh", "ip:a"};
  const auto d = t.begin(both, kT0);
  EXPECT_FALSE(d.admitted);
  EXPECT_TRUE(d.locked);
  // "u:fresh" was not given a slot by the refused attempt.
  const std::array<std::string, 1> user = {"u:fresh"};
  EXPECT_TRUE(t.begin(user, kT0).admitted);
}

TEST(LoginThrottle, ForgetsIdleKeysPastTheBoundButKeepsChecksInFlight) {
  LoginThrottle t(ThrottleOptions{.free_failures = 0, .max_keys = 4});
  const std::array<std::string, 1> busy = {"ip:busy"};
  ASSERT_TRUE(t.begin(busy, kT0).admitted);
  for (int i = 0; i < 20; ++i) {
    const std::array<std::string, 1> k = {"u:" + std::to_string(i)};
    ASSERT_TRUE(t.begin(k, kT0).admitted);
    (void)t.finish(k, Outcome::Failed, kT0);
  }
  // The busy key kept its slot through every sweep: a second check is still refused.
  EXPECT_FALSE(t.begin(busy, kT0).admitted);
  EXPECT_FALSE(t.finish(busy, Outcome::Abandoned, kT0));
  EXPECT_TRUE(t.begin(busy, kT0).admitted);
}

}  // namespace
}  // namespace poise::auth
