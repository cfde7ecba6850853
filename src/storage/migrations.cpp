#include "storage/migrations.h"

#include <string>

namespace poise::storage {
namespace {

constexpr std::string_view kCreateLedger =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, "
    "applied_at VARCHAR(32) NOT NULL)";

}  // namespace

Status migrate(Database& db, const Clock& clock) {
  auto applied = applyMigrations(db, embeddedMigrations(db.dialect()), clock);
  if (!applied) return applied.error();
  return {};
}

Result<std::vector<int>> appliedMigrationVersions(Database& db) {
  if (auto created = db.execute(kCreateLedger); !created) return created.error();
  auto rows = db.query("SELECT version FROM schema_migrations ORDER BY version");
  if (!rows) return rows.error();
  std::vector<int> versions;
  versions.reserve(rows->size());
  for (const Row& r : *rows) versions.push_back(static_cast<int>(r.int64(0)));
  return versions;
}

Result<std::vector<int>> applyMigrations(Database& db, std::span<const Migration> migrations,
                                         const Clock& clock) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version <= 0 ||
        (i > 0 && migrations[i].version <= migrations[i - 1].version)) {
      return makeError(ErrorCode::DbError,
                       "migrations must have strictly increasing positive versions");
    }
  }
  auto done = appliedMigrationVersions(db);
  if (!done) return done.error();
  if (!done->empty() && (migrations.empty() || done->back() > migrations.back().version)) {
    return makeError(ErrorCode::SchemaTooNew,
                     "the database schema is at version " + std::to_string(done->back()) +
                         ", newer than this binary knows; upgrade the binary");
  }
  std::vector<int> applied;
  for (const Migration& m : migrations) {
    bool ran = false;
    Status st = db.transaction([&](Connection& c) -> Status {
      // Checked again under the write lock: another process may have applied it meanwhile.
      auto seen =
          c.query("SELECT 1 FROM schema_migrations WHERE version = ?", {std::int64_t{m.version}});
      if (!seen) return seen.error();
      if (!seen->empty()) return {};
      if (auto run = c.executeScript(m.sql); !run) {
        return makeError(run.error().code, "migration " + std::to_string(m.version) + "_" +
                                               std::string(m.name) + ": " + run.error().message);
      }
      auto recorded =
          c.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    {std::int64_t{m.version}, std::string(m.name), timestampValue(clock.now())});
      if (!recorded) return recorded.error();
      ran = true;
      return {};
    });
    if (!st) return st.error();
    if (ran) applied.push_back(m.version);
  }
  return applied;
}

}  // namespace poise::storage
