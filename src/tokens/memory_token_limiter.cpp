#include "tokens/memory_token_limiter.h"

#include <chrono>

namespace poise::tokens {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;

std::int64_t epochMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view toString(LimitDecision::Kind kind) {
  switch (kind) {
    case LimitDecision::Kind::Admitted:
      return "admitted";
    case LimitDecision::Kind::Rpm:
      return "rpm";
    case LimitDecision::Kind::DailyRequests:
      return "daily_requests";
    case LimitDecision::Kind::DailyTokens:
      return "daily_tokens";
  }
  return "admitted";
}

std::int64_t utcDay(TimePoint t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

std::int64_t secondsToNextUtcDay(TimePoint now) {
  const auto next = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
  const auto left = std::chrono::ceil<std::chrono::seconds>(next - now).count();
  return left < 1 ? 1 : left;
}

void MemoryTokenLimiter::State::roll(std::int64_t now_day) {
  if (day == now_day) return;
  day = now_day;
  counts = {};
}

std::shared_ptr<MemoryTokenLimiter::State> MemoryTokenLimiter::state(std::int64_t token_id) {
  std::lock_guard lock(mu_);
  auto& slot = states_[token_id];
  if (!slot) slot = std::make_shared<State>();
  return slot;
}

std::shared_ptr<MemoryTokenLimiter::State> MemoryTokenLimiter::existing(
    std::int64_t token_id) const {
  std::lock_guard lock(mu_);
  const auto it = states_.find(token_id);
  return it == states_.end() ? nullptr : it->second;
}

LimitDecision MemoryTokenLimiter::admit(const ClientToken& token, TimePoint now) {
  const bool limited = token.rpm_limit || token.daily_request_quota || token.daily_token_quota;
  if (!limited) {
    // No limit to enforce; today's requests are still counted for the console.
    const auto s = state(token.id);
    std::lock_guard lock(s->mu);
    s->roll(utcDay(now));
    ++s->counts.requests;
    return {};
  }
  const auto s = state(token.id);
  const std::int64_t now_ms = epochMs(now);
  std::lock_guard lock(s->mu);
  s->roll(utcDay(now));
  if (token.daily_request_quota && s->counts.requests >= *token.daily_request_quota) {
    return {LimitDecision::Kind::DailyRequests, secondsToNextUtcDay(now)};
  }
  if (token.daily_token_quota && s->counts.tokens >= *token.daily_token_quota) {
    return {LimitDecision::Kind::DailyTokens, secondsToNextUtcDay(now)};
  }
  auto& window = s->admitted_ms;
  while (!window.empty() && window.front() <= now_ms - kMinuteMs) window.pop_front();
  if (token.rpm_limit) {
    const auto limit = static_cast<std::size_t>(*token.rpm_limit);
    // A lowered limit: the oldest admissions beyond it change nothing (the next request fits
    // when all but limit - 1 have left the minute), so they are dropped.
    while (window.size() > limit) window.pop_front();
    if (window.size() >= limit) {
      // The oldest admission leaves the minute first; then one more request fits.
      const std::int64_t wait_ms = window.front() + kMinuteMs - now_ms;
      return {LimitDecision::Kind::Rpm, std::max<std::int64_t>(1, (wait_ms + 999) / 1000)};
    }
    window.push_back(now_ms);
  } else {
    window.clear();
  }
  ++s->counts.requests;
  return {};
}

void MemoryTokenLimiter::addTokens(std::int64_t token_id, std::int64_t tokens, TimePoint now) {
  if (tokens <= 0) return;
  const auto s = state(token_id);
  std::lock_guard lock(s->mu);
  s->roll(utcDay(now));
  s->counts.tokens += tokens;
}

void MemoryTokenLimiter::seedDay(std::int64_t token_id, TimePoint day, DayCounts counts) {
  const auto s = state(token_id);
  std::lock_guard lock(s->mu);
  s->day = utcDay(day);
  s->counts = counts;
}

DayCounts MemoryTokenLimiter::today(std::int64_t token_id, TimePoint now) const {
  const auto s = existing(token_id);
  if (!s) return {};
  std::lock_guard lock(s->mu);
  if (s->day != utcDay(now)) return {};
  return s->counts;
}

void MemoryTokenLimiter::forget(std::int64_t token_id) {
  std::lock_guard lock(mu_);
  states_.erase(token_id);
}

}  // namespace poise::tokens
