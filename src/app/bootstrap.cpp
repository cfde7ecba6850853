#include "app/bootstrap.h"

#include <filesystem>
#include <iostream>

#include "app/data_dir_lock.h"
#include "auth/initial_password.h"
#include "auth/password_hasher.h"
#include "auth/password_policy.h"
#include "core/log.h"
#include "storage/database_url.h"
#include "storage/master_key.h"
#include "storage/migrations.h"

namespace poise::app {

namespace {

// Every subcommand finds its key material in POISE_DATA_DIR (or POISE_SECRET_KEY) and nowhere
// else. A master key is generated only for a database that holds no encrypted API key yet: a
// missing secret.key next to stored keys means the wrong data directory (e.g. a relative
// POISE_DATA_DIR from another working directory), and a new key would encrypt with a secret the
// gateway does not have.
Status checkMasterKeyMayBeCreated(const config::Settings& s, storage::Database& db) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(s.data_dir) / "secret.key", ec)) return {};
  auto rows = db.query("SELECT COUNT(*) FROM api_keys");
  if (!rows) return rows.error();
  const std::int64_t stored = rows->empty() ? 0 : rows->front().int64(0);
  auto check = storage::storedCheckValue(db);
  if (!check) return check.error();
  if (stored == 0 && *check) {
    return makeError(ErrorCode::SecretKeyMissing,
                     "no secret.key in " + absoluteDir(s.data_dir) +
                         " but the database was written under a master key: set POISE_DATA_DIR "
                         "(or --data-dir) to the gateway's data directory, or POISE_SECRET_KEY "
                         "to its master key");
  }
  if (stored == 0) return {};
  return makeError(ErrorCode::SecretKeyMissing,
                   "no secret.key in " + absoluteDir(s.data_dir) + " but the database holds " +
                       std::to_string(stored) +
                       " encrypted API key(s): set POISE_DATA_DIR (or --data-dir) to the "
                       "gateway's data directory, or POISE_SECRET_KEY to its master key");
}

// An initial-admin-password file that no longer opens the admin's account (the password was
// changed by a version that left the file behind) only keeps an old password on disk.
void forgetStaleInitialPassword(const config::Settings& s, storage::UserRepository& users) {
  auto password = auth::readInitialPassword(s.data_dir);
  if (!password) return;
  auto admin = users.findByUsername(s.admin_username);
  if (!admin || !*admin) return;
  if (!auth::verifyPassword((**admin).password_hash, *password) &&
      auth::forgetInitialPassword(s.data_dir, *password)) {
    spdlog::info("msg=\"stale initial admin password file removed\"");
  }
}

// POISE_API_TOKEN and POISE_UPSTREAM_URL seed the first start only; set later to other values
// than the stored ones, they are ignored, and the operator is told so (one line each; the token
// itself is never printed).
void warnSeedMismatch(const config::Settings& s, storage::ConfigRepository& repo) {
  if (s.api_token) {
    auto stored = repo.get("api_token");
    if (stored && *stored && (**stored).value != *s.api_token) {
      spdlog::warn(
          "msg=\"POISE_API_TOKEN differs from the stored config api_token, which stays in force; "
          "the variable seeds the first start only: change api_token in the console\"");
    }
  }
  if (s.upstream_url_given) {
    auto stored = repo.get("target_api_url");
    const std::string wanted = config::normalizeTargetUrl(s.upstream_url);
    if (stored && *stored && (**stored).value != wanted) {
      spdlog::warn(
          "msg=\"POISE_UPSTREAM_URL differs from the stored config target_api_url, which stays in "
          "force; the variable seeds the first start only: change target_api_url in the "
          "console\" env={} stored={}",
          logValue(wanted), logValue((**stored).value));
    }
  }
}

// The one-line reason a configured master key is refused: it names where the key came from.
Error wrongMasterKey(const config::Settings& s) {
  if (s.secret_key) {
    return makeError(ErrorCode::SecretKeyMismatch,
                     "POISE_SECRET_KEY is not the master key this database was written with (the "
                     "stored key check does not match): set it to the key the gateway used, as "
                     "given to `poise keys rekey` last, or restore the database that goes with it");
  }
  const auto dir = std::filesystem::path(absoluteDir(s.data_dir));
  std::string hint =
      ": restore the right secret.key (`poise keys rekey` keeps the previous one as "
      "secret.key.old-<time>), or set POISE_DATA_DIR to the gateway's data directory";
  std::error_code ec;
  if (std::filesystem::exists(dir / "secret.key.new", ec)) {
    hint = ": " + (dir / "secret.key.new").string() +
           " exists, so a re-key was interrupted after it committed and that file holds the "
           "master key now: move it to secret.key";
  }
  return makeError(ErrorCode::SecretKeyMismatch,
                   (dir / "secret.key").string() +
                       " is not the master key this database was written with (the stored key "
                       "check does not match)" +
                       hint);
}

}  // namespace

// The data directory as an absolute path, for messages: a relative one depends on the cwd.
std::string absoluteDir(const std::string& dir) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(dir, ec);
  return ec ? dir : abs.lexically_normal().string();
}

Result<Store> openStore(const config::Settings& s, bool need_cipher, const Clock& clock) {
  if (auto st = createPrivateDirectories(s.data_dir); !st) return st.error();
  storage::DatabaseOptions options;
  // SQLite has one writer at a time, so more than 16 connections only add file handles; a
  // server takes up to 100 from one instance.
  const bool sqlite = s.database_url.rfind("sqlite", 0) == 0;
  options.pool_size = std::clamp(s.pool_size, sqlite ? 2 : 1, sqlite ? 16 : 100);
  auto db = storage::openDatabase(s.database_url, options);
  if (!db) return db.error();
  Store store{std::move(*db), nullptr};
  if (auto st = storage::migrate(*store.db, clock); !st) return st.error();
  if (!need_cipher) return store;
  storage::MasterKey key;
  if (s.secret_key) {
    auto parsed = storage::parseMasterKey(*s.secret_key);
    if (!parsed)
      return makeError(ErrorCode::SecretKey, "POISE_SECRET_KEY: " + parsed.error().message);
    key = *parsed;
  } else {
    if (auto st = checkMasterKeyMayBeCreated(s, *store.db); !st) return st.error();
    auto loaded = storage::loadOrCreateMasterKey(s.data_dir);
    if (!loaded) return loaded.error();
    if (loaded->insecure_permissions) {
      spdlog::warn("msg=\"secret.key is readable by group or others; chmod 600 it\"");
    }
    key = loaded->key;
  }
  store.cipher = std::make_unique<storage::KeyCipher>(key);
  // A wrong key stops here, before anything is decrypted or marked.
  storage::ApiKeyRepository keys(*store.db, *store.cipher, clock);
  storage::ConfigRepository config(*store.db, clock, configSecrets(*store.cipher));
  auto right = storage::verifyMasterKey(*store.db, keys, config, *store.cipher, clock.now());
  if (!right) return right.error();
  if (!*right) return wrongMasterKey(s);
  return store;
}

// Creates the first admin when there is no user yet (SPEC §1.1). POISE_ADMIN_PASSWORD must meet
// the password policy.
Status ensureFirstAdmin(const config::Settings& s, storage::UserRepository& users) {
  auto count = users.count();
  if (!count) return count.error();
  if (*count > 0) {
    forgetStaleInitialPassword(s, users);
    return {};
  }
  const bool generated = !s.admin_password;
  if (!generated) {
    if (auto st = auth::checkNewPassword(*s.admin_password, s.admin_username); !st) {
      return makeError(ErrorCode::InvalidSetting, "POISE_ADMIN_PASSWORD: " + st.error().message);
    }
  }
  const std::string password = generated ? auth::generatePassword() : *s.admin_password;
  auto hash = auth::hashPassword(password);
  if (!hash) return hash.error();
  auto created = users.create(s.admin_username, *hash, generated);
  if (!created) return created.error();
  if (generated) {
    if (auto st = auth::writeInitialPassword(s.data_dir, password); !st) return st;
    std::cerr << "\n  First admin created: username '" << s.admin_username << "', password '"
              << password << "'\n  (shown once; also written to "
              << auth::initialPasswordPath(s.data_dir).string()
              << " until you change it; you will be asked to)\n\n";
  }
  return {};
}

// Seeds the config defaults at first start. POISE_API_TOKEN must pass the api_token rules when it
// is seeded; a stored token from before those rules keeps working, with a warning.
Status seedConfig(const config::Settings& s, storage::ConfigRepository& repo,
                  const config::ListenAddress& self) {
  auto defaults = config::defaultConfigValues();
  defaults["target_api_url"] = config::normalizeTargetUrl(s.upstream_url);
  if (auto st = config::validateConfigValue("target_api_url", defaults["target_api_url"], self);
      !st) {
    return makeError(ErrorCode::InvalidSetting, "POISE_UPSTREAM_URL: " + st.error().message);
  }
  // A token an older version stored in clear is sealed before anything else reads it.
  auto sealed = repo.sealClearSecrets();
  if (!sealed) return sealed.error();
  if (*sealed > 0) spdlog::info("msg=\"config secrets encrypted at rest\" count={}", *sealed);
  auto stored = repo.get("api_token");
  if (!stored) return stored.error();
  if (*stored) {
    if (!config::validateConfigValue("api_token", (**stored).value)) {
      spdlog::warn(
          "msg=\"config api_token is shorter than 16 characters or malformed; set a new one in "
          "the console\"");
    }
  } else if (s.api_token) {
    if (auto st = config::validateConfigValue("api_token", *s.api_token); !st) {
      return makeError(ErrorCode::InvalidSetting, "POISE_API_TOKEN: " + st.error().message);
    }
    defaults["api_token"] = *s.api_token;
  }
  auto r = repo.insertIfAbsent(defaults);
  if (!r) return r.error();
  warnSeedMismatch(s, repo);
  return {};
}

std::vector<keys::PoolKey> toPoolKeys(
    std::vector<storage::ApiKey> rows,
    const std::map<std::int64_t, storage::BucketOverride>& overrides) {
  std::vector<keys::PoolKey> out;
  out.reserve(rows.size());
  for (auto& k : rows) {
    keys::PoolKey p;
    p.id = k.id;
    p.value = std::move(k.value);
    p.status = keys::parseKeyStatus(k.status).value_or(keys::KeyStatus::Error);
    p.failed_count = k.failed_count;
    p.priority = keys::parseKeyPriority(k.priority).value_or(keys::KeyPriority::Normal);
    p.last_used_at = k.last_used_at;
    p.usage_count = k.usage_count;
    if (auto it = overrides.find(k.id); it != overrides.end()) {
      p.bucket_override = keys::BucketLimits{it->second.capacity, it->second.refill_rate};
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<storage::UsageDelta> toUsageDeltas(const std::vector<keys::KeyDelta>& deltas) {
  std::vector<storage::UsageDelta> out;
  out.reserve(deltas.size());
  for (const auto& d : deltas) {
    storage::UsageDelta u;
    u.id = d.id;
    u.usage_increment = d.usage_increment;
    u.failed_count = d.failed_count;
    if (d.new_status) u.status = std::string(keys::toString(*d.new_status));
    u.last_used_at = d.last_used_at;
    u.status_reason = d.reason;
    out.push_back(std::move(u));
  }
  return out;
}

// The database URL for logs: kind and location, never the password.
std::string describeDatabase(const std::string& url) {
  auto parsed = storage::parseDatabaseUrl(url);
  return parsed ? parsed->redacted() : std::string("(invalid DATABASE_URL)");
}

storage::ConfigSecrets configSecrets(const storage::KeyCipher& cipher) {
  return storage::ConfigSecrets{.cipher = &cipher, .keys = config::secretConfigKeys()};
}

int fail(const Error& e) {
  spdlog::critical("msg=\"cannot start\" code={} error={}", toString(e.code), logValue(e.message));
  return 1;
}

}  // namespace poise::app
