#include "admin/key_rows.h"

#include "admin/admin_support.h"

namespace poise::admin {

namespace json = boost::json;

json::object keyJson(const storage::ApiKey& k) {
  json::object o;
  o["id"] = k.id;
  o["key_value"] = k.masked;  // never the plaintext in listings
  o["status"] = k.status;
  o["description"] = k.description.empty() ? json::value(nullptr) : json::value(k.description);
  o["priority"] = k.priority;
  o["created_at"] = formatIso8601(k.created_at);
  o["updated_at"] = formatIso8601(k.updated_at);
  o["last_used_at"] = support::timeOrNull(k.last_used_at);
  o["usage_count"] = k.usage_count;
  o["failed_count"] = k.failed_count;
  return o;
}

keys::PoolKey poolKeyOf(const storage::ApiKey& k) {
  keys::PoolKey p;
  p.id = k.id;
  p.value = k.value;
  p.status = keys::parseKeyStatus(k.status).value_or(keys::KeyStatus::Error);
  p.failed_count = k.failed_count;
  p.priority = keys::parseKeyPriority(k.priority).value_or(keys::KeyPriority::Normal);
  p.last_used_at = k.last_used_at;
  p.usage_count = k.usage_count;
  return p;
}

}  // namespace poise::admin
