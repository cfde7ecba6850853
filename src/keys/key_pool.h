// KeyPool: the in-memory set of upstream keys that the proxy picks from. Loaded from the database
// at start, changed at once by admin edits, and the only thing the request path touches: a pick
// never reads the database. Outcomes of attempts update it in place and queue the changes
// (counters, status, history) for the background flusher, which writes them off the request path.
// Thread-safe: one mutex, held only for short, allocation-light sections.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace poise::keys {

enum class KeyStatus { Active, Exhausted, Error, Disabled };
std::string_view toString(KeyStatus s);
std::optional<KeyStatus> parseKeyStatus(std::string_view s);

struct PoolKey {
  std::int64_t id = 0;
  std::string value;  // plaintext upstream key; never logged
  KeyStatus status = KeyStatus::Active;
  std::int64_t failed_count = 0;
};

struct KeyPick {
  std::int64_t id = 0;
  std::string value;
};

// A change that must reach the database: counters always, status and history when status moved.
struct KeyDelta {
  std::int64_t id = 0;
  std::int64_t usage_increment = 0;
  std::int64_t failed_count = 0;  // absolute value after the change
  std::optional<TimePoint> last_used_at;
  std::optional<KeyStatus> new_status;
  std::optional<KeyStatus> old_status;
  std::string reason;  // for the status history; empty when status did not change
};

struct CooldownInfo {
  std::string model;
  TimePoint until;
  std::string reason;
};

// Transparent hashing so lookups by string_view allocate nothing.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class KeyPool {
 public:
  explicit KeyPool(const Clock& clock, std::uint64_t seed = std::random_device{}());

  // Replaces the whole pool (start-up, or a reload after another instance changed keys).
  void load(std::vector<PoolKey> keys);
  // Adds or replaces one key (admin create/update). Status changes made here are the admin's and
  // are not queued as deltas (the admin handler writes them itself).
  void upsert(PoolKey key);
  void remove(std::int64_t id);

  // Picks an eligible key for `model`: active, not cooling down for that model, not in
  // `exclude` (keys already tried in this request). Uniformly random for now.
  std::optional<KeyPick> pick(std::string_view model, std::span<const std::int64_t> exclude);

  // Attempt outcomes, from live traffic (Source::Proxy: each counts one use of the key) or from a
  // validation check (Source::Validation: no use counted). Both go through the same state
  // machine; every status change is queued with its reason for the key's history.
  enum class Source { Proxy, Validation };
  void recordSuccess(std::int64_t id, Source source = Source::Proxy);
  // 429: the key rests for `model` only, until `until`. A validation 429 on a key in `error`
  // moves it to `exhausted` (the key is valid, only out of quota).
  void recordCooldown(std::int64_t id, std::string_view model, TimePoint until, std::string reason,
                      Source source = Source::Proxy);
  // The upstream rejected the key itself (API_KEY_INVALID, 401, 403): status → error.
  void recordRejected(std::int64_t id, std::string reason, Source source = Source::Proxy);
  // 5xx, reset, timeout: not the key's fault; counted as a use only.
  void recordTransient(std::int64_t id, Source source = Source::Proxy);
  // A validation check passed: status → active (from exhausted or error), failures reset, and
  // the key's cooldowns end. A disabled key stays disabled.
  void recordValidated(std::int64_t id, std::string reason);

  // Keys by status, kept current on every change: O(1).
  struct StatusCounts {
    std::int64_t active = 0;
    std::int64_t exhausted = 0;
    std::int64_t error = 0;
    std::int64_t disabled = 0;
    std::int64_t total() const { return active + exhausted + error + disabled; }
  };
  StatusCounts statusCounts() const;
  // Ids of the keys now in `status`, ascending (validation jobs). O(n).
  std::vector<std::int64_t> idsWithStatus(KeyStatus status) const;

  // Earliest moment a key now cooling for `model` becomes usable again, if every active key not
  // excluded is cooling; nullopt otherwise.
  std::optional<TimePoint> allCoolingUntil(std::string_view model) const;
  std::vector<CooldownInfo> cooldowns(std::int64_t id) const;

  std::size_t size() const;
  std::size_t activeCount() const;
  std::optional<PoolKey> get(std::int64_t id) const;

  // Takes the queued changes, merged per key, for the flusher.
  std::vector<KeyDelta> drainDeltas();

 private:
  struct Entry {
    PoolKey key;
    std::size_t active_slot = SIZE_MAX;  // index in active_ when active
  };
  void setActiveLocked(Entry& e, bool active);
  KeyDelta& deltaLocked(std::int64_t id);
  bool coolingLocked(std::int64_t id, std::string_view model, TimePoint now);
  void changeStatusLocked(Entry& e, KeyStatus to, std::string reason);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::unordered_map<std::int64_t, Entry> entries_;
  std::vector<std::int64_t> active_;  // ids of active keys, for O(1) random choice
  // model → (key id → cooling until)
  std::unordered_map<std::string, std::unordered_map<std::int64_t, CooldownInfo>, StringHash,
                     std::equal_to<>>
      cooling_;
  std::unordered_map<std::int64_t, KeyDelta> deltas_;
};

// "models/gemini-2.5-flash" and "gemini-2.5-flash" name the same model.
std::string_view normalizeModel(std::string_view model);

}  // namespace poise::keys
