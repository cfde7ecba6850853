// ConfigRepository: the runtime settings table (config), string keys to string values. Value
// validation belongs to the config layer; this class stores, and keeps the values of secret keys
// (the gateway token) encrypted at rest. Methods block (run on the BlockingPool); each write is
// one short transaction. Thread-safe as far as the Database is.
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
#include "storage/key_cipher.h"

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

// Which values are sealed: AES-256-GCM under the master key, bound to their key name, stored as
// "sealed:v1:<nonce hex>:<ciphertext hex>". Reads return the plaintext. No cipher: none sealed.
struct ConfigSecrets {
  const KeyCipher* cipher = nullptr;
  std::vector<std::string> keys;
};

class ConfigRepository {
 public:
  ConfigRepository(Database& db, const Clock& clock, ConfigSecrets secrets = {})
      : db_(db), clock_(clock), secrets_(std::move(secrets)) {}

  // Every item, ordered by key. Error "decrypt_failed" when a sealed value does not open (a
  // different master key).
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
  // Inside the caller's transaction `c`: opens every sealed value with this repository's cipher
  // and seals it again under `to`. Returns how many; fails (code "decrypt_failed") on a value
  // that does not open.
  Result<std::int64_t> resealIn(Connection& c, const KeyCipher& to) const;
  // Seals the secret keys' values still stored in clear (written before they were sealed, or by
  // hand). Idempotent: run at every start. Returns how many values it sealed.
  Result<std::int64_t> sealClearSecrets();

 private:
  bool sealed(std::string_view key) const;
  Result<std::string> seal(std::string_view key, std::string_view value) const;
  Status open(ConfigItem& item) const;

  Database& db_;
  const Clock& clock_;
  ConfigSecrets secrets_;
};

}  // namespace poise::storage
