#include "storage/config_repository.h"

#include <array>

namespace poise::storage {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, \"key\", value, updated_at, updated_by_user_id FROM config ";

constexpr std::array<std::string_view, 4> kColumns = {"\"key\"", "value", "updated_at",
                                                      "updated_by_user_id"};
constexpr std::array<std::string_view, 1> kConflict = {"\"key\""};
constexpr std::array<std::string_view, 3> kUpdated = {"value", "updated_at", "updated_by_user_id"};

ConfigItem toItem(const Row& r) {
  return ConfigItem{.id = r.int64(0),
                    .key = r.text(1),
                    .value = r.text(2),
                    .updated_at = r.time(3),
                    .updated_by_user_id = r.optionalInt64(4)};
}

}  // namespace

Result<std::vector<ConfigItem>> ConfigRepository::all() {
  auto rows = db_.query(std::string(kSelect) + "ORDER BY \"key\"");
  if (!rows) return rows.error();
  std::vector<ConfigItem> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(toItem(r));
  return out;
}

Result<std::optional<ConfigItem>> ConfigRepository::get(std::string_view key) {
  auto rows = db_.query(std::string(kSelect) + "WHERE \"key\" = ?", {std::string(key)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ConfigItem>{};
  return std::optional<ConfigItem>{toItem(rows->front())};
}

Status ConfigRepository::upsertMany(std::span<const ConfigEntry> items,
                                    std::optional<std::int64_t> user_id, TimePoint now) {
  for (const ConfigEntry& e : items) {
    if (e.key.empty()) return makeError("invalid_argument", "config keys must not be empty");
  }
  if (items.empty()) return {};
  const std::string sql = upsertSql(db_.dialect(), "config", kColumns, kConflict, kUpdated);
  const Value stamp = timestampValue(now);
  const Value by = nullableValue(user_id);
  return db_.transaction([&](Connection& c) -> Status {
    for (const ConfigEntry& e : items) {
      auto r = c.execute(sql, {e.key, e.value, stamp, by});
      if (!r) return r.error();
    }
    return {};
  });
}

Result<std::int64_t> ConfigRepository::insertIfAbsent(
    const std::map<std::string, std::string>& defaults) {
  const std::string sql = insertIfAbsentSql(db_.dialect(), "config", kColumns, kConflict);
  const Value stamp = timestampValue(clock_.now());
  std::int64_t inserted = 0;
  Status st = db_.transaction([&](Connection& c) -> Status {
    inserted = 0;
    for (const auto& [key, value] : defaults) {
      if (key.empty()) return makeError("invalid_argument", "config keys must not be empty");
      auto r = c.execute(sql, {key, value, stamp, nullptr});
      if (!r) return r.error();
      inserted += *r;
    }
    return {};
  });
  if (!st) return st.error();
  return inserted;
}

Result<bool> ConfigRepository::remove(std::string_view key) {
  auto n = db_.execute("DELETE FROM config WHERE \"key\" = ?", {std::string(key)});
  if (!n) return n.error();
  return *n > 0;
}

}  // namespace poise::storage
