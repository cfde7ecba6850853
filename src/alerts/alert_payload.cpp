#include "alerts/alert_payload.h"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "core/secret_mask.h"

namespace poise::alerts {

namespace json = boost::json;

std::string renderPayload(const AlertEvent& event, const GatewayInfo& gateway,
                          std::int64_t webhook_id, std::string_view webhook_name) {
  json::object o;
  o["event"] = toString(event.kind);
  o["time"] = formatIso8601(event.at);
  o["summary"] = event.summary;
  o["gateway"] = json::object{
      {"service", "gemini-poise"}, {"version", gateway.version}, {"host", gateway.host}};
  o["webhook"] = json::object{{"id", webhook_id}, {"name", webhook_name}};
  o["data"] = event.data;
  return json::serialize(o);
}

KeyStatusChange toStatusChange(const keys::KeyDelta& delta, std::string_view key_value) {
  return KeyStatusChange{
      .key_id = delta.id,
      .masked_key = maskSecret(key_value),
      .from = delta.old_status ? std::string(keys::toString(*delta.old_status)) : "",
      .to = delta.new_status ? std::string(keys::toString(*delta.new_status)) : "",
      .reason = scrubSecrets(delta.reason),
      .at = delta.changed_at};
}

std::chrono::milliseconds backoffBefore(int attempt) {
  if (attempt <= 1) return std::chrono::milliseconds{0};
  std::int64_t ms = 1000;
  for (int i = 2; i < attempt && ms < 60'000; ++i) ms *= 4;
  return std::chrono::milliseconds{std::min<std::int64_t>(ms, 60'000)};
}

}  // namespace poise::alerts
