#include "storage/config_repository.h"

#include <algorithm>
#include <array>
#include <utility>

#include "storage/sealed_text.h"

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

// The associated data: a sealed value copied to another key does not open.
std::string boundTo(std::string_view key) {
  return "config:" + std::string(key);
}

Result<std::string> sealWith(const KeyCipher& cipher, std::string_view key,
                             std::string_view value) {
  return sealText(cipher, boundTo(key), value);
}

}  // namespace

bool ConfigRepository::sealed(std::string_view key) const {
  return secrets_.cipher != nullptr &&
         std::find(secrets_.keys.begin(), secrets_.keys.end(), key) != secrets_.keys.end();
}

Result<std::string> ConfigRepository::seal(std::string_view key, std::string_view value) const {
  if (!sealed(key)) return std::string(value);
  return sealWith(*secrets_.cipher, key, value);
}

Status ConfigRepository::open(ConfigItem& item) const {
  if (!sealed(item.key) || !isSealedText(item.value)) return {};
  auto plain = openSealedText(*secrets_.cipher, boundTo(item.key), item.value);
  if (!plain) {
    return makeError(ErrorCode::DecryptFailed,
                     "config " + item.key +
                         " cannot be decrypted: is this the master key (DATA_DIR/secret.key or "
                         "POISE_SECRET_KEY) it was written with?");
  }
  item.value = std::move(*plain);
  return {};
}

Result<std::vector<ConfigItem>> ConfigRepository::all() {
  auto rows = db_.query(std::string(kSelect) + "ORDER BY \"key\"");
  if (!rows) return rows.error();
  std::vector<ConfigItem> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    out.push_back(toItem(r));
    if (auto st = open(out.back()); !st) return st.error();
  }
  return out;
}

Result<std::optional<ConfigItem>> ConfigRepository::get(std::string_view key) {
  auto rows = db_.query(std::string(kSelect) + "WHERE \"key\" = ?", {std::string(key)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ConfigItem>{};
  ConfigItem item = toItem(rows->front());
  if (auto st = open(item); !st) return st.error();
  return std::optional<ConfigItem>{std::move(item)};
}

Status ConfigRepository::upsertMany(std::span<const ConfigEntry> items,
                                    std::optional<std::int64_t> user_id, TimePoint now) {
  for (const ConfigEntry& e : items) {
    if (e.key.empty())
      return makeError(ErrorCode::InvalidArgument, "config keys must not be empty");
  }
  if (items.empty()) return {};
  std::vector<std::string> stored;
  stored.reserve(items.size());
  for (const ConfigEntry& e : items) {
    auto v = seal(e.key, e.value);
    if (!v) return v.error();
    stored.push_back(std::move(*v));
  }
  const std::string sql = upsertSql(db_.dialect(), "config", kColumns, kConflict, kUpdated);
  const Value stamp = timestampValue(now);
  const Value by = nullableValue(user_id);
  return db_.transaction([&](Connection& c) -> Status {
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto r = c.execute(sql, {items[i].key, stored[i], stamp, by});
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
      if (key.empty())
        return makeError(ErrorCode::InvalidArgument, "config keys must not be empty");
      auto stored = seal(key, value);
      if (!stored) return stored.error();
      auto r = c.execute(sql, {key, std::move(*stored), stamp, nullptr});
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

Result<std::int64_t> ConfigRepository::resealIn(Connection& c, const KeyCipher& to) const {
  if (secrets_.cipher == nullptr) return std::int64_t{0};
  std::int64_t count = 0;
  for (const std::string& key : secrets_.keys) {
    auto rows = c.query(std::string(kSelect) + "WHERE \"key\" = ?", {key});
    if (!rows) return rows.error();
    if (rows->empty() || !rows->front().text(2).starts_with(kSealedTextPrefix)) continue;
    ConfigItem item = toItem(rows->front());
    if (auto st = open(item); !st) return st.error();
    auto stored = sealWith(to, key, item.value);
    if (!stored) return stored.error();
    auto n = c.execute("UPDATE config SET value = ? WHERE \"key\" = ?", {std::move(*stored), key});
    if (!n) return n.error();
    ++count;
  }
  return count;
}

Result<std::int64_t> ConfigRepository::sealClearSecrets() {
  if (secrets_.cipher == nullptr) return std::int64_t{0};
  std::int64_t count = 0;
  for (const std::string& key : secrets_.keys) {
    auto rows = db_.query("SELECT value FROM config WHERE \"key\" = ?", {key});
    if (!rows) return rows.error();
    if (rows->empty()) continue;
    const std::string clear = rows->front().text(0);
    if (clear.starts_with(kSealedTextPrefix)) continue;
    auto stored = seal(key, clear);
    if (!stored) return stored.error();
    // Only if the value is still the clear one read above: a writer in between wins.
    auto n = db_.execute("UPDATE config SET value = ? WHERE \"key\" = ? AND value = ?",
                         {std::move(*stored), key, clear});
    if (!n) return n.error();
    count += *n;
  }
  return count;
}

}  // namespace poise::storage
