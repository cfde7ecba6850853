// Schema migrations: numbered SQL files under storage/migrations/<dialect>/NNNN_name.sql,
// embedded into the binary at build time. migrate() applies the pending ones in order, each in
// its own write transaction together with its schema_migrations row, so running it twice (or
// from two processes) applies each file once. Blocking: run on the BlockingPool or at start-up.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct Migration {
  int version;            // NNNN from the file name; strictly increasing
  std::string_view name;  // the rest of the file name, without ".sql"
  std::string_view sql;   // statements without BEGIN/COMMIT (the runner owns the transaction)
};

// The files compiled in for a dialect, ordered by version (empty for dialects without any).
std::span<const Migration> embeddedMigrations(Dialect d);

// Applies the embedded migrations for db.dialect(), stamping applied_at with clock.now().
Status migrate(Database& db, const Clock& clock);

// Applies `migrations` (ordered, versions > 0) and returns the versions this call applied.
// Fails with code "schema_too_new" when the database records a version this binary lacks.
Result<std::vector<int>> applyMigrations(Database& db, std::span<const Migration> migrations,
                                         const Clock& clock);

// Versions recorded in schema_migrations, ascending (empty before the first migration).
Result<std::vector<int>> appliedMigrationVersions(Database& db);

}  // namespace poise::storage
