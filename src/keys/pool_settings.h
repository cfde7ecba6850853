// PoolSettings: how the key pool behaves (selection strategy, token buckets, the status rules),
// built from the runtime config (config::poolSettingsOf) and handed to KeyPool::configure.
// Its own header so that config depends on these values and not on KeyPool. Plain value type.
#pragma once

#include <chrono>

#include "keys/key_selector.h"
#include "keys/token_bucket.h"

namespace poise::keys {

struct PoolSettings {
  SelectionStrategy strategy = SelectionStrategy::Weighted;
  BucketConfig buckets;
  // A key whose every attempt for this long was a 429, at least exhausted_min_429s of them,
  // becomes `exhausted`. 0 turns the rule off.
  std::chrono::seconds exhausted_window{900};
  int exhausted_min_429s = 3;
  // Rejections in a row that retire a key (config key_validation_max_failed_count; 0 or 1: the
  // first).
  int max_failed_count = 3;
};

}  // namespace poise::keys
