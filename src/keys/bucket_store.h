// BucketStore: every key's token bucket (SPEC §2, the token_bucket_* settings): the level, the
// limits, and the forgetting of idle buckets. This is the state several gateway instances will
// share: take() is one atomic refill-and-consume, which a Redis implementation runs as one
// script over the key's hash (its TTL then does the forgetting); the other operations are one
// command each. MemoryBucketStore is the in-process implementation.
// Thread-compatible: the owner (KeyPool, under its mutex) serializes calls. No clock is read;
// every instant is the caller's. Every operation but add() and clear() needs a key that was
// added and not removed.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "keys/key_ref.h"
#include "keys/token_bucket.h"

namespace poise::keys {

class BucketStore {
 public:
  struct Take {
    bool taken = false;
    // The bucket after the take; its level at `now` is bucket.tokensAt(now).
    TokenBucket bucket;
    // When it holds a whole token again (`now` when it still does).
    TimePoint next_token_at{};
  };

  virtual ~BucketStore() = default;

  // The forgetting settings from `config` (TTLs, lazy cleanup, LRU bound); the limits of each
  // key come with add() and setLimits().
  virtual void configure(const BucketConfig& config) = 0;
  // A full bucket for the key, with `limits`, at `now`.
  virtual void add(KeyRef key, BucketLimits limits, TimePoint now) = 0;
  virtual void remove(KeyRef key) = 0;
  virtual void clear() = 0;
  // New limits from `now` on: the refill so far counts at the old rate; the level is clamped.
  virtual void setLimits(KeyRef key, BucketLimits limits, TimePoint now) = 0;

  // Atomically refills the bucket to `now` and takes `n` ≥ 1 tokens when it holds them. Taken or
  // not, it counts as a use of the bucket: its idle time starts again and it counts toward the
  // key's attempts this hour (which choose its TTL).
  virtual Take take(KeyRef key, int n, TimePoint now) = 0;
  // The bucket as stored; its level at `now` is tokensAt(now).
  virtual TokenBucket peek(KeyRef key) const = 0;
  // The bucket after its upkeep at `now`: forgotten (full again) when idle past its TTL, with
  // lazy cleanup on; and kept in, or taken out of, the LRU order of buckets below full.
  virtual TokenBucket settle(KeyRef key, TimePoint now) = 0;
  // Full at `now`.
  virtual void refill(KeyRef key, TimePoint now) = 0;

  // Forgets (refills) every bucket idle past its TTL, appending each to `forgotten`. O(n).
  virtual void forgetIdle(TimePoint now, std::vector<KeyRef>& forgotten) = 0;
  // With LRU eviction on and more than max_buckets buckets below full: forgets the least
  // recently used of them and returns it. nullopt otherwise.
  virtual std::optional<KeyRef> evictLeastRecent(TimePoint now) = 0;
};

}  // namespace poise::keys
