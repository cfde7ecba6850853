#include "storage/master_key.h"

namespace poise::storage {

Result<std::optional<std::string>> storedCheckValue(Database& db) {
  auto rows = db.query("SELECT check_value FROM master_key_check WHERE id = 1");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->front().text(0));
}

Status storeCheckValue(Connection& c, const KeyCipher& cipher, TimePoint now) {
  auto d = c.execute("DELETE FROM master_key_check WHERE id = 1");
  if (!d) return d.error();
  auto i = c.execute("INSERT INTO master_key_check (id, check_value, updated_at) VALUES (1, ?, ?)",
                     {cipher.checkValue(), timestampValue(now)});
  if (!i) return i.error();
  return {};
}

Result<bool> verifyMasterKey(Database& db, ApiKeyRepository& keys, ConfigRepository& config,
                             const KeyCipher& cipher, TimePoint now) {
  auto stored = storedCheckValue(db);
  if (!stored) return stored.error();
  if (*stored) return **stored == cipher.checkValue();
  auto opens = keys.cipherOpensStoredKeys();
  if (!opens) return opens.error();
  if (*opens && !**opens) return false;
  if (auto items = config.all(); !items) {
    if (items.error().code == ErrorCode::DecryptFailed) return false;
    return items.error();
  }
  auto st = db.transaction([&](Connection& c) { return storeCheckValue(c, cipher, now); });
  if (!st) return st.error();
  return true;
}

Result<RekeyCounts> rekey(Database& db, const ApiKeyRepository& keys,
                          const ConfigRepository& config, const AlertRepository& alerts,
                          const KeyCipher& to, TimePoint now) {
  RekeyCounts counts;
  auto st = db.transaction([&](Connection& c) -> Status {
    auto k = keys.reencryptIn(c, to);
    if (!k) return k.error();
    auto v = config.resealIn(c, to);
    if (!v) return v.error();
    auto a = alerts.resealIn(c, to);
    if (!a) return a.error();
    counts = RekeyCounts{.keys = *k, .config_values = *v, .alert_webhooks = *a};
    return storeCheckValue(c, to, now);
  });
  if (!st) return st.error();
  return counts;
}

}  // namespace poise::storage
