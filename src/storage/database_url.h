// DatabaseUrl: DATABASE_URL in SQLAlchemy's form, parsed into its parts, plus openDatabase()
// which turns it into a Database. redacted() is the only form that may be logged: it never
// contains the password. Value type; parsing is pure and thread-safe; opening blocks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct DatabaseUrl {
  Dialect dialect = Dialect::Sqlite;
  std::string driver;  // "+driver" part ("psycopg2", "pymysql", …), informational only
  // SQLite: a filesystem path (relative to the working directory unless absolute) or ":memory:".
  std::string path;
  // PostgreSQL and MySQL; user, password and database are percent-decoded.
  std::string host;
  std::uint16_t port = 0;  // 0 = the driver's default
  std::string user;
  std::string password;
  std::string database;
  std::map<std::string, std::string> params;  // query string, percent-decoded

  bool isMemory() const { return dialect == Dialect::Sqlite && path == ":memory:"; }
  // The URL with the password (and any password-like query parameter) replaced by "***".
  std::string redacted() const;
};

// Accepts sqlite:///rel.db, sqlite:////abs/path.db, sqlite://, sqlite:///:memory:,
// postgresql[+driver]://user:pass@host:port/db?…, postgres://…, mysql[+driver]://…, mariadb://….
// Errors have code "invalid_database_url"; their messages never echo the URL.
Result<DatabaseUrl> parseDatabaseUrl(std::string_view url);

// Opens the database the URL names (SQLite, PostgreSQL or MySQL/MariaDB). Does not apply
// migrations (see migrations.h).
// Blocks.
Result<std::unique_ptr<Database>> openDatabase(const DatabaseUrl& url,
                                               const DatabaseOptions& options = {});
Result<std::unique_ptr<Database>> openDatabase(std::string_view url,
                                               const DatabaseOptions& options = {});

}  // namespace poise::storage
