// Dialect: every SQL difference between SQLite, PostgreSQL and MySQL/MariaDB lives here, so
// repositories write one portable statement ("?" placeholders, double-quoted identifiers) and a
// dialect implementation adapts it. Pure functions over constant data; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace poise::storage {

enum class Dialect { Sqlite, Postgres, Mysql };

// "sqlite", "postgresql", "mysql": the scheme names used in DATABASE_URL and in log lines.
std::string_view dialectName(Dialect d);

// Rewrites "?" placeholders into the dialect's style: unchanged for SQLite and MySQL, "$1, $2, …"
// for PostgreSQL. Question marks inside '…' literals, "…" identifiers and -- comments are kept.
std::string rewritePlaceholders(Dialect d, std::string_view sql);

// Statement that opens a write transaction and takes the write lock at once, so a busy database
// waits in the busy handler instead of failing later at the first write.
std::string_view beginWriteTransactionSql(Dialect d);

// Expression evaluating to the current UTC time in the storage format of timestamps
// (ISO-8601 text with milliseconds on SQLite). Repositories normally bind Clock time instead.
std::string_view nowExpression(Dialect d);

// Column definition of an auto-increment 64-bit primary key named by the caller.
std::string_view autoIncrementPrimaryKey(Dialect d);

// Suffix appended to an INSERT so that the new id can be read back ("" where the driver reports
// it, " RETURNING id" on PostgreSQL).
std::string_view insertReturningIdSuffix(Dialect d);

// Statements run on every new connection before use (PRAGMAs on SQLite; session settings such
// as UTC time zone and ANSI_QUOTES on MySQL, so double-quoted identifiers like "key" work).
std::span<const std::string_view> connectionSetupSql(Dialect d);

// Case-insensitive LIKE operator, written between a column and its pattern: "LIKE" on SQLite
// (ASCII case only), "ILIKE" on PostgreSQL, "COLLATE utf8mb4_unicode_ci LIKE" on MySQL (whose
// tables use the exact utf8mb4_bin collation; this one also ignores accents). Patterns built with
// escapeLikePattern() must be followed by kLikeEscapeClause.
std::string_view caseInsensitiveLike(Dialect d);
inline constexpr std::string_view kLikeEscapeClause = " ESCAPE '!'";
// Escapes %, _ and the escape character itself so `text` matches literally inside a pattern.
std::string escapeLikePattern(std::string_view text);

// INSERT … that updates `update_columns` from the new row when `conflict_columns` already exist.
// Column names are passed as written in SQL (quote reserved words: "\"key\"").
std::string upsertSql(Dialect d, std::string_view table, std::span<const std::string_view> columns,
                      std::span<const std::string_view> conflict_columns,
                      std::span<const std::string_view> update_columns);

// INSERT … that silently skips rows whose `conflict_columns` already exist.
std::string insertIfAbsentSql(Dialect d, std::string_view table,
                              std::span<const std::string_view> columns,
                              std::span<const std::string_view> conflict_columns);

// Statement that refreshes the planner statistics of one table (after a large import).
std::string analyzeTableSql(Dialect d, std::string_view table);

// "?, ?, ?" with `count` placeholders: the body of an IN (…) list.
std::string placeholderList(std::size_t count);

// "(?, ?), (?, ?)": `rows` groups of `columns` placeholders, the VALUES list of a multi-row insert.
std::string placeholderRows(std::size_t rows, std::size_t columns);

}  // namespace poise::storage
