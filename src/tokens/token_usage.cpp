#include "tokens/token_usage.h"

#include "tokens/token_limiter.h"

namespace poise::tokens {

void TokenUsage::merge(const UsageDelta& d) {
  auto& slot = pending_[{d.token_id, d.day}];
  slot.token_id = d.token_id;
  slot.day = d.day;
  slot.requests += d.requests;
  slot.charged_requests += d.charged_requests;
  slot.errors += d.errors;
  slot.prompt_tokens += d.prompt_tokens;
  slot.completion_tokens += d.completion_tokens;
  if (d.last_used > slot.last_used) slot.last_used = d.last_used;
}

void TokenUsage::add(const UsageSample& s) {
  const UsageDelta d{.token_id = s.token_id,
                     .day = utcDay(s.at),
                     .requests = 1,
                     .charged_requests = s.charged ? 1 : 0,
                     .errors = s.error ? 1 : 0,
                     .prompt_tokens = s.prompt_tokens,
                     .completion_tokens = s.completion_tokens,
                     .last_used = s.at};
  std::lock_guard lock(mu_);
  merge(d);
}

std::vector<UsageDelta> TokenUsage::drain() {
  std::map<std::pair<std::int64_t, std::int64_t>, UsageDelta> taken;
  {
    std::lock_guard lock(mu_);
    taken.swap(pending_);
  }
  std::vector<UsageDelta> out;
  out.reserve(taken.size());
  for (auto& [k, d] : taken) out.push_back(d);
  return out;
}

void TokenUsage::restore(std::vector<UsageDelta> deltas) {
  std::lock_guard lock(mu_);
  for (const auto& d : deltas) merge(d);
}

}  // namespace poise::tokens
