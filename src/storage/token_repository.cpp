#include "storage/token_repository.h"

#include "storage/dialect.h"
#include "storage/limits.h"
#include "storage/line_list.h"

namespace poise::storage {
namespace {

constexpr std::string_view kColumns =
    "t.id, t.name, t.note, t.owner_user_id, u.username, t.token_hash, t.prefix, t.is_enabled, "
    "t.expires_at, t.allowed_models, t.allowed_protocols, t.allowed_cidrs, t.rpm_limit, "
    "t.daily_request_quota, t.daily_token_quota, t.created_at, t.updated_at, t.last_used_at, "
    "t.request_count, t.error_count, t.prompt_tokens, t.completion_tokens";
constexpr std::string_view kFrom =
    " FROM client_tokens t LEFT JOIN users u ON u.id = t.owner_user_id";

StoredToken toToken(const Row& r) {
  return StoredToken{.id = r.int64(0),
                     .name = r.text(1),
                     .note = r.text(2),
                     .owner_user_id = r.optionalInt64(3),
                     .owner_username = r.optionalText(4).value_or(""),
                     .token_hash = r.text(5),
                     .prefix = r.text(6),
                     .enabled = r.int64(7) != 0,
                     .expires_at = r.optionalTime(8),
                     .allowed_models = splitLines(r.text(9)),
                     .allowed_protocols = splitLines(r.text(10)),
                     .allowed_cidrs = splitLines(r.text(11)),
                     .rpm_limit = r.optionalInt64(12),
                     .daily_request_quota = r.optionalInt64(13),
                     .daily_token_quota = r.optionalInt64(14),
                     .created_at = r.time(15),
                     .updated_at = r.time(16),
                     .last_used_at = r.optionalTime(17),
                     .request_count = r.int64(18),
                     .error_count = r.int64(19),
                     .prompt_tokens = r.int64(20),
                     .completion_tokens = r.int64(21)};
}

Status checkLengths(const StoredToken& t) {
  if (t.name.empty()) return makeError(ErrorCode::InvalidArgument, "name must not be empty");
  if (t.name.size() > kMaxTokenNameBytes) {
    return makeError(ErrorCode::InvalidArgument,
                     "name is longer than " + std::to_string(kMaxTokenNameBytes) + " bytes");
  }
  if (t.note.size() > kMaxTokenNoteBytes) {
    return makeError(ErrorCode::InvalidArgument,
                     "note is longer than " + std::to_string(kMaxTokenNoteBytes) + " bytes");
  }
  for (const auto* list : {&t.allowed_models, &t.allowed_protocols, &t.allowed_cidrs}) {
    if (joinLines(*list).size() > kMaxTokenListBytes) {
      return makeError(ErrorCode::InvalidArgument,
                       "a list is longer than " + std::to_string(kMaxTokenListBytes) + " bytes");
    }
  }
  return {};
}

Value optionalInt(const std::optional<std::int64_t>& v) {
  return nullableValue(v);
}

}  // namespace

std::string utcDayString(TimePoint t) {
  // formatIso8601 begins with the calendar date: "2026-12-02T…".
  return formatIso8601(t).substr(0, 10);
}

Result<StoredToken> TokenRepository::create(StoredToken t) {
  if (auto st = checkLengths(t); !st) return st.error();
  auto id = db_.insert(
      "INSERT INTO client_tokens (name, note, owner_user_id, token_hash, prefix, is_enabled, "
      "expires_at, allowed_models, allowed_protocols, allowed_cidrs, rpm_limit, "
      "daily_request_quota, daily_token_quota, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {t.name, t.note, optionalInt(t.owner_user_id), t.token_hash, t.prefix,
       std::int64_t{t.enabled ? 1 : 0}, nullableValue(t.expires_at), joinLines(t.allowed_models),
       joinLines(t.allowed_protocols), joinLines(t.allowed_cidrs), optionalInt(t.rpm_limit),
       optionalInt(t.daily_request_quota), optionalInt(t.daily_token_quota),
       timestampValue(t.created_at), timestampValue(t.updated_at)});
  if (!id) {
    if (id.error().code == ErrorCode::Conflict) {
      return makeError(ErrorCode::Conflict, "a token with this value already exists");
    }
    return id.error();
  }
  auto stored = get(*id);
  if (!stored) return stored.error();
  if (!*stored) return makeError(ErrorCode::NotFound, "token not found");
  return std::move(**stored);
}

Result<std::optional<StoredToken>> TokenRepository::get(std::int64_t id) {
  auto rows =
      db_.query("SELECT " + std::string(kColumns) + std::string(kFrom) + " WHERE t.id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<StoredToken>{};
  return std::optional<StoredToken>{toToken(rows->front())};
}

Result<Page<StoredToken>> TokenRepository::list(const TokenListQuery& q) {
  if (auto st = checkPage(q.page, q.page_size); !st) return st.error();
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  if (q.enabled) {
    where.append(" AND t.is_enabled = ?");
    params.emplace_back(std::int64_t{*q.enabled ? 1 : 0});
  }
  if (q.search && !q.search->empty()) {
    const std::string like(caseInsensitiveLike(db_.dialect()));
    const std::string clause = " " + like + " ?" + std::string(kLikeEscapeClause);
    where.append(" AND (t.name" + clause + " OR t.note" + clause + ")");
    const std::string pattern = "%" + escapeLikePattern(*q.search) + "%";
    params.emplace_back(pattern);
    params.emplace_back(pattern);
  }
  auto total = db_.query("SELECT COUNT(*) FROM client_tokens t" + where, params);
  if (!total) return total.error();
  Page<StoredToken> page;
  page.total = total->front().int64(0);
  params.emplace_back(std::int64_t{q.page_size});
  params.emplace_back(static_cast<std::int64_t>(q.page - 1) * q.page_size);
  auto rows = db_.query("SELECT " + std::string(kColumns) + std::string(kFrom) + where +
                            " ORDER BY t.id LIMIT ? OFFSET ?",
                        params);
  if (!rows) return rows.error();
  page.items.reserve(rows->size());
  for (const Row& r : *rows) page.items.push_back(toToken(r));
  return page;
}

Result<std::vector<StoredToken>> TokenRepository::loadAll() {
  auto rows = db_.query("SELECT " + std::string(kColumns) + std::string(kFrom) + " ORDER BY t.id");
  if (!rows) return rows.error();
  std::vector<StoredToken> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(toToken(r));
  return out;
}

Status TokenRepository::update(const StoredToken& t) {
  if (auto st = checkLengths(t); !st) return st;
  auto changed = db_.execute(
      "UPDATE client_tokens SET name = ?, note = ?, owner_user_id = ?, is_enabled = ?, "
      "expires_at = ?, allowed_models = ?, allowed_protocols = ?, allowed_cidrs = ?, "
      "rpm_limit = ?, daily_request_quota = ?, daily_token_quota = ?, updated_at = ? "
      "WHERE id = ?",
      {t.name, t.note, optionalInt(t.owner_user_id), std::int64_t{t.enabled ? 1 : 0},
       nullableValue(t.expires_at), joinLines(t.allowed_models), joinLines(t.allowed_protocols),
       joinLines(t.allowed_cidrs), optionalInt(t.rpm_limit), optionalInt(t.daily_request_quota),
       optionalInt(t.daily_token_quota), timestampValue(t.updated_at), t.id});
  if (!changed) return changed.error();
  // MySQL counts changed rows, not matched ones: an update that changes nothing reports 0.
  if (*changed == 0) {
    auto still = get(t.id);
    if (!still) return still.error();
    if (!*still) return makeError(ErrorCode::NotFound, "token not found");
  }
  return {};
}

Status TokenRepository::rotate(std::int64_t id, std::string_view token_hash,
                               std::string_view prefix, TimePoint now) {
  auto changed = db_.execute(
      "UPDATE client_tokens SET token_hash = ?, prefix = ?, updated_at = ? WHERE id = ?",
      {std::string(token_hash), std::string(prefix), timestampValue(now), id});
  if (!changed) return changed.error();
  if (*changed == 0) return makeError(ErrorCode::NotFound, "token not found");
  return {};
}

Result<bool> TokenRepository::remove(std::int64_t id) {
  auto body = [&](Connection& c) -> Status {
    // Explicit, so that SQLite without foreign-key enforcement and MySQL behave alike.
    auto days = c.execute("DELETE FROM client_token_daily_usage WHERE token_id = ?", {id});
    if (!days) return days.error();
    auto n = c.execute("DELETE FROM client_tokens WHERE id = ?", {id});
    if (!n) return n.error();
    if (*n == 0) return makeError(ErrorCode::NotFound, "token not found");
    return {};
  };
  auto st = db_.transaction(body);
  if (!st) {
    if (st.error().code == ErrorCode::NotFound) return false;
    return st.error();
  }
  return true;
}

Status TokenRepository::applyUsage(std::span<const TokenUsageRow> rows) {
  if (rows.empty()) return {};
  const std::string day_sql =
      db_.dialect() == Dialect::Mysql
          ? "INSERT INTO client_token_daily_usage (token_id, day, requests, tokens, errors) "
            "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE requests = requests + "
            "VALUES(requests), tokens = tokens + VALUES(tokens), errors = errors + VALUES(errors)"
          : "INSERT INTO client_token_daily_usage (token_id, day, requests, tokens, errors) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_id, day) DO UPDATE SET requests = "
            "client_token_daily_usage.requests + excluded.requests, tokens = "
            "client_token_daily_usage.tokens + excluded.tokens, errors = "
            "client_token_daily_usage.errors + excluded.errors";
  auto body = [&](Connection& c) -> Status {
    for (const TokenUsageRow& r : rows) {
      auto n = c.execute(
          "UPDATE client_tokens SET request_count = request_count + ?, error_count = "
          "error_count + ?, prompt_tokens = prompt_tokens + ?, completion_tokens = "
          "completion_tokens + ?, last_used_at = CASE WHEN last_used_at IS NULL OR "
          "last_used_at < ? THEN ? ELSE last_used_at END WHERE id = ?",
          {r.requests, r.errors, r.prompt_tokens, r.completion_tokens, timestampValue(r.last_used),
           timestampValue(r.last_used), r.token_id});
      if (!n) return n.error();
      if (*n == 0) continue;  // deleted meanwhile: its day row would have no parent
      auto d = c.execute(day_sql, {r.token_id, r.day, r.charged_requests,
                                   r.prompt_tokens + r.completion_tokens, r.errors});
      if (!d) return d.error();
    }
    return {};
  };
  return db_.transaction(body);
}

Result<std::vector<TokenDayRow>> TokenRepository::loadDay(std::string_view day) {
  auto rows = db_.query(
      "SELECT token_id, requests, tokens, errors FROM client_token_daily_usage WHERE day = ?",
      {std::string(day)});
  if (!rows) return rows.error();
  std::vector<TokenDayRow> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    out.push_back(TokenDayRow{.token_id = r.int64(0),
                              .requests = r.int64(1),
                              .tokens = r.int64(2),
                              .errors = r.int64(3)});
  }
  return out;
}

}  // namespace poise::storage
