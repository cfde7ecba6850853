// AlertRepository: alert webhooks (table alert_webhooks) and their delivery log
// (alert_deliveries), SPEC §1.3 /api/v1/alerts. The log is bounded: every append past
// kMaxDeliveryRows drops the oldest rows, in one small DELETE. Methods block (run them on the
// BlockingPool or the alert thread); thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"
#include "storage/key_cipher.h"

namespace poise::storage {

inline constexpr std::size_t kMaxWebhookNameBytes = 255;
inline constexpr std::size_t kMaxWebhookUrlBytes = 2048;
// The headers as "Name: value" lines, in all (sealed, they must still fit a MySQL TEXT column).
inline constexpr std::size_t kMaxWebhookHeaderBytes = 8192;
inline constexpr std::size_t kMaxDeliveryErrorBytes = 1024;
inline constexpr std::size_t kMaxDeliverySummaryBytes = 1024;
// Delivery rows kept (newest); older ones are pruned as new ones are written.
inline constexpr std::int64_t kMaxDeliveryRows = 10'000;

struct AlertWebhook {
  std::int64_t id = 0;
  std::string name;
  std::string url;
  // Custom request headers, in order; names and values hold no line break (the API checks).
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> events;  // event names ("key.error", ...)
  bool enabled = true;
  std::optional<std::int64_t> active_keys_below;         // pool.active_low: fewer than N active
  std::optional<std::int64_t> active_percent_below;      // or fewer than P % of the pool
  std::optional<std::int64_t> error_rate_percent_above;  // error_rate.high: above X %
  std::int64_t error_rate_min_requests = 20;             // over at least this many requests
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct AlertDelivery {
  std::int64_t id = 0;
  std::int64_t webhook_id = 0;
  std::string event;
  TimePoint created_at{};  // when the event was queued
  std::int64_t attempts = 0;
  bool delivered = false;                   // the last attempt was answered 2xx
  std::optional<std::int64_t> last_status;  // the last answer's HTTP status, if any
  std::string last_error;                   // why the last attempt failed; "" when delivered
  std::string summary;                      // one line: what the event said (keys masked)
};

// Newest first; `before_id` is the cursor (the previous page's last id).
struct DeliveryQuery {
  std::optional<std::int64_t> webhook_id;
  std::optional<std::int64_t> before_id;
  int limit = 50;  // 1..kMaxPageSize
};

struct DeliverySlice {
  std::vector<AlertDelivery> items;
  std::optional<std::int64_t> next_cursor;  // the last item's id when more rows follow
};

class AlertRepository {
 public:
  // Header values are sealed under `cipher` (sealed_text.h): a receiver's credentials are kept
  // like the upstream keys. Reads open them; a value that does not open is decrypt_failed.
  AlertRepository(Database& db, const KeyCipher& cipher) : db_(db), cipher_(cipher) {}

  // Stores a new webhook (id, created_at, updated_at as given are ignored for the id) and
  // returns it as stored. invalid_argument when a field is empty or too long.
  Result<AlertWebhook> create(const AlertWebhook& webhook);
  Result<std::optional<AlertWebhook>> get(std::int64_t id);
  // Every webhook, by id.
  Result<std::vector<AlertWebhook>> loadAll();
  // Writes every field but id and created_at. not_found for an unknown id.
  Status update(const AlertWebhook& webhook);
  // Deletes the webhook and its deliveries; false when there was none.
  Result<bool> remove(std::int64_t id);

  // Appends one delivery and prunes the log to kMaxDeliveryRows (`keep_rows` in tests).
  // Returns the new row's id. Texts are cut to their column limits.
  Result<std::int64_t> appendDelivery(const AlertDelivery& delivery,
                                      std::int64_t keep_rows = kMaxDeliveryRows);
  Result<DeliverySlice> deliveries(const DeliveryQuery& q);

  // Re-seals every webhook's headers under `to` inside the caller's transaction (poise keys
  // rekey); returns how many webhooks had headers. decrypt_failed names the webhook that does
  // not open under this repository's cipher.
  Result<std::int64_t> resealIn(Connection& c, const KeyCipher& to) const;

 private:
  Result<AlertWebhook> toWebhook(const Row& r) const;
  Result<std::vector<Value>> webhookValues(const AlertWebhook& w) const;

  Database& db_;
  const KeyCipher& cipher_;
};

}  // namespace poise::storage
