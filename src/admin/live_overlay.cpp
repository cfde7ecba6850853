#include "admin/live_overlay.h"

#include <vector>

namespace poise::admin {

std::vector<std::optional<keys::LiveKeyState>> overlayLive(std::span<storage::ApiKey> rows,
                                                           keys::KeyPool& pool) {
  if (rows.empty()) return {};
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> stored_usage;
  ids.reserve(rows.size());
  stored_usage.reserve(rows.size());
  for (const auto& r : rows) {
    ids.push_back(r.id);
    stored_usage.push_back(r.usage_count);
  }
  auto live = pool.liveStates(ids, stored_usage);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!live[i]) continue;
    storage::ApiKey& row = rows[i];
    const keys::LiveKeyState& s = *live[i];
    row.status = std::string(keys::toString(s.status));
    row.failed_count = s.failed_count;
    row.usage_count = s.usage_count ? *s.usage_count : row.usage_count + s.unflushed_uses;
    if (s.last_used_at && (!row.last_used_at || *row.last_used_at < *s.last_used_at)) {
      row.last_used_at = s.last_used_at;
    }
  }
  return live;
}

std::vector<storage::StatusChange> liveHistory(std::vector<storage::StatusChange> stored,
                                               const std::optional<keys::LiveKeyState>& live) {
  if (!live || !live->unflushed_change) return stored;
  const auto& c = *live->unflushed_change;
  storage::StatusChange pending;
  pending.api_key_id = live->id;
  pending.from_status = std::string(keys::toString(c.from));
  pending.to_status = std::string(keys::toString(c.to));
  pending.reason = c.reason;
  pending.created_at = c.at;
  stored.insert(stored.begin(), std::move(pending));
  return stored;
}

}  // namespace poise::admin
