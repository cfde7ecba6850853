// BucketOverrideRepository: the per-key token-bucket limits an operator set (table
// key_bucket_overrides; a key without a row uses its priority tier's defaults). Methods block
// (run on the BlockingPool); thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct BucketOverride {
  int capacity = 0;
  double refill_rate = 0;
};

class BucketOverrideRepository {
 public:
  explicit BucketOverrideRepository(Database& db) : db_(db) {}

  // Sets (or with nullopt removes) the override of every key in `ids`, in one transaction. Ids
  // with no key are skipped; returns how many keys were changed.
  Result<std::int64_t> set(std::span<const std::int64_t> ids,
                           const std::optional<BucketOverride>& limits, TimePoint now);
  // Every override, by key id.
  Result<std::map<std::int64_t, BucketOverride>> loadAll();

 private:
  Database& db_;
};

}  // namespace poise::storage
