// ResourceKeyRepository: which upstream key created each stateful Gemini resource (table
// resource_keys, migration 0011): an uploaded file, a cache, a batch or an interaction works only
// with that key, so every later request naming it is sent with it (proxy/affinity.h). Keyed by the
// resource name as Google spells it ("files/abc"); each row carries the resource's own expiry and
// is pruned after it. Methods block (run on the BlockingPool); thread-safe as far as the Database
// is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct ResourceKey {
  std::string name;  // "files/abc", "cachedContents/x", "batches/y", "interactions/z"
  std::int64_t key_id = 0;
  TimePoint created_at;
  TimePoint expires_at;
};

class ResourceKeyRepository {
 public:
  explicit ResourceKeyRepository(Database& db) : db_(db) {}

  // Records (or, for a name already recorded, replaces) the resource's key and expiry.
  Status record(const ResourceKey& resource);
  // The resource's row, expired or not (the caller compares the instants); nullopt when unknown.
  Result<std::optional<ResourceKey>> find(std::string_view name);
  // True when a row was removed (the resource was deleted upstream).
  Result<bool> remove(std::string_view name);
  // Removes the rows whose expiry is before `now`; returns how many.
  Result<std::int64_t> deleteExpired(TimePoint now);

 private:
  Database& db_;
};

}  // namespace poise::storage
