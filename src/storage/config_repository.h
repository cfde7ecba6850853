// ConfigRepository: the runtime settings table (config), string keys to string values. Value
// validation belongs to the config layer; this class only stores. Methods block (run on the
// BlockingPool); each write is one short transaction. Thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct ConfigItem {
  std::int64_t id = 0;
  std::string key;
  std::string value;
  TimePoint updated_at;
  std::optional<std::int64_t> updated_by_user_id;  // null for seeded defaults
};

struct ConfigEntry {
  std::string key;
  std::string value;
};

class ConfigRepository {
 public:
  ConfigRepository(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Every item, ordered by key.
  Result<std::vector<ConfigItem>> all();
  Result<std::optional<ConfigItem>> get(std::string_view key);
  // Inserts or replaces every entry in one transaction (all or nothing). Error
  // "invalid_argument" for an empty key.
  Status upsertMany(std::span<const ConfigEntry> items, std::optional<std::int64_t> user_id,
                    TimePoint now);
  // Inserts the entries whose key is absent and keeps existing values (seeding defaults at first
  // start); returns how many were inserted.
  Result<std::int64_t> insertIfAbsent(const std::map<std::string, std::string>& defaults);
  // True when the key existed.
  Result<bool> remove(std::string_view key);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace poise::storage
