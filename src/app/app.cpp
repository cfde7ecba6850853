#include "app/app.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/bootstrap.h"
#include "app/data_dir_lock.h"
#include "app/server_app.h"
#include "auth/password_hasher.h"
#include "core/encoding.h"
#include "core/log.h"
#include "storage/api_key_repository.h"
#include "storage/master_key.h"
#include "storage/migrations.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"

namespace poise::app {

int serve(const config::Settings& s) {
  if (!auth::initCrypto())
    return fail(makeError(ErrorCode::CryptoError, "libsodium failed to initialise"));
  auto app = ServerApp::create(s);
  if (!app) return fail(app.error());
  return (*app)->run();
}

int migrate(const config::Settings& s) {
  const SystemClock clock;
  auto store = openStore(s, false, clock);
  if (!store) return fail(store.error());
  auto versions = storage::appliedMigrationVersions(*store->db);
  spdlog::info("msg=\"migrations applied\" database={} versions={}",
               logValue(describeDatabase(s.database_url)), versions ? versions->size() : 0);
  return 0;
}

int importKeys(const config::Settings& s, const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "cannot read " << file << "\n";
      return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  std::vector<std::string> values;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto end = text.find_first_of(",\n\r", i);
    std::string part = text.substr(i, end == std::string::npos ? std::string::npos : end - i);
    const auto b = part.find_first_not_of(" \t");
    const auto e = part.find_last_not_of(" \t");
    if (b != std::string::npos) values.push_back(part.substr(b, e - b + 1));
    if (end == std::string::npos) break;
    i = end + 1;
  }
  const SystemClock clock;
  auto store = openStore(s, true, clock);
  if (!store) return fail(store.error());
  storage::ApiKeyRepository repo(*store->db, *store->cipher, clock);
  // Keys added under another master key than the stored ones would never decrypt for the gateway.
  auto first = store->db->query("SELECT MIN(id) FROM api_keys");
  if (!first) return fail(first.error());
  if (auto id = first->empty() ? std::nullopt : first->front().optionalInt64(0)) {
    if (auto k = repo.get(*id); !k && k.error().code == ErrorCode::DecryptFailed) {
      return fail(makeError(ErrorCode::SecretKeyMismatch,
                            "the master key (secret.key in " + absoluteDir(s.data_dir) +
                                " or POISE_SECRET_KEY) does not decrypt the API keys already "
                                "stored; nothing imported"));
    }
  }
  auto r = repo.addMany(std::move(values), clock.now());
  if (!r) return fail(r.error());
  std::cout << "added " << r->total_added << ", skipped " << (r->total_processed - r->total_added)
            << " (of " << r->total_processed << ")\n";
  return 0;
}

namespace {

// The new master key of a re-key and where it came from: --new-key-file, POISE_NEW_SECRET_KEY,
// or (neither given) 32 fresh random bytes.
struct NewMasterKey {
  storage::MasterKey key{};
  std::string origin;  // for messages; never the key
  bool generated = false;
};

Result<NewMasterKey> newMasterKey(const std::string& file) {
  NewMasterKey out;
  if (!file.empty()) {
    auto key = storage::readMasterKeyFile(file);
    if (!key) return key.error();
    out.key = *key;
    out.origin = file;
  } else if (const char* env = std::getenv("POISE_NEW_SECRET_KEY"); env && *env) {
    auto key = storage::parseMasterKey(env);
    if (!key)
      return makeError(ErrorCode::InvalidMasterKey, "POISE_NEW_SECRET_KEY: " + key.error().message);
    out.key = *key;
    out.origin = "POISE_NEW_SECRET_KEY";
  } else {
    auto key = storage::randomMasterKey();
    if (!key) return key.error();
    out.key = *key;
    out.generated = true;
  }
  return out;
}

// "20261202T153000Z": a file-name suffix for the previous key.
std::string fileStamp(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// After the database committed: the previous secret.key kept as secret.key.old-<time>, the new
// one (written beforehand as secret.key.new) moved into place with one rename.
Status installKeyFile(const std::filesystem::path& dir, TimePoint now,
                      std::filesystem::path& old_path) {
  const auto current = dir / "secret.key";
  const auto next = dir / "secret.key.new";
  old_path = dir / ("secret.key.old-" + fileStamp(now));
  if (::link(current.c_str(), old_path.c_str()) != 0) {
    return makeError(ErrorCode::SecretKeyFile, "cannot keep " + current.string() + " as " +
                                                   old_path.string() + ": " + std::strerror(errno));
  }
  if (::rename(next.c_str(), current.c_str()) != 0) {
    return makeError(ErrorCode::SecretKeyFile, "cannot move " + next.string() + " to " +
                                                   current.string() + ": " + std::strerror(errno));
  }
  if (const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    (void)::fsync(fd);  // best effort: the rename is durable once the directory is synced
    ::close(fd);
  }
  return {};
}

}  // namespace

int rekeyMasterKey(const config::Settings& s, const std::string& new_key_file) {
  // A running gateway holds the data directory and its key in memory: it must be stopped.
  auto lock = DataDirLock::acquire(s.data_dir);
  if (!lock) return fail(lock.error());
  const SystemClock clock;
  auto store = openStore(s, true, clock);  // verifies the current key
  if (!store) return fail(store.error());
  auto next = newMasterKey(new_key_file);
  if (!next) return fail(next.error());
  const storage::KeyCipher to(next->key);
  if (to.checkValue() == store->cipher->checkValue()) {
    return fail(makeError(ErrorCode::InvalidMasterKey, "the new master key is the current one"));
  }
  const bool in_file = !s.secret_key;
  const std::filesystem::path dir(absoluteDir(s.data_dir));
  if (in_file) {
    // Written before the database changes, so the new key exists somewhere once they commit.
    if (auto st = storage::writeMasterKeyFile(dir / "secret.key.new", next->key); !st) {
      return fail(makeError(st.error().code,
                            st.error().message +
                                " (a leftover secret.key.new from an interrupted re-key: if the "
                                "gateway starts with secret.key, delete it and run again)"));
    }
  }
  storage::ApiKeyRepository keys(*store->db, *store->cipher, clock);
  storage::ConfigRepository config(*store->db, clock, configSecrets(*store->cipher));
  storage::AlertRepository alerts(*store->db, *store->cipher);
  auto counts = storage::rekey(*store->db, keys, config, alerts, to, clock.now());
  if (!counts) {
    if (in_file) ::unlink((dir / "secret.key.new").c_str());
    return fail(counts.error());
  }
  std::cerr << "re-encrypted " << counts->keys << " API key(s), " << counts->config_values
            << " config secret(s) and the headers of " << counts->alert_webhooks
            << " alert webhook(s) under the new master key\n";
  if (in_file) {
    std::filesystem::path old_path;
    if (auto st = installKeyFile(dir, clock.now(), old_path); !st) {
      spdlog::critical(
          "msg=\"the database now uses the new key, in {}; move it to secret.key "
          "before starting\" error={}",
          (dir / "secret.key.new").string(), logValue(st.error().message));
      return 1;
    }
    std::cerr << "the new master key is in " << (dir / "secret.key").string()
              << "\nthe previous one is kept in " << old_path.string()
              << ": start the gateway, check that keys work, then delete it (and any backup of "
                 "it: old backups of the database still open with it)\n";
    return 0;
  }
  if (next->generated) {
    std::cout << toHex(next->key) << "\n";
    std::cerr << "the new master key is printed above (shown once): set POISE_SECRET_KEY to it "
                 "before starting the gateway; the previous value no longer opens this database\n";
  } else {
    std::cerr << "set POISE_SECRET_KEY to the new master key (from " << next->origin
              << ") before starting the gateway; the previous value no longer opens this "
                 "database\n";
  }
  return 0;
}

int resetPassword(const config::Settings& s, const std::string& username) {
  if (!auth::initCrypto())
    return fail(makeError(ErrorCode::CryptoError, "libsodium failed to initialise"));
  const SystemClock clock;
  auto store = openStore(s, false, clock);
  if (!store) return fail(store.error());
  storage::UserRepository users(*store->db, clock);
  storage::SessionRepository sessions(*store->db);
  auto user = users.findByUsername(username);
  if (!user) return fail(user.error());
  if (!*user) {
    std::cerr << "no user named '" << username << "'\n";
    return 1;
  }
  const std::string password = auth::generatePassword();
  auto hash = auth::hashPassword(password);
  if (!hash) return fail(hash.error());
  if (auto st = users.updatePassword((*user)->id, *hash, true); !st) return fail(st.error());
  auto revoked = sessions.revokeAllForUser((*user)->id);
  if (!revoked) return fail(revoked.error());
  std::cout << password << "\n";
  std::cerr << "new password for '" << username << "' printed above (shown once); " << *revoked
            << " session(s) revoked\n";
  return 0;
}

}  // namespace poise::app
