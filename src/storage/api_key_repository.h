// ApiKeyRepository: the upstream Gemini keys (tables api_keys and key_status_history). Values are
// encrypted with KeyCipher and deduplicated by fingerprint, so plaintext exists only in memory.
// Methods block (run on the BlockingPool); each write is one short transaction. Thread-safe as
// far as the Database is; holds references to the Database, KeyCipher and Clock, which outlive it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"
#include "storage/key_cipher.h"

namespace poise::storage {

// In listing order (the status rank): active, exhausted, error, disabled.
inline constexpr std::array<std::string_view, 4> kKeyStatuses = {"active", "exhausted", "error",
                                                                 "disabled"};
inline constexpr std::array<std::string_view, 3> kKeyPriorities = {"high", "normal", "low"};
bool isKeyStatus(std::string_view s);
bool isKeyPriority(std::string_view s);

struct ApiKey {
  std::int64_t id = 0;
  std::string value;  // plaintext; empty in list() results; never logged
  std::string masked;
  std::string fingerprint;
  std::string status = "active";
  std::string description;
  std::string priority = "normal";
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> last_used_at;
  std::int64_t usage_count = 0;
  std::int64_t failed_count = 0;
};

struct LoadedKeys {
  std::vector<ApiKey> keys;
  std::vector<std::int64_t> undecryptable;  // ids, ascending
};

// The status history reason of a key whose stored value does not decrypt.
inline constexpr std::string_view kUndecryptableReason =
    "value does not decrypt with this master key (secret.key or POISE_SECRET_KEY is not the one "
    "it was stored with, or the row was altered)";

struct AddKeysResult {
  std::int64_t total_processed = 0;  // non-empty values after trimming, duplicates included
  std::int64_t total_added = 0;
  std::vector<ApiKey> added;  // the new rows, in input order, with plaintext values
};

struct BulkUpdateResult {
  std::vector<ApiKey> updated;        // with their values, in the order of the ids given
  std::vector<std::int64_t> missing;  // ids with no key
};

struct KeyListQuery {
  int page = 1;  // 1-based
  int page_size = 50;
  std::optional<std::string> status;
  // Case-insensitive substring of the masked form or the description, or the exact key (matched
  // through its fingerprint: values are encrypted, so SQL cannot search their plaintext).
  std::optional<std::string> search;
  std::optional<std::int64_t> min_failed_count;
};

// Fields to change; unset ones are kept. A status change also appends a history row.
struct KeyPatch {
  std::optional<std::string> value;
  std::optional<std::string> status;
  std::optional<std::string> description;
  std::optional<std::string> priority;
  std::string status_reason = "changed by admin";
};

// Counters accumulated by the key pool, flushed in batches.
struct UsageDelta {
  std::int64_t id = 0;
  std::int64_t usage_increment = 0;
  std::int64_t failed_count = 0;  // absolute value
  std::optional<std::string> status;
  std::optional<TimePoint> last_used_at;
  std::string status_reason;  // recorded in the history when `status` differs from the stored one
};

struct StatusChange {
  std::int64_t id = 0;
  std::int64_t api_key_id = 0;
  std::string from_status;
  std::string to_status;
  std::string reason;
  TimePoint created_at;
};

class ApiKeyRepository {
 public:
  ApiKeyRepository(Database& db, const KeyCipher& cipher, const Clock& clock)
      : db_(db), cipher_(cipher), clock_(clock) {}

  // Trims each value, drops empties, skips values repeated in the input or already stored, and
  // inserts the rest as active keys in one transaction. Encryption happens before the write lock.
  Result<AddKeysResult> addMany(std::vector<std::string> values, TimePoint now);
  // Errors: "invalid_argument" (empty value), "invalid_status", "invalid_priority", "conflict"
  // (the key is already stored).
  Result<ApiKey> create(std::string_view value, std::string_view status = "active",
                        std::string_view description = {}, std::string_view priority = "normal");
  // With the decrypted value. Error "not_found".
  Result<ApiKey> get(std::int64_t id);
  // Ordered by status rank, then id. Items carry no plaintext value. Errors:
  // "invalid_argument" (paging), "invalid_status".
  Result<Page<ApiKey>> list(const KeyListQuery& query);
  // Returns the updated key with its value. Errors: "not_found", "conflict" (the new value is
  // another key's), "invalid_status", "invalid_priority", "invalid_argument".
  Result<ApiKey> update(std::int64_t id, const KeyPatch& patch);
  // Applies `patch` (no value: values are unique) to every key of `ids` in one transaction; ids
  // with no key are listed, not an error. Errors: "invalid_argument" (a value in the patch),
  // "invalid_status", "invalid_priority"; any other failure changes nothing.
  Result<BulkUpdateResult> updateMany(std::span<const std::int64_t> ids, const KeyPatch& patch);
  // Error "not_found". The key's history goes with it.
  Status remove(std::int64_t id);
  // Returns how many of `ids` existed and were removed.
  Result<std::int64_t> removeMany(std::span<const std::int64_t> ids);
  // Every key with its value, by id, for the in-memory pool. A key whose value does not decrypt
  // (stored under another master key, or altered) does not fail the load: it comes back with an
  // empty value and status "error", stored so with kUndecryptableReason in its history (once),
  // and its id is listed in `undecryptable`.
  Result<LoadedKeys> loadAll();
  // Whether this repository's cipher opens the stored keys: true when one of the first few
  // does, false when none does, nullopt when there is no key. Reads only.
  Result<std::optional<bool>> cipherOpensStoredKeys();
  // Inside the caller's transaction `c`: decrypts every key with this repository's cipher and
  // stores it sealed and fingerprinted under `to`. Returns how many; fails (code
  // "decrypt_failed", naming the id) on the first key that does not decrypt.
  Result<std::int64_t> reencryptIn(Connection& c, const KeyCipher& to) const;
  // Applies the deltas in one transaction; ids that no longer exist are skipped. A status that
  // differs from the stored one is recorded in the history. Error "invalid_status".
  Status applyUsage(std::span<const UsageDelta> deltas);
  // Errors: "invalid_status", "not_found" (no such key).
  Status appendHistory(std::int64_t key_id, std::string_view from_status,
                       std::string_view to_status, std::string_view reason, TimePoint at);
  // Newest first, at most `limit` (clamped to 1..1000).
  Result<std::vector<StatusChange>> history(std::int64_t key_id, int limit);
  // Every status in kKeyStatuses, with zero for statuses no key has.
  Result<std::map<std::string, std::int64_t>> countByStatus();

 private:
  Result<ApiKey> toKey(const Row& row, bool decrypt) const;

  Database& db_;
  const KeyCipher& cipher_;
  const Clock& clock_;
};

}  // namespace poise::storage
