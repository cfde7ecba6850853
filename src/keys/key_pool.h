// KeyPool: the in-memory set of upstream keys that the proxy picks from (SPEC §2). Loaded from
// the database at start, changed at once by admin edits, and the only thing the request path
// touches: a pick never reads the database.
//
// A key is eligible when it is `active`, its token bucket holds a token, it is not cooling down
// for the requested model and it was not already tried in this request. Among eligible keys the
// KeySelector picks by the configured strategy in O(log n). The pool composes its parts and keeps
// the selector in step with them:
// - BucketStore: each key's bucket, sized by its priority tier or its own override (BucketConfig);
//   a pick takes one token. RefreshSchedule: buckets below full are looked at again when they
//   gain a weight step or a token, so weights follow the refill and emptied keys come back on time.
// - CooldownStore: a 429 cools the key for that model only, until an end time.
// - KeyStatusMachine: attempt outcomes (live traffic or validation), status changes with their
//   reasons, and the deltas the background flusher drains.
// The two stores are interfaces (in-process by default) so that several gateway instances can
// later share them.
// Thread-safe: one mutex over every part, held only for short, allocation-light sections.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "keys/bucket_store.h"
#include "keys/cooldown_store.h"
#include "keys/key_ref.h"
#include "keys/key_selector.h"
#include "keys/key_status_machine.h"
#include "keys/memory_cooldown_store.h"
#include "keys/pool_settings.h"
#include "keys/refresh_schedule.h"
#include "keys/string_hash.h"
#include "keys/token_bucket.h"

namespace poise::keys {

struct PoolKey {
  std::int64_t id = 0;
  std::string value;  // plaintext upstream key; never logged
  KeyStatus status = KeyStatus::Active;
  std::int64_t failed_count = 0;
  KeyPriority priority = KeyPriority::Normal;
  std::optional<BucketLimits> bucket_override;
  std::optional<TimePoint> last_used_at;
  // Uses counted so far (the stored usage_count). nullopt when the loader did not say: the pool
  // then learns it from the first stored row read before any of the key's uses were flushed
  // (liveStates), and until then knows only the uses it has not yet handed to the flusher.
  std::optional<std::int64_t> usage_count;
};

struct KeyPick {
  std::int64_t id = 0;
  std::string value;
};

// One key's bucket as the admin routes show it.
struct BucketView {
  std::int64_t id = 0;
  int capacity = 0;
  double tokens = 0;  // level now
  double refill_rate = 0;
  TimePoint last_refill{};
  KeyPriority priority = KeyPriority::Normal;
  bool overridden = false;
};

class KeyPool {
 public:
  explicit KeyPool(const Clock& clock, std::uint64_t seed = std::random_device{}());
  // The state to share across gateway instances, from outside (both non-null); the constructor
  // above uses the in-process stores. The pool calls them under its mutex.
  struct Stores {
    std::unique_ptr<BucketStore> buckets;
    std::unique_ptr<CooldownStore> cooldowns;
  };
  KeyPool(const Clock& clock, std::uint64_t seed, Stores stores);

  // New settings take effect at once: buckets whose limits changed are resized (the refill so
  // far counts at the old rate), and every key's eligibility is recomputed. O(n).
  void configure(const PoolSettings& settings);
  PoolSettings settings() const;

  // Replaces the whole pool (start-up, or a reload after another instance changed keys). Every
  // bucket starts full.
  void load(std::vector<PoolKey> keys);
  // Adds a key, or updates one (admin create/update): value, status, failures and priority are
  // taken from `key`; an existing key keeps its bucket level and override, its use count and
  // its latest use. Status changes made here are the admin's and are not queued as deltas (the
  // admin handler writes them itself). With `keep_state`, an existing key also keeps its status
  // and failure count (an edit that did not set the status: the row read may lag the pool).
  void upsert(PoolKey key, bool keep_state = false);
  void remove(std::int64_t id);
  // Makes the pool hold exactly `keys` (a reload from the database) without starting over: keys
  // not in `keys` leave, new ones come in, and known ones take their value, status, failure
  // count, priority and bucket override from `keys` while keeping their bucket level, per-model
  // cooldowns, use count and latest use. O(n).
  void sync(std::vector<PoolKey> keys);

  // Picks an eligible key for `model` (see the header comment), not in `exclude` (keys already
  // tried in this request), and takes one token from its bucket. nullopt when no key is eligible;
  // with buckets.fallback_to_random, a key whose only problem is an empty bucket is picked
  // anyway (uniformly) before giving up.
  // `tokens` > 1 takes that many (a key with fewer is skipped); `ignore_buckets` picks uniformly
  // among otherwise eligible keys without touching buckets (the token-bucket test route).
  struct PickOptions {
    int tokens = 1;
    bool ignore_buckets = false;
  };
  std::optional<KeyPick> pick(std::string_view model, std::span<const std::int64_t> exclude,
                              PickOptions options);
  std::optional<KeyPick> pick(std::string_view model, std::span<const std::int64_t> exclude) {
    return pick(model, exclude, PickOptions{});
  }
  // The earliest instant at which some active key is eligible for `model` (spelled with or
  // without `models/`): now when one already is (pick() then failed only on `exclude`), else the
  // least over active keys of the later of its cooldown end for the model and the instant its
  // bucket holds a token again (ignored with fallback_to_random). Exact: a pick at that instant
  // succeeds. nullopt when no key is active. O(log n) plus one step per cooling key whose bucket
  // refills after its cooldown ends.
  std::optional<TimePoint> nextEligibleAt(std::string_view model) const;

  // Attempt outcomes, from live traffic (Source::Proxy: each counts one use of the key) or from a
  // validation check (Source::Validation: no use counted). Both go through the same state
  // machine; every status change is queued with its reason for the key's history.
  using Source = KeyStatusMachine::Source;
  void recordSuccess(std::int64_t id, Source source = Source::Proxy);
  // 429: the key rests for `model` only, until `until`. A validation 429 on a key in `error`
  // moves it to `exhausted` (the key is valid, only out of quota).
  void recordCooldown(std::int64_t id, std::string_view model, TimePoint until, std::string reason,
                      Source source = Source::Proxy);
  // The upstream rejected the key itself (the `disable` action: API_KEY_INVALID, 401, 403). A
  // conclusive rejection (API_KEY_INVALID: the key does not exist) sends it to `error` at once;
  // any other counts a failure, and max_failed_count of them in a row (no success between) do.
  using Rejection = KeyStatusMachine::Rejection;
  void recordRejected(std::int64_t id, std::string reason, Rejection kind,
                      Source source = Source::Proxy);
  // 5xx, reset, timeout, or a client error: not the key's fault; counted as a use only.
  void recordTransient(std::int64_t id, Source source = Source::Proxy);
  // A validation check passed: status → active (from exhausted or error), failures reset, and
  // the key's cooldowns end. A disabled key stays disabled.
  void recordValidated(std::int64_t id, std::string reason);

  std::vector<CooldownInfo> cooldowns(std::int64_t id) const;
  // Active keys whose cooldown for a model is in force now, counted per model, by model name
  // (the metrics scrape). O(active keys × their cooldowns).
  std::vector<std::pair<std::string, std::int64_t>> coolingPerModel() const;

  // Token buckets (the /api/v1/token-bucket routes).
  std::optional<BucketView> bucket(std::int64_t id) const;
  // Every active key's bucket, by id.
  std::vector<BucketView> activeBuckets() const;
  // Sets (or with nullopt clears) a key's own limits; false when there is no such key.
  bool setBucketOverride(std::int64_t id, std::optional<BucketLimits> limits);
  // Refills a key's bucket to capacity; false when there is no such key.
  bool resetBucket(std::int64_t id);
  // Forgets (refills) every bucket idle for longer than its TTL. Returns how many. O(n).
  std::size_t cleanupBuckets();
  struct BucketTotals {
    std::int64_t keys = 0;            // active keys
    std::int64_t overridden = 0;      // of which with their own limits
    std::int64_t total_capacity = 0;  // tokens
    double total_tokens = 0;          // tokens now
  };
  BucketTotals bucketTotals() const;

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

  std::size_t size() const;
  std::size_t activeCount() const;
  std::optional<PoolKey> get(std::int64_t id) const;
  // The live state of each of `ids`, in order (nullopt for an unknown id), taken in one locked
  // pass so that the rows agree with each other and with statusCounts() at one instant.
  // `stored_usage`, when given, holds each key's usage_count as read from storage before this
  // call: a key whose count the pool does not know yet, none of whose uses were drained since it
  // was loaded, takes it (plus its unflushed uses) as its count from then on. O(ids) lookups.
  std::vector<std::optional<LiveKeyState>> liveStates(
      std::span<const std::int64_t> ids, std::span<const std::int64_t> stored_usage = {});

  // Takes the queued changes, merged per key, for the flusher.
  std::vector<KeyDelta> drainDeltas();

 private:
  // What the pool itself keeps per key; the rest is in its parts, under the same slot.
  struct Entry {
    std::int64_t id = 0;
    std::string value;  // never logged
    KeyPriority priority = KeyPriority::Normal;
    std::optional<BucketLimits> bucket_override;
    std::size_t slot = 0;                 // the key's slot in selector_ and in every part
    std::size_t active_index = SIZE_MAX;  // index in active_ when active
    // Active with an empty bucket: the instant it holds a token again (its entry in waiting_).
    std::optional<TimePoint> ready_at;
    KeyRef ref() const { return KeyRef{slot, id}; }
    bool active() const { return active_index != SIZE_MAX; }
  };
  // Once this many keys cool for one model, that model gets its own selector (a copy of the
  // base one with the cooling keys disabled) so that its picks stay O(log n) however many of
  // its keys cool (the common end-of-day state with per-day quotas). Every selector change is
  // mirrored into each view.
  static constexpr std::size_t kViewThreshold = 16;
  using ByTime = std::set<std::pair<TimePoint, std::int64_t>>;
  struct ModelView {
    KeySelector selector;
    ByTime waiting;  // waiting_ without the keys cooling for the model
  };

  Entry* findLocked(std::int64_t id);
  void removeLocked(std::int64_t id);
  void addLocked(PoolKey key, TimePoint now, bool keep_state = false);
  void setActiveIndexLocked(Entry& e, bool active);
  // Applies a status change the machine reported: eligibility, the cooldown order.
  void applyStatusLocked(Entry& e, KeyStatus to, TimePoint now);
  // Resizes the key's bucket when its tier or override now gives other limits (the refill so far
  // counts at the old rate).
  void resizeBucketLocked(const Entry& e, TimePoint now);
  // Recomputes the key's eligibility and weight in the selector from its status and bucket at
  // `now`, and schedules the next refresh when the bucket is not full.
  void updateSlotLocked(Entry& e, TimePoint now);
  // The same from the key's bucket as the store just gave it (after its upkeep), with buckets on.
  void applyBucketLocked(Entry& e, const TokenBucket& bucket, TimePoint now);
  // The selector changes, applied to the base selector and mirrored into every model view.
  void setSlotLocked(const Entry& e, bool enabled, std::uint64_t weight, TimePoint now);
  void touchLocked(std::size_t slot, TimePoint when);
  void setLastUsedLocked(std::size_t slot, TimePoint when);
  void setLruTrackingLocked(bool on);
  // A key stopped cooling for `model` (expired, or validated): back into the model's view, and
  // the view goes when no key cools for the model any more.
  void liftCoolingLocked(const std::string& model, std::optional<std::int64_t> id);
  // Sets the instant an active key's empty bucket holds a token again (nullopt: not waiting on
  // its bucket), in waiting_ and in every model view where the key is not cooling.
  void setReadyLocked(Entry& e, std::optional<TimePoint> ready, TimePoint now);
  // Expired cooldowns and due bucket refreshes.
  void processDueLocked(TimePoint now);
  bool coolingLocked(std::int64_t id, std::string_view model, TimePoint now) const;
  // cooldowns_->walkEnds(), or the in-process store's own walk when the pool holds one.
  template <class Fn>
  void walkEndsLocked(std::string_view model, TimePoint after, Fn&& fn) const;
  BucketView viewLocked(const Entry& e, TimePoint now) const;
  std::optional<std::int64_t> fallbackPickLocked(std::string_view model,
                                                 std::span<const std::int64_t> exclude,
                                                 TimePoint now);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  PoolSettings settings_;
  std::unique_ptr<BucketStore> buckets_;
  std::unique_ptr<CooldownStore> cooldowns_;
  // cooldowns_ when it is the in-process store (its walks then skip the paging); else nullptr.
  const MemoryCooldownStore* memory_cooldowns_ = nullptr;
  KeyStatusMachine machine_;
  RefreshSchedule refresh_;
  std::unordered_map<std::int64_t, Entry> entries_;
  KeySelector selector_;
  std::unordered_map<std::string, ModelView, StringHash, std::equal_to<>> views_;
  // slot → its key's entry (nullptr when free); entries_ never moves its elements.
  std::vector<Entry*> slot_entries_;
  std::vector<std::size_t> free_slots_;
  std::vector<std::int64_t> active_;  // ids of active keys (fallback picks)
  // Active keys whose bucket is empty, by the instant it holds a token again.
  ByTime waiting_;
  std::vector<std::size_t> scratch_excluded_;
  std::vector<CooldownStore::Expired> scratch_expired_;
};

// "models/gemini-2.5-flash" and "gemini-2.5-flash" name the same model.
std::string_view normalizeModel(std::string_view model);

}  // namespace poise::keys
