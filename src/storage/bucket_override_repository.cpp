#include "storage/bucket_override_repository.h"

namespace poise::storage {

Result<std::int64_t> BucketOverrideRepository::set(std::span<const std::int64_t> ids,
                                                   const std::optional<BucketOverride>& limits,
                                                   TimePoint now) {
  std::int64_t changed = 0;
  auto st = db_.transaction([&](Connection& c) -> Status {
    for (std::int64_t id : ids) {
      auto removed = c.execute("DELETE FROM key_bucket_overrides WHERE api_key_id = ?", {id});
      if (!removed) return removed.error();
      if (!limits) {
        changed += *removed;
        continue;
      }
      // INSERT … SELECT so that an id with no key inserts nothing (instead of failing the
      // foreign key and the whole batch).
      auto added = c.execute(
          "INSERT INTO key_bucket_overrides (api_key_id, capacity, refill_rate, updated_at) "
          "SELECT id, ?, ?, ? FROM api_keys WHERE id = ?",
          {std::int64_t{limits->capacity}, limits->refill_rate, timestampValue(now), id});
      if (!added) return added.error();
      changed += *added;
    }
    return {};
  });
  if (!st) return st.error();
  return changed;
}

Result<std::map<std::int64_t, BucketOverride>> BucketOverrideRepository::loadAll() {
  auto rows = db_.query("SELECT api_key_id, capacity, refill_rate FROM key_bucket_overrides");
  if (!rows) return rows.error();
  std::map<std::int64_t, BucketOverride> out;
  for (const Row& r : *rows) {
    out[r.int64(0)] = BucketOverride{static_cast<int>(r.int64(1)), r.real(2)};
  }
  return out;
}

}  // namespace poise::storage
