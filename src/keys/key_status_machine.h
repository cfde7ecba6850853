// KeyStatusMachine: each key's status and the counters its attempts move (failures in a row,
// uses, the run of 429s), and the queue of changes the background flusher drains (SPEC §2).
// Outcomes of attempts, from live traffic or validation, go through one set of rules: failures
// reset on success; a rejected key goes to `error`; a key whose every attempt over the exhausted
// window was a 429 goes to `exhausted`; a passed validation brings it back to `active`. Every
// status change is queued with its reason for the key's history; admin edits are not (the admin
// handler writes them itself). It reports each status change; acting on it (eligibility,
// cooldown order) is the owner's.
// Thread-compatible: the owner (KeyPool, under its mutex) serializes calls. No clock is read.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "keys/key_ref.h"

namespace poise::keys {

enum class KeyStatus { Active, Exhausted, Error, Disabled };
std::string_view toString(KeyStatus s);
std::optional<KeyStatus> parseKeyStatus(std::string_view s);

// A change that must reach the database: counters always, status and history when status moved.
struct KeyDelta {
  std::int64_t id = 0;
  std::int64_t usage_increment = 0;
  std::int64_t failed_count = 0;  // absolute value after the change
  std::optional<TimePoint> last_used_at;
  std::optional<KeyStatus> new_status;
  std::optional<KeyStatus> old_status;
  std::string reason;      // for the status history; empty when status did not change
  TimePoint changed_at{};  // when the status last moved
};

// One key as the proxy sees it now, for the admin views (KeyPool::liveStates).
struct LiveKeyState {
  std::int64_t id = 0;
  KeyStatus status = KeyStatus::Active;
  std::int64_t failed_count = 0;
  std::optional<TimePoint> last_used_at;
  // Every use so far, when the pool knows the stored count it started from.
  std::optional<std::int64_t> usage_count;
  // Uses not yet handed to the flusher (drainDeltas).
  std::int64_t unflushed_uses = 0;
  // A status change not yet handed to the flusher (so not yet in the stored history).
  struct Change {
    KeyStatus from = KeyStatus::Active;
    KeyStatus to = KeyStatus::Active;
    std::string reason;
    TimePoint at{};
  };
  std::optional<Change> unflushed_change;
};

class KeyStatusMachine {
 public:
  // Live traffic (each attempt counts one use of the key) or a validation check (no use).
  enum class Source { Proxy, Validation };
  // A conclusive rejection (API_KEY_INVALID: the key does not exist) retires the key at once; a
  // counted one does after max_failed_count in a row.
  enum class Rejection { Conclusive, Counted };
  struct Rules {
    // A key whose every attempt for this long was a 429, at least exhausted_min_429s of them,
    // becomes `exhausted`. 0 turns the rule off.
    std::chrono::seconds exhausted_window{900};
    int exhausted_min_429s = 3;
    // Rejections in a row that retire a key (0 or 1: the first).
    int max_failed_count = 3;
  };
  // The stored state a key is loaded or edited with.
  struct KeyState {
    KeyStatus status = KeyStatus::Active;
    std::int64_t failed_count = 0;
    std::optional<TimePoint> last_used_at;
    // nullopt when the loader did not say (see PoolKey::usage_count).
    std::optional<std::int64_t> usage_count;
  };
  struct Transition {
    KeyStatus from = KeyStatus::Active;
    KeyStatus to = KeyStatus::Active;
  };

  void setRules(const Rules& rules) { rules_ = rules; }

  void add(KeyRef key, const KeyState& state);
  // An admin edit of a known key: status and failures from `state` (kept with `keep_state`: the
  // row read may lag), the later of the two last uses; the use count stays the machine's (the
  // row may predate uses not yet flushed). Not queued.
  void edit(KeyRef key, const KeyState& state, bool keep_state);
  // Forgets the key and its queued changes.
  void remove(KeyRef key);
  void clear();

  // Each returns the status change it made, if any. `now` is the attempt's instant.
  std::optional<Transition> recordSuccess(KeyRef key, Source source, TimePoint now);
  // A 429 (the cooldown itself is the CooldownStore's). A validation 429 on a key in `error`
  // moves it to `exhausted` (the key is valid, only out of quota).
  std::optional<Transition> recordCooldown(KeyRef key, std::string_view reason, Source source,
                                           TimePoint now);
  // A disabled key ignores rejections.
  std::optional<Transition> recordRejected(KeyRef key, std::string reason, Rejection kind,
                                           Source source, TimePoint now);
  std::optional<Transition> recordTransient(KeyRef key, Source source, TimePoint now);
  // Status → active and failures reset; a disabled key ignores it.
  std::optional<Transition> recordValidated(KeyRef key, std::string reason, TimePoint now);

  const KeyState& state(KeyRef key) const;
  KeyStatus status(KeyRef key) const { return state(key).status; }
  // Keys by status: O(1).
  std::int64_t count(KeyStatus status) const;
  // The key's live state. `stored_usage`, when given, is its usage_count as read from storage:
  // a key whose count is not known yet and none of whose uses were drained since it was added
  // takes it (plus its unflushed uses) as its count from then on.
  LiveKeyState live(KeyRef key, std::optional<std::int64_t> stored_usage);
  // Takes the queued changes, merged per key.
  std::vector<KeyDelta> drain();

 private:
  struct Record {
    bool present = false;
    KeyState state;
    // The current run of 429s (exhausted rule).
    std::optional<TimePoint> streak_start;
    int streak_429s = 0;
    // Uses handed to the flusher since the key was added.
    std::int64_t drained_uses = 0;
  };
  struct Pending {
    std::size_t slot = 0;
    KeyDelta delta;
  };

  Record& at(KeyRef key);
  KeyDelta& delta(KeyRef key);
  void countUse(KeyRef key, Record& r, Source source, TimePoint now);
  Transition changeStatus(KeyRef key, Record& r, KeyStatus to, std::string reason, TimePoint now);
  void countStatus(KeyStatus s, int delta) { counts_[static_cast<std::size_t>(s)] += delta; }

  Rules rules_;
  std::vector<Record> records_;                       // by slot
  std::array<std::int64_t, 4> counts_{};              // by KeyStatus
  std::unordered_map<std::int64_t, Pending> deltas_;  // by key id
};

}  // namespace poise::keys
