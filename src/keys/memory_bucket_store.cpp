#include "keys/memory_bucket_store.h"

#include <algorithm>
#include <cassert>

namespace poise::keys {

namespace {

constexpr std::chrono::hours kHour{1};

bool isFull(const TokenBucket& b, TimePoint now) {
  return b.tokensAt(now) >= b.capacity - TokenBucket::kEpsilon;
}

}  // namespace

MemoryBucketStore::Record& MemoryBucketStore::at(KeyRef key) {
  assert(key.slot < records_.size() && records_[key.slot].present);
  return records_[key.slot];
}

const MemoryBucketStore::Record& MemoryBucketStore::at(KeyRef key) const {
  assert(key.slot < records_.size() && records_[key.slot].present);
  return records_[key.slot];
}

std::chrono::seconds MemoryBucketStore::ttl(const Record& r) const {
  int secs = config_.low_freq_ttl;
  if (r.hour_uses >= config_.high_freq_threshold) {
    secs = config_.high_freq_ttl;
  } else if (r.hour_uses >= config_.medium_freq_threshold) {
    secs = config_.medium_freq_ttl;
  }
  return std::chrono::seconds(std::min(secs, config_.bucket_ttl));
}

bool MemoryBucketStore::forgetIfIdle(Record& r, TimePoint now) {
  if (isFull(r.bucket, now)) return false;
  if (now - r.last_consume < ttl(r)) return false;
  r.bucket.reset(now);
  trackPartial(r, false);
  return true;
}

void MemoryBucketStore::trackPartial(Record& r, bool partial) {
  partial = partial && config_.enable_lru_eviction;
  if (r.partial_it) {
    if (partial && std::get<0>(**r.partial_it) == r.last_consume) return;  // already in place
    partial_.erase(*r.partial_it);
    r.partial_it.reset();
  }
  if (!partial) return;
  const auto slot = static_cast<std::size_t>(&r - records_.data());
  // last_consume is usually the newest instant: the end() hint makes the insert O(1).
  r.partial_it = partial_.emplace_hint(partial_.end(), r.last_consume, r.id, slot);
}

void MemoryBucketStore::configure(const BucketConfig& config) {
  config_ = config;
}

void MemoryBucketStore::add(KeyRef key, BucketLimits limits, TimePoint now) {
  if (key.slot >= records_.size()) records_.resize(key.slot + 1);
  Record& r = records_[key.slot];
  assert(!r.present);
  r = Record{};
  r.id = key.id;
  r.present = true;
  r.bucket = TokenBucket::full(limits.capacity, limits.refill_per_second, now);
  r.hour_start = now;
}

void MemoryBucketStore::remove(KeyRef key) {
  Record& r = at(key);
  trackPartial(r, false);
  r = Record{};
}

void MemoryBucketStore::clear() {
  records_.clear();
  partial_.clear();
}

void MemoryBucketStore::setLimits(KeyRef key, BucketLimits limits, TimePoint now) {
  at(key).bucket.reconfigure(limits.capacity, limits.refill_per_second, now);
}

BucketStore::Take MemoryBucketStore::take(KeyRef key, int n, TimePoint now) {
  Record& r = at(key);
  Take out;
  out.taken = r.bucket.tryConsume(now, n);
  r.last_consume = now;
  if (now - r.hour_start >= kHour) {
    r.hour_start = now;
    r.hour_uses = 0;
  }
  ++r.hour_uses;
  // Refilled to `now` by tryConsume: `tokens` is the level now.
  trackPartial(r, r.bucket.tokens < r.bucket.capacity - TokenBucket::kEpsilon);
  out.bucket = r.bucket;
  out.next_token_at = r.bucket.tokens + TokenBucket::kEpsilon >= 1.0
                          ? now
                          : now + r.bucket.timeUntilAvailable(now, 1).value_or(Millis{0});
  return out;
}

TokenBucket MemoryBucketStore::peek(KeyRef key) const {
  return at(key).bucket;
}

TokenBucket MemoryBucketStore::settle(KeyRef key, TimePoint now) {
  Record& r = at(key);
  if (config_.enable_lazy_cleanup) forgetIfIdle(r, now);
  trackPartial(r, !isFull(r.bucket, now));
  return r.bucket;
}

void MemoryBucketStore::refill(KeyRef key, TimePoint now) {
  Record& r = at(key);
  r.bucket.reset(now);
  trackPartial(r, false);
}

void MemoryBucketStore::forgetIdle(TimePoint now, std::vector<KeyRef>& forgotten) {
  for (std::size_t slot = 0; slot < records_.size(); ++slot) {
    Record& r = records_[slot];
    if (r.present && forgetIfIdle(r, now)) forgotten.push_back(KeyRef{slot, r.id});
  }
}

std::optional<KeyRef> MemoryBucketStore::evictLeastRecent(TimePoint now) {
  if (!config_.enable_lru_eviction) return std::nullopt;
  if (partial_.size() <= static_cast<std::size_t>(std::max(0, config_.max_buckets))) {
    return std::nullopt;
  }
  const auto [last, id, slot] = *partial_.begin();
  Record& r = records_[slot];
  r.bucket.reset(now);
  trackPartial(r, false);
  return KeyRef{slot, id};
}

}  // namespace poise::keys
