// The master key's life after its creation: checking at start-up that the configured key is the
// one the database was written with (a check value in table master_key_check, derived from the
// key by KeyCipher::checkValue), and re-keying: every upstream key, sealed config value and the
// check value moved to a new master key in one transaction. Blocking; start-up and the
// `poise keys rekey` subcommand only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "storage/alert_repository.h"
#include "storage/api_key_repository.h"
#include "storage/config_repository.h"
#include "storage/database.h"
#include "storage/key_cipher.h"

namespace poise::storage {

// The stored check value; nullopt when none is stored yet.
Result<std::optional<std::string>> storedCheckValue(Database& db);
// Stores `cipher`'s check value, replacing any, inside the caller's transaction.
Status storeCheckValue(Connection& c, const KeyCipher& cipher, TimePoint now);

// Whether `keys`' and `config`'s cipher holds the master key the database was written with.
// With a stored check value, that value decides. Without one (a database from before the check
// existed, or a fresh one), the stored keys and sealed config values decide: the key is right
// when one of the first stored keys decrypts and every sealed config value opens, or when there
// is nothing encrypted yet; a right key's check value is then stored. False: the wrong key.
Result<bool> verifyMasterKey(Database& db, ApiKeyRepository& keys, ConfigRepository& config,
                             const KeyCipher& cipher, TimePoint now);

struct RekeyCounts {
  std::int64_t keys = 0;            // upstream keys re-encrypted
  std::int64_t config_values = 0;   // sealed config values (the gateway token) re-sealed
  std::int64_t alert_webhooks = 0;  // alert webhooks whose headers were re-sealed
};

// Moves everything sealed under the repositories' cipher (upstream keys, sealed config values,
// alert webhook headers) to `to`, and stores `to`'s check value, in one transaction: on any
// failure (a value that does not decrypt, a database error) nothing changes. Error
// "decrypt_failed" names what does not decrypt.
Result<RekeyCounts> rekey(Database& db, const ApiKeyRepository& keys,
                          const ConfigRepository& config, const AlertRepository& alerts,
                          const KeyCipher& to, TimePoint now);

}  // namespace poise::storage
