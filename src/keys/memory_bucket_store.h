// MemoryBucketStore: the in-process BucketStore (one gateway instance). Buckets sit in an array
// by the pool's slot, so a take is one array access; the buckets below full are kept in an
// ordered set by last use, for the LRU bound. Thread-compatible, like the interface.
#pragma once

#include <set>
#include <tuple>

#include "keys/bucket_store.h"

namespace poise::keys {

class MemoryBucketStore final : public BucketStore {
 public:
  void configure(const BucketConfig& config) override;
  void add(KeyRef key, BucketLimits limits, TimePoint now) override;
  void remove(KeyRef key) override;
  void clear() override;
  void setLimits(KeyRef key, BucketLimits limits, TimePoint now) override;
  Take take(KeyRef key, int n, TimePoint now) override;
  TokenBucket peek(KeyRef key) const override;
  TokenBucket settle(KeyRef key, TimePoint now) override;
  void refill(KeyRef key, TimePoint now) override;
  void forgetIdle(TimePoint now, std::vector<KeyRef>& forgotten) override;
  std::optional<KeyRef> evictLeastRecent(TimePoint now) override;

 private:
  // (last use, key id, slot): the buckets below full, least recently used first.
  using Partial = std::set<std::tuple<TimePoint, std::int64_t, std::size_t>>;
  struct Record {
    std::int64_t id = 0;
    bool present = false;
    TokenBucket bucket;
    TimePoint last_consume{};
    std::optional<Partial::iterator> partial_it;
    // Uses in the current hour (the frequency that chooses the TTL).
    TimePoint hour_start{};
    int hour_uses = 0;
  };

  Record& at(KeyRef key);
  const Record& at(KeyRef key) const;
  std::chrono::seconds ttl(const Record& r) const;
  bool forgetIfIdle(Record& r, TimePoint now);
  void trackPartial(Record& r, bool partial);

  BucketConfig config_;
  std::vector<Record> records_;  // by slot
  Partial partial_;
};

}  // namespace poise::keys
