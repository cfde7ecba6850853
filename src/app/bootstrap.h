// What every subcommand does before it works: open the database (migrated) and the key cipher
// from POISE_DATA_DIR alone, create the first admin, seed the config, and turn stored rows into
// the key pool's input. Blocking; used at start-up only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/runtime_config.h"
#include "config/settings.h"
#include "core/clock.h"
#include "core/result.h"
#include "keys/key_pool.h"
#include "storage/api_key_repository.h"
#include "storage/bucket_override_repository.h"
#include "storage/config_repository.h"
#include "storage/database.h"
#include "storage/key_cipher.h"
#include "storage/user_repository.h"

namespace poise::app {

inline constexpr std::string_view kVersion = "0.1.0";

// Storage and crypto shared by every subcommand.
struct Store {
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<storage::KeyCipher> cipher;  // null when not asked for
};

// The data directory as an absolute path, for messages: a relative one depends on the cwd.
std::string absoluteDir(const std::string& dir);

// Opens and migrates the database (stamping migrations with `clock`); with `need_cipher`, loads
// (or, for a database without encrypted keys, creates) the master key and verifies it against
// the database: a wrong one is an error (secret_key_mismatch) naming POISE_SECRET_KEY or the
// secret.key file.
[[nodiscard]] Result<Store> openStore(const config::Settings& s, bool need_cipher,
                                      const Clock& clock);

// Creates the first admin when there is no user yet (SPEC §1.1).
[[nodiscard]] Status ensureFirstAdmin(const config::Settings& s, storage::UserRepository& users);

// Seeds the config defaults at first start and warns when POISE_API_TOKEN / POISE_UPSTREAM_URL
// differ from the stored values.
[[nodiscard]] Status seedConfig(const config::Settings& s, storage::ConfigRepository& repo,
                                const config::ListenAddress& self);

std::vector<keys::PoolKey> toPoolKeys(
    std::vector<storage::ApiKey> rows,
    const std::map<std::int64_t, storage::BucketOverride>& overrides);

std::vector<storage::UsageDelta> toUsageDeltas(const std::vector<keys::KeyDelta>& deltas);

// The database URL for logs: kind and location, never the password.
std::string describeDatabase(const std::string& url);

// Which config values are sealed under `cipher` (the gateway token).
storage::ConfigSecrets configSecrets(const storage::KeyCipher& cipher);

// Logs why the process cannot start; returns the exit code 1.
int fail(const Error& e);

}  // namespace poise::app
