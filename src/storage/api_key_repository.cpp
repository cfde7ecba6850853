#include "storage/api_key_repository.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "storage/limits.h"

namespace poise::storage {
namespace {

constexpr std::string_view kColumns =
    "id, key_ciphertext, key_nonce, fingerprint, masked, status, description, priority, "
    "created_at, updated_at, last_used_at, usage_count, failed_count";

// Listing order: the rank of kKeyStatuses, then id.
// An import at least this large refreshes the table's planner statistics.
constexpr std::size_t kAnalyzeAfterRows = 1000;

constexpr std::string_view kOrder =
    " ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'exhausted' THEN 1 WHEN 'error' THEN 2 "
    "ELSE 3 END, id";

// Rows per multi-row statement: 2 000 × 9 columns stays below every dialect's bind limit
// (SQLite 32 766, PostgreSQL and MySQL 65 535); fewer, larger statements import faster.
constexpr std::size_t kChunk = 2000;

constexpr std::string_view kInsertColumns =
    "INSERT INTO api_keys (key_ciphertext, key_nonce, fingerprint, masked, status, description, "
    "priority, created_at, updated_at) VALUES ";
constexpr std::size_t kInsertColumnCount = 9;

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Status checkStatus(std::string_view s) {
  if (isKeyStatus(s)) return {};
  return makeError(ErrorCode::InvalidStatus,
                   "status must be one of active, exhausted, error, disabled");
}

Status checkPriority(std::string_view s) {
  if (isKeyPriority(s)) return {};
  return makeError(ErrorCode::InvalidPriority, "priority must be one of high, normal, low");
}

Status checkValue(std::string_view trimmed) {
  if (trimmed.empty())
    return makeError(ErrorCode::InvalidArgument, "the key value must not be empty");
  if (trimmed.size() > kMaxKeyValueBytes) {
    return makeError(ErrorCode::InvalidArgument, "the key value is longer than " +
                                                     std::to_string(kMaxKeyValueBytes) + " bytes");
  }
  return {};
}

Status checkDescription(std::string_view d) {
  if (d.size() <= kMaxDescriptionBytes) return {};
  return makeError(ErrorCode::InvalidArgument, "the description is longer than " +
                                                   std::to_string(kMaxDescriptionBytes) + " bytes");
}

Error duplicateKey() {
  return makeError(ErrorCode::Conflict, "this API key is already stored");
}

Error keyNotFound() {
  return makeError(ErrorCode::NotFound, "API key not found");
}

// A key ready to insert: encrypted, fingerprinted, masked.
struct SealedRow {
  std::string value;
  std::string fingerprint;
  std::string masked;
  SealedKey sealed;
};

// The fingerprint is the associated data: a ciphertext moved to another row fails to decrypt.
Result<SealedRow> seal(const KeyCipher& cipher, std::string value, std::string fingerprint) {
  SealedRow row;
  row.fingerprint = std::move(fingerprint);
  row.masked = KeyCipher::masked(value);
  auto sealed = cipher.encrypt(value, row.fingerprint);
  if (!sealed) return sealed.error();
  row.sealed = std::move(*sealed);
  row.value = std::move(value);
  return row;
}

void appendInsertParams(std::vector<Value>& params, const SealedRow& r, std::string_view status,
                        std::string_view description, std::string_view priority, const Value& now) {
  params.emplace_back(Blob{r.sealed.ciphertext});
  params.emplace_back(Blob{r.sealed.nonce});
  params.emplace_back(r.fingerprint);
  params.emplace_back(r.masked);
  params.emplace_back(std::string(status));
  params.emplace_back(std::string(description));
  params.emplace_back(std::string(priority));
  params.push_back(now);
  params.push_back(now);
}

// The body of update() inside an open transaction: the row after the change.
Result<Row> patchRow(Connection& c, std::int64_t id, const KeyPatch& patch, const SealedRow* sealed,
                     TimePoint now) {
  const std::string select = "SELECT " + std::string(kColumns) + " FROM api_keys WHERE id = ?";
  auto before = c.query(select, {id});
  if (!before) return before.error();
  if (before->empty()) return keyNotFound();
  const std::string old_status = before->front().text(5);

  std::string set = "updated_at = ?";
  std::vector<Value> params{timestampValue(now)};
  if (sealed) {
    set.append(", key_ciphertext = ?, key_nonce = ?, fingerprint = ?, masked = ?");
    params.emplace_back(Blob{sealed->sealed.ciphertext});
    params.emplace_back(Blob{sealed->sealed.nonce});
    params.emplace_back(sealed->fingerprint);
    params.emplace_back(sealed->masked);
  }
  if (patch.status) {
    set.append(", status = ?");
    params.emplace_back(*patch.status);
  }
  if (patch.description) {
    set.append(", description = ?");
    params.emplace_back(*patch.description);
  }
  if (patch.priority) {
    set.append(", priority = ?");
    params.emplace_back(*patch.priority);
  }
  params.emplace_back(id);
  auto changed = c.execute("UPDATE api_keys SET " + set + " WHERE id = ?", params);
  if (!changed)
    return changed.error().code == ErrorCode::Conflict ? duplicateKey() : changed.error();

  if (patch.status && *patch.status != old_status) {
    auto h = c.execute(
        "INSERT INTO key_status_history (api_key_id, from_status, to_status, reason, "
        "created_at) VALUES (?, ?, ?, ?, ?)",
        {id, old_status, *patch.status, truncateUtf8(patch.status_reason, kMaxReasonBytes),
         timestampValue(now)});
    if (!h) return h.error();
  }
  auto after = c.query(select, {id});
  if (!after) return after.error();
  if (after->empty()) return keyNotFound();
  return after->front();
}

}  // namespace

bool isKeyStatus(std::string_view s) {
  return std::find(kKeyStatuses.begin(), kKeyStatuses.end(), s) != kKeyStatuses.end();
}

bool isKeyPriority(std::string_view s) {
  return std::find(kKeyPriorities.begin(), kKeyPriorities.end(), s) != kKeyPriorities.end();
}

Result<ApiKey> ApiKeyRepository::toKey(const Row& r, bool decrypt) const {
  ApiKey k{.id = r.int64(0),
           .value = {},
           .masked = r.text(4),
           .fingerprint = r.text(3),
           .status = r.text(5),
           .description = r.text(6),
           .priority = r.text(7),
           .created_at = r.time(8),
           .updated_at = r.time(9),
           .last_used_at = r.optionalTime(10),
           .usage_count = r.int64(11),
           .failed_count = r.int64(12)};
  if (decrypt) {
    const std::vector<std::uint8_t> ciphertext = r.blob(1);
    const std::vector<std::uint8_t> nonce = r.blob(2);
    auto plain = cipher_.decrypt(ciphertext, nonce, k.fingerprint);
    if (!plain) {
      return makeError(plain.error().code,
                       "API key " + std::to_string(k.id) + ": " + plain.error().message);
    }
    k.value = std::move(*plain);
  }
  return k;
}

Result<AddKeysResult> ApiKeyRepository::addMany(std::vector<std::string> values, TimePoint now) {
  AddKeysResult result;
  // Trim, drop empties and repeats within the input, then encrypt, all before taking the lock.
  std::vector<SealedRow> candidates;
  candidates.reserve(values.size());
  std::unordered_set<std::string> seen;
  seen.reserve(values.size());
  for (std::string& raw : values) {
    const std::string_view v = trim(raw);
    if (v.empty()) continue;
    ++result.total_processed;
    if (v.size() > kMaxKeyValueBytes) {
      // The position, never the value: the input is a secret.
      return makeError(ErrorCode::InvalidArgument,
                       "key #" + std::to_string(result.total_processed) + " is longer than " +
                           std::to_string(kMaxKeyValueBytes) + " bytes");
    }
    std::string fingerprint = cipher_.fingerprint(v);
    if (seen.contains(fingerprint)) continue;
    seen.insert(fingerprint);
    auto row = seal(cipher_, std::string(v), std::move(fingerprint));
    if (!row) return row.error();
    candidates.push_back(std::move(*row));
  }
  if (candidates.empty()) return result;

  const Value stamp = timestampValue(now);
  std::vector<std::size_t> added_rows;  // indexes into candidates, in input order
  std::unordered_map<std::string, std::int64_t> ids;
  Status st = db_.transaction([&](Connection& c) -> Status {
    added_rows.clear();
    ids.clear();
    std::vector<Value> params;
    for (std::size_t begin = 0; begin < candidates.size(); begin += kChunk) {
      const std::size_t end = std::min(candidates.size(), begin + kChunk);
      // Skip values already stored.
      params.clear();
      for (std::size_t i = begin; i < end; ++i) params.emplace_back(candidates[i].fingerprint);
      const std::string in_list = "(" + placeholderList(end - begin) + ")";
      auto existing =
          c.query("SELECT fingerprint FROM api_keys WHERE fingerprint IN " + in_list, params);
      if (!existing) return existing.error();
      std::unordered_set<std::string> stored;
      for (const Row& r : *existing) stored.insert(r.text(0));
      std::vector<std::size_t> fresh;
      for (std::size_t i = begin; i < end; ++i) {
        if (!stored.contains(candidates[i].fingerprint)) fresh.push_back(i);
      }
      if (fresh.empty()) continue;
      // One multi-row INSERT, then read the new ids back by fingerprint (portable, unlike
      // relying on consecutive auto-increment values or RETURNING).
      std::vector<Value> insert_params;
      insert_params.reserve(fresh.size() * kInsertColumnCount);
      for (std::size_t i : fresh) {
        appendInsertParams(insert_params, candidates[i], "active", "", "normal", stamp);
      }
      auto inserted =
          c.execute(std::string(kInsertColumns) + placeholderRows(fresh.size(), kInsertColumnCount),
                    insert_params);
      if (!inserted) return inserted.error();
      params.clear();
      for (std::size_t i : fresh) params.emplace_back(candidates[i].fingerprint);
      auto new_ids = c.query("SELECT id, fingerprint FROM api_keys WHERE fingerprint IN (" +
                                 placeholderList(fresh.size()) + ")",
                             params);
      if (!new_ids) return new_ids.error();
      for (const Row& r : *new_ids) ids.emplace(r.text(1), r.int64(0));
      added_rows.insert(added_rows.end(), fresh.begin(), fresh.end());
    }
    return {};
  });
  if (!st) return st.error();
  if (added_rows.size() >= kAnalyzeAfterRows) {
    // Fresh statistics, so the planner uses the indexes for the new rows at once instead of
    // waiting for the server's own statistics run. Best effort: the rows are already committed.
    (void)db_.execute(analyzeTableSql(db_.dialect(), "api_keys"));
  }

  result.total_added = static_cast<std::int64_t>(added_rows.size());
  result.added.reserve(added_rows.size());
  for (std::size_t i : added_rows) {
    SealedRow& r = candidates[i];
    result.added.push_back(ApiKey{.id = ids[r.fingerprint],
                                  .value = std::move(r.value),
                                  .masked = std::move(r.masked),
                                  .fingerprint = r.fingerprint,
                                  .status = "active",
                                  .description = {},
                                  .priority = "normal",
                                  .created_at = now,
                                  .updated_at = now,
                                  .last_used_at = std::nullopt,
                                  .usage_count = 0,
                                  .failed_count = 0});
  }
  return result;
}

Result<ApiKey> ApiKeyRepository::create(std::string_view value, std::string_view status,
                                        std::string_view description, std::string_view priority) {
  const std::string_view v = trim(value);
  if (auto st = checkValue(v); !st) return st.error();
  if (auto st = checkDescription(description); !st) return st.error();
  if (auto s = checkStatus(status); !s) return s.error();
  if (auto p = checkPriority(priority); !p) return p.error();
  auto row = seal(cipher_, std::string(v), cipher_.fingerprint(v));
  if (!row) return row.error();
  const TimePoint now = clock_.now();
  std::vector<Value> params;
  appendInsertParams(params, *row, status, description, priority, timestampValue(now));
  auto id =
      db_.insert(std::string(kInsertColumns) + placeholderRows(1, kInsertColumnCount), params);
  if (!id) return id.error().code == ErrorCode::Conflict ? duplicateKey() : id.error();
  return ApiKey{.id = *id,
                .value = std::move(row->value),
                .masked = std::move(row->masked),
                .fingerprint = std::move(row->fingerprint),
                .status = std::string(status),
                .description = std::string(description),
                .priority = std::string(priority),
                .created_at = now,
                .updated_at = now,
                .last_used_at = std::nullopt,
                .usage_count = 0,
                .failed_count = 0};
}

Result<ApiKey> ApiKeyRepository::get(std::int64_t id) {
  auto rows = db_.query("SELECT " + std::string(kColumns) + " FROM api_keys WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return keyNotFound();
  return toKey(rows->front(), true);
}

Result<Page<ApiKey>> ApiKeyRepository::list(const KeyListQuery& q) {
  if (auto st = checkPage(q.page, q.page_size); !st) return st.error();
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  if (q.status) {
    if (auto st = checkStatus(*q.status); !st) return st.error();
    where.append(" AND status = ?");
    params.emplace_back(*q.status);
  }
  if (q.min_failed_count) {
    where.append(" AND failed_count >= ?");
    params.emplace_back(*q.min_failed_count);
  }
  if (q.search) {
    const std::string_view term = trim(*q.search);
    if (!term.empty()) {
      const std::string like(caseInsensitiveLike(db_.dialect()));
      const std::string clause = " " + like + " ?" + std::string(kLikeEscapeClause);
      where.append(" AND (masked" + clause + " OR description" + clause + " OR fingerprint = ?)");
      const std::string pattern = "%" + escapeLikePattern(term) + "%";
      params.emplace_back(pattern);
      params.emplace_back(pattern);
      params.emplace_back(cipher_.fingerprint(term));
    }
  }
  auto total = db_.query("SELECT COUNT(*) FROM api_keys" + where, params);
  if (!total) return total.error();
  Page<ApiKey> page;
  page.total = total->front().int64(0);
  params.emplace_back(std::int64_t{q.page_size});
  params.emplace_back(static_cast<std::int64_t>(q.page - 1) * q.page_size);
  // With one status the rank is constant: ordering by id alone lets the (status, id) index serve
  // the page without sorting every matching row. The page's ids are found first, from the index
  // alone, and only those 50 rows are read in full (a deep OFFSET skips index entries, not rows).
  const std::string order(q.status ? std::string_view(" ORDER BY id") : kOrder);
  auto rows =
      db_.query("SELECT " + std::string(kColumns) + " FROM api_keys JOIN (SELECT id FROM api_keys" +
                    where + order + " LIMIT ? OFFSET ?) page USING (id)" + order,
                params);
  if (!rows) return rows.error();
  page.items.reserve(rows->size());
  for (const Row& r : *rows) {
    auto k = toKey(r, false);
    if (!k) return k.error();
    page.items.push_back(std::move(*k));
  }
  return page;
}

namespace {

Status checkPatch(const KeyPatch& patch) {
  if (patch.status) {
    if (auto st = checkStatus(*patch.status); !st) return st.error();
  }
  if (patch.priority) {
    if (auto st = checkPriority(*patch.priority); !st) return st.error();
  }
  if (patch.description) {
    if (auto st = checkDescription(*patch.description); !st) return st.error();
  }
  return {};
}

}  // namespace

Result<ApiKey> ApiKeyRepository::update(std::int64_t id, const KeyPatch& patch) {
  if (auto st = checkPatch(patch); !st) return st.error();
  std::optional<SealedRow> sealed;
  if (patch.value) {
    const std::string_view v = trim(*patch.value);
    if (auto st = checkValue(v); !st) return st.error();
    auto row = seal(cipher_, std::string(v), cipher_.fingerprint(v));
    if (!row) return row.error();
    sealed = std::move(*row);
  }
  const TimePoint now = clock_.now();
  Result<ApiKey> out = keyNotFound();
  Status st = db_.transaction([&](Connection& c) -> Status {
    auto row = patchRow(c, id, patch, sealed ? &*sealed : nullptr, now);
    if (!row) return row.error();
    out = toKey(*row, true);
    if (!out) return out.error();
    return {};
  });
  if (!st) return st.error();
  return out;
}

Result<BulkUpdateResult> ApiKeyRepository::updateMany(std::span<const std::int64_t> ids,
                                                      const KeyPatch& patch) {
  if (patch.value) {
    return makeError(ErrorCode::InvalidArgument, "a key value cannot be given to many keys");
  }
  if (auto st = checkPatch(patch); !st) return st.error();
  const TimePoint now = clock_.now();
  BulkUpdateResult out;
  Status st = db_.transaction([&](Connection& c) -> Status {
    out = {};
    for (const std::int64_t id : ids) {
      auto row = patchRow(c, id, patch, nullptr, now);
      if (!row && row.error().code == ErrorCode::NotFound) {
        out.missing.push_back(id);
        continue;
      }
      if (!row) return row.error();
      auto key = toKey(*row, true);
      if (!key) return key.error();
      out.updated.push_back(std::move(*key));
    }
    return {};
  });
  if (!st) return st.error();
  return out;
}

Status ApiKeyRepository::remove(std::int64_t id) {
  auto changed = db_.execute("DELETE FROM api_keys WHERE id = ?", {id});
  if (!changed) return changed.error();
  if (*changed == 0) return keyNotFound();
  return {};
}

Result<std::int64_t> ApiKeyRepository::removeMany(std::span<const std::int64_t> ids) {
  std::vector<std::int64_t> unique(ids.begin(), ids.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::int64_t removed = 0;
  Status st = db_.transaction([&](Connection& c) -> Status {
    removed = 0;
    for (std::size_t begin = 0; begin < unique.size(); begin += kChunk) {
      const std::size_t end = std::min(unique.size(), begin + kChunk);
      std::vector<Value> params(unique.begin() + static_cast<std::ptrdiff_t>(begin),
                                unique.begin() + static_cast<std::ptrdiff_t>(end));
      auto n = c.execute("DELETE FROM api_keys WHERE id IN (" + placeholderList(end - begin) + ")",
                         params);
      if (!n) return n.error();
      removed += *n;
    }
    return {};
  });
  if (!st) return st.error();
  return removed;
}

Result<LoadedKeys> ApiKeyRepository::loadAll() {
  auto rows = db_.query("SELECT " + std::string(kColumns) + " FROM api_keys ORDER BY id");
  if (!rows) return rows.error();
  LoadedKeys out;
  out.keys.reserve(rows->size());
  for (const Row& r : *rows) {
    auto k = toKey(r, true);
    if (!k) {
      if (k.error().code != ErrorCode::DecryptFailed) return k.error();
      auto plain = toKey(r, false);
      if (!plain) return plain.error();
      k = std::move(*plain);
      k->status = "error";
      out.undecryptable.push_back(k->id);
    }
    out.keys.push_back(std::move(*k));
  }
  if (out.undecryptable.empty()) return out;
  const Value now = timestampValue(clock_.now());
  const std::string reason(kUndecryptableReason);
  auto st = db_.transaction([&](Connection& c) -> Status {
    for (const std::int64_t id : out.undecryptable) {
      auto h = c.execute(
          "INSERT INTO key_status_history (api_key_id, from_status, to_status, reason, "
          "created_at) SELECT id, status, 'error', ?, ? FROM api_keys WHERE id = ? AND "
          "status <> 'error'",
          {reason, now, id});
      if (!h) return h.error();
      auto u = c.execute("UPDATE api_keys SET status = 'error' WHERE id = ?", {id});
      if (!u) return u.error();
    }
    return {};
  });
  if (!st) return st.error();
  return out;
}

Result<std::optional<bool>> ApiKeyRepository::cipherOpensStoredKeys() {
  auto rows = db_.query("SELECT " + std::string(kColumns) + " FROM api_keys ORDER BY id LIMIT 20");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<bool>();
  for (const Row& r : *rows) {
    auto k = toKey(r, true);
    if (k) return std::optional<bool>(true);
    if (k.error().code != ErrorCode::DecryptFailed) return k.error();
  }
  return std::optional<bool>(false);
}

Result<std::int64_t> ApiKeyRepository::reencryptIn(Connection& c, const KeyCipher& to) const {
  auto rows = c.query("SELECT " + std::string(kColumns) + " FROM api_keys ORDER BY id");
  if (!rows) return rows.error();
  std::int64_t count = 0;
  for (const Row& r : *rows) {
    auto k = toKey(r, true);
    if (!k) {
      if (k.error().code != ErrorCode::DecryptFailed) return k.error();
      return makeError(ErrorCode::DecryptFailed,
                       "API key " + std::to_string(r.int64(0)) +
                           " does not decrypt with the current master key; delete it or "
                           "restore it before re-keying");
    }
    std::string fingerprint = to.fingerprint(k->value);
    auto row = seal(to, std::move(k->value), std::move(fingerprint));
    if (!row) return row.error();
    auto n = c.execute(
        "UPDATE api_keys SET key_ciphertext = ?, key_nonce = ?, fingerprint = ? WHERE id = ?",
        {Blob{row->sealed.ciphertext}, Blob{row->sealed.nonce}, row->fingerprint, k->id});
    if (!n) return n.error();
    ++count;
  }
  return count;
}

Status ApiKeyRepository::applyUsage(std::span<const UsageDelta> deltas) {
  for (const UsageDelta& d : deltas) {
    if (d.status) {
      if (auto st = checkStatus(*d.status); !st) return st;
    }
  }
  if (deltas.empty()) return {};
  const Value now = timestampValue(clock_.now());
  return db_.transaction([&](Connection& c) -> Status {
    for (const UsageDelta& d : deltas) {
      if (d.status) {
        // Recorded only when the stored status really changes; reads the old value in SQL.
        auto h = c.execute(
            "INSERT INTO key_status_history (api_key_id, from_status, to_status, reason, "
            "created_at) SELECT id, status, ?, ?, ? FROM api_keys WHERE id = ? AND status <> ?",
            {*d.status, truncateUtf8(d.status_reason, kMaxReasonBytes), now, d.id, *d.status});
        if (!h) return h.error();
      }
      auto u = c.execute(
          "UPDATE api_keys SET usage_count = usage_count + ?, failed_count = ?, "
          "status = COALESCE(?, status), last_used_at = COALESCE(?, last_used_at) WHERE id = ?",
          {d.usage_increment, d.failed_count, nullableValue(d.status),
           nullableValue(d.last_used_at), d.id});
      if (!u) return u.error();
    }
    return {};
  });
}

Status ApiKeyRepository::appendHistory(std::int64_t key_id, std::string_view from_status,
                                       std::string_view to_status, std::string_view reason,
                                       TimePoint at) {
  if (auto st = checkStatus(from_status); !st) return st;
  if (auto st = checkStatus(to_status); !st) return st;
  auto n = db_.execute(
      "INSERT INTO key_status_history (api_key_id, from_status, to_status, reason, created_at) "
      "SELECT id, ?, ?, ?, ? FROM api_keys WHERE id = ?",
      {std::string(from_status), std::string(to_status), truncateUtf8(reason, kMaxReasonBytes),
       timestampValue(at), key_id});
  if (!n) return n.error();
  if (*n == 0) return keyNotFound();
  return {};
}

Result<std::vector<StatusChange>> ApiKeyRepository::history(std::int64_t key_id, int limit) {
  limit = std::clamp(limit, 1, kMaxPageSize);
  auto rows = db_.query(
      "SELECT id, api_key_id, from_status, to_status, reason, created_at FROM key_status_history "
      "WHERE api_key_id = ? ORDER BY id DESC LIMIT ?",
      {key_id, std::int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<StatusChange> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    out.push_back(StatusChange{.id = r.int64(0),
                               .api_key_id = r.int64(1),
                               .from_status = r.text(2),
                               .to_status = r.text(3),
                               .reason = r.text(4),
                               .created_at = r.time(5)});
  }
  return out;
}

Result<std::map<std::string, std::int64_t>> ApiKeyRepository::countByStatus() {
  auto rows = db_.query("SELECT status, COUNT(*) FROM api_keys GROUP BY status");
  if (!rows) return rows.error();
  std::map<std::string, std::int64_t> out;
  for (std::string_view s : kKeyStatuses) out[std::string(s)] = 0;
  for (const Row& r : *rows) out[r.text(0)] = r.int64(1);
  return out;
}

}  // namespace poise::storage
