// The pool's live state laid over stored key rows: every admin view of a key (listings, the
// single read, the detail) shows what the proxy does now, not the last flush of the 1 s flusher.
// Status, failed_count and last_used_at come from KeyPool; usage_count is the pool's own count
// when it knows one, else the stored count plus the uses not yet flushed. Thread-safe (one
// locked pass over the pool per call); run it right after the storage read, on the same thread.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "keys/key_pool.h"
#include "storage/api_key_repository.h"

namespace poise::admin {

// Overlays `rows` in place, in one locked pass over the pool: O(rows). Rows of keys the pool
// does not hold are left as stored. Returns the pool's state of each row (nullopt: not held).
std::vector<std::optional<keys::LiveKeyState>> overlayLive(std::span<storage::ApiKey> rows,
                                                           keys::KeyPool& pool);

// `stored` (newest first, as ApiKeyRepository::history returns it, read before the pool state
// `live` was taken) with the status change the flusher has not written yet on top.
std::vector<storage::StatusChange> liveHistory(std::vector<storage::StatusChange> stored,
                                               const std::optional<keys::LiveKeyState>& live);

}  // namespace poise::admin
