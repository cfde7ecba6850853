#include "storage/resource_key_repository.h"

#include <array>

#include "storage/dialect.h"

namespace poise::storage {

namespace {

constexpr std::array<std::string_view, 4> kColumns{"name", "key_id", "created_at", "expires_at"};
constexpr std::array<std::string_view, 1> kConflict{"name"};
constexpr std::array<std::string_view, 3> kUpdated{"key_id", "created_at", "expires_at"};

}  // namespace

Status ResourceKeyRepository::record(const ResourceKey& r) {
  if (r.name.empty() || r.name.size() > 255) {
    return makeError(ErrorCode::InvalidArgument, "a resource name is 1 to 255 bytes");
  }
  const std::string sql = upsertSql(db_.dialect(), "resource_keys", kColumns, kConflict, kUpdated);
  auto done = db_.execute(
      sql, {r.name, r.key_id, timestampValue(r.created_at), timestampValue(r.expires_at)});
  if (!done) return done.error();
  return {};
}

Result<std::optional<ResourceKey>> ResourceKeyRepository::find(std::string_view name) {
  auto rows =
      db_.query("SELECT name, key_id, created_at, expires_at FROM resource_keys WHERE name = ?",
                {std::string(name)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ResourceKey>{};
  const Row& r = rows->front();
  return std::optional<ResourceKey>{ResourceKey{
      .name = r.text(0), .key_id = r.int64(1), .created_at = r.time(2), .expires_at = r.time(3)}};
}

Result<bool> ResourceKeyRepository::remove(std::string_view name) {
  auto changed = db_.execute("DELETE FROM resource_keys WHERE name = ?", {std::string(name)});
  if (!changed) return changed.error();
  return *changed > 0;
}

Result<std::int64_t> ResourceKeyRepository::deleteExpired(TimePoint now) {
  return db_.execute("DELETE FROM resource_keys WHERE expires_at < ?", {timestampValue(now)});
}

}  // namespace poise::storage
