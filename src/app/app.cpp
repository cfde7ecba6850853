#include "app/app.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/bootstrap.h"
#include "app/server_app.h"
#include "auth/password_hasher.h"
#include "core/log.h"
#include "storage/api_key_repository.h"
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
