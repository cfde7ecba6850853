#include "storage/alert_repository.h"

#include "storage/limits.h"
#include "storage/line_list.h"
#include "storage/sealed_text.h"

namespace poise::storage {
namespace {

constexpr std::string_view kWebhookColumns =
    "SELECT id, name, url, headers, events, is_enabled, active_keys_below, "
    "active_percent_below, error_rate_percent_above, error_rate_min_requests, created_at, "
    "updated_at FROM alert_webhooks";
constexpr std::string_view kDeliveryColumns =
    "SELECT id, webhook_id, event, created_at, attempts, delivered, last_status, last_error, "
    "summary FROM alert_deliveries";

// Headers are stored one "Name: value" per line.
std::string joinHeaders(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::string> lines;
  lines.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string line = name;
    line.append(": ").append(value);
    lines.push_back(std::move(line));
  }
  return joinLines(lines);
}

std::vector<std::pair<std::string, std::string>> splitHeaders(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& line : splitLines(text)) {
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    out.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return out;
}

// The associated data of every webhook's sealed headers.
constexpr std::string_view kHeadersContext = "alert_webhook:headers";

AlertDelivery toDelivery(const Row& r) {
  return AlertDelivery{.id = r.int64(0),
                       .webhook_id = r.int64(1),
                       .event = r.text(2),
                       .created_at = r.time(3),
                       .attempts = r.int64(4),
                       .delivered = r.int64(5) != 0,
                       .last_status = r.optionalInt64(6),
                       .last_error = r.text(7),
                       .summary = r.text(8)};
}

Status checkWebhook(const AlertWebhook& w) {
  if (w.name.empty() || w.name.size() > kMaxWebhookNameBytes) {
    return makeError(ErrorCode::InvalidArgument, "name must be 1 to 255 bytes");
  }
  if (w.url.empty() || w.url.size() > kMaxWebhookUrlBytes) {
    return makeError(ErrorCode::InvalidArgument, "url must be 1 to 2048 bytes");
  }
  return {};
}

}  // namespace

Result<AlertWebhook> AlertRepository::toWebhook(const Row& r) const {
  AlertWebhook w{.id = r.int64(0),
                 .name = r.text(1),
                 .url = r.text(2),
                 .headers = {},
                 .events = splitLines(r.text(4)),
                 .enabled = r.int64(5) != 0,
                 .active_keys_below = r.optionalInt64(6),
                 .active_percent_below = r.optionalInt64(7),
                 .error_rate_percent_above = r.optionalInt64(8),
                 .error_rate_min_requests = r.int64(9),
                 .created_at = r.time(10),
                 .updated_at = r.time(11)};
  const std::string stored = r.text(3);
  if (stored.empty()) return w;
  auto plain = openSealedText(cipher_, kHeadersContext, stored);
  if (!plain) {
    return makeError(ErrorCode::DecryptFailed,
                     "the headers of alert webhook " + std::to_string(w.id) +
                         " cannot be decrypted: is this the master key (DATA_DIR/secret.key or "
                         "POISE_SECRET_KEY) they were written with?");
  }
  w.headers = splitHeaders(*plain);
  return w;
}

// The values of the columns a create and an update both write, in kWebhookColumns' order from
// name to updated_at; the headers sealed (none: an empty text).
Result<std::vector<Value>> AlertRepository::webhookValues(const AlertWebhook& w) const {
  std::string headers = joinHeaders(w.headers);
  if (headers.size() > kMaxWebhookHeaderBytes) {
    return makeError(ErrorCode::InvalidArgument, "headers must be at most 8192 bytes in all");
  }
  if (!headers.empty()) {
    auto sealed = sealText(cipher_, kHeadersContext, headers);
    if (!sealed) return sealed.error();
    headers = std::move(*sealed);
  }
  return std::vector<Value>{w.name,
                            w.url,
                            std::move(headers),
                            joinLines(w.events),
                            std::int64_t{w.enabled ? 1 : 0},
                            nullableValue(w.active_keys_below),
                            nullableValue(w.active_percent_below),
                            nullableValue(w.error_rate_percent_above),
                            w.error_rate_min_requests,
                            timestampValue(w.updated_at)};
}

Result<AlertWebhook> AlertRepository::create(const AlertWebhook& w) {
  if (auto st = checkWebhook(w); !st) return st.error();
  auto values_or = webhookValues(w);
  if (!values_or) return values_or.error();
  std::vector<Value> values = std::move(*values_or);
  values.push_back(timestampValue(w.created_at));
  auto id = db_.insert(
      "INSERT INTO alert_webhooks (name, url, headers, events, is_enabled, active_keys_below, "
      "active_percent_below, error_rate_percent_above, error_rate_min_requests, updated_at, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      values);
  if (!id) return id.error();
  auto stored = get(*id);
  if (!stored) return stored.error();
  if (!*stored) return makeError(ErrorCode::NotFound, "webhook not found");
  return std::move(**stored);
}

Result<std::optional<AlertWebhook>> AlertRepository::get(std::int64_t id) {
  auto rows = db_.query(std::string(kWebhookColumns) + " WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AlertWebhook>{};
  auto w = toWebhook(rows->front());
  if (!w) return w.error();
  return std::optional<AlertWebhook>{std::move(*w)};
}

Result<std::vector<AlertWebhook>> AlertRepository::loadAll() {
  auto rows = db_.query(std::string(kWebhookColumns) + " ORDER BY id");
  if (!rows) return rows.error();
  std::vector<AlertWebhook> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    auto w = toWebhook(r);
    if (!w) return w.error();
    out.push_back(std::move(*w));
  }
  return out;
}

Status AlertRepository::update(const AlertWebhook& w) {
  if (auto st = checkWebhook(w); !st) return st;
  auto values_or = webhookValues(w);
  if (!values_or) return values_or.error();
  std::vector<Value> values = std::move(*values_or);
  values.emplace_back(w.id);
  auto changed = db_.execute(
      "UPDATE alert_webhooks SET name = ?, url = ?, headers = ?, events = ?, is_enabled = ?, "
      "active_keys_below = ?, active_percent_below = ?, error_rate_percent_above = ?, "
      "error_rate_min_requests = ?, updated_at = ? WHERE id = ?",
      values);
  if (!changed) return changed.error();
  // MySQL counts changed rows, not matched ones: an update that changes nothing reports 0.
  if (*changed == 0) {
    auto still = get(w.id);
    if (!still) return still.error();
    if (!*still) return makeError(ErrorCode::NotFound, "webhook not found");
  }
  return {};
}

Result<bool> AlertRepository::remove(std::int64_t id) {
  std::int64_t removed = 0;
  auto body = [&](Connection& c) -> Status {
    // Explicit, so that every dialect behaves alike whatever its foreign-key enforcement.
    auto rows = c.execute("DELETE FROM alert_deliveries WHERE webhook_id = ?", {id});
    if (!rows) return rows.error();
    auto hooks = c.execute("DELETE FROM alert_webhooks WHERE id = ?", {id});
    if (!hooks) return hooks.error();
    removed = *hooks;
    return {};
  };
  if (auto st = db_.transaction(body); !st) return st.error();
  return removed > 0;
}

Result<std::int64_t> AlertRepository::appendDelivery(const AlertDelivery& d,
                                                     std::int64_t keep_rows) {
  auto id = db_.insert(
      "INSERT INTO alert_deliveries (webhook_id, event, created_at, attempts, delivered, "
      "last_status, last_error, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {d.webhook_id, truncateUtf8(d.event, 64), timestampValue(d.created_at), d.attempts,
       std::int64_t{d.delivered ? 1 : 0}, nullableValue(d.last_status),
       truncateUtf8(d.last_error, kMaxDeliveryErrorBytes),
       truncateUtf8(d.summary, kMaxDeliverySummaryBytes)});
  if (!id) return id.error();
  // Ids grow, so the rows to keep are those above the newest id minus the bound: one indexed
  // range delete, a handful of rows at a time.
  if (*id > keep_rows) {
    auto pruned = db_.execute("DELETE FROM alert_deliveries WHERE id <= ?", {*id - keep_rows});
    if (!pruned) return pruned.error();
  }
  return *id;
}

Result<DeliverySlice> AlertRepository::deliveries(const DeliveryQuery& q) {
  if (auto st = checkPage(1, q.limit); !st) return st.error();
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  if (q.webhook_id) {
    where += " AND webhook_id = ?";
    params.emplace_back(*q.webhook_id);
  }
  if (q.before_id) {
    where += " AND id < ?";
    params.emplace_back(*q.before_id);
  }
  params.emplace_back(std::int64_t{q.limit} + 1);  // one more says whether another page follows
  auto rows =
      db_.query(std::string(kDeliveryColumns) + where + " ORDER BY id DESC LIMIT ?", params);
  if (!rows) return rows.error();
  DeliverySlice out;
  const bool more = rows->size() > static_cast<std::size_t>(q.limit);
  if (more) rows->pop_back();
  out.items.reserve(rows->size());
  for (const Row& r : *rows) out.items.push_back(toDelivery(r));
  if (more) out.next_cursor = out.items.back().id;
  return out;
}

Result<std::int64_t> AlertRepository::resealIn(Connection& c, const KeyCipher& to) const {
  auto rows = c.query("SELECT id, headers FROM alert_webhooks WHERE headers <> '' ORDER BY id");
  if (!rows) return rows.error();
  std::int64_t count = 0;
  for (const Row& r : *rows) {
    const std::int64_t id = r.int64(0);
    auto plain = openSealedText(cipher_, kHeadersContext, r.text(1));
    if (!plain) {
      return makeError(ErrorCode::DecryptFailed, "the headers of alert webhook " +
                                                     std::to_string(id) +
                                                     " do not decrypt with the current master key");
    }
    auto sealed = sealText(to, kHeadersContext, *plain);
    if (!sealed) return sealed.error();
    auto n =
        c.execute("UPDATE alert_webhooks SET headers = ? WHERE id = ?", {std::move(*sealed), id});
    if (!n) return n.error();
    ++count;
  }
  return count;
}

}  // namespace poise::storage
