// Documentation of the admin API (/api/v1): one OperationDoc per route table entry
// (operation_docs.h), grouped by the feature file that registers the routes. The generator adds
// security, x-poise-access, the {name} path parameters and the wrapper's 401/403/422.
#include "openapi/operation_docs.h"

namespace poise::openapi {

namespace {

// api_keys/cache/invalidate and refresh: a reload of the key pool from the database.
constexpr std::string_view kPoolReload = R"json({"tags": ["keys"], "responses": {
    "200": {"description": "the pool is reloaded from the database, keeping live cooldowns and bucket levels", "content": {"application/json": {"schema": {
      "type": "object", "required": ["message", "cached_keys_count", "undecryptable_keys"],
      "properties": {"message": {"type": "string"}, "cached_keys_count": {"type": "integer"},
        "undecryptable_keys": {"type": "integer"}}}}}},
    "503": {"description": "the pool cannot be reloaded here", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}}})json";

}  // namespace

std::span<const OperationDoc> adminDocs() {
  static const OperationDoc kDocs[] = {
      // --- admin/session_routes.cpp
      {.method = "POST", .pattern = "/api/v1/login", .operation = R"json({"tags": ["sessions"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["username", "password"],
    "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
  "responses": {
    "200": {"description": "signed in; also sets the HttpOnly session cookie (poise_session, or __Host-poise_session with Secure behind a trusted HTTPS proxy); must_change_password: every other route answers 403 password_change_required until POST /api/v1/users/change-password",
      "headers": {"Set-Cookie": {"schema": {"type": "string"}}},
      "content": {"application/json": {"schema": {"type": "object",
        "required": ["access_token", "token_type", "must_change_password"],
        "properties": {"access_token": {"type": "string"}, "token_type": {"const": "bearer"},
          "must_change_password": {"type": "boolean"}}}}}},
    "401": {"$ref": "#/components/responses/AdminUnauthorized"},
    "429": {"description": "too many failed or concurrent logins (Retry-After)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}},
    "503": {"description": "too many password checks in progress (Retry-After)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/logout",
       .operation = R"json({"tags": ["sessions"], "responses": {
    "200": {"description": "the session is revoked and the cookie cleared",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}}}})json"},
      {.method = "GET",
       .pattern = "/api/v1/users/me",
       .operation = R"json({"tags": ["sessions"], "responses": {
    "200": {"description": "the signed-in user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/users/change-password",
       .operation = R"json({"tags": ["sessions"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["current_password", "new_password"],
    "properties": {"current_password": {"type": "string"}, "new_password": {"type": "string"}}}}}},
  "responses": {
    "200": {"description": "changed; the user's other sessions are revoked",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}},
    "400": {"description": "the current password is wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}},
    "503": {"description": "too many password checks in progress (Retry-After)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},

      // --- admin/key_bulk_routes.cpp
      {.method = "POST",
       .pattern = "/api/v1/api_keys/bulk-add",
       .operation = R"json({"tags": ["keys"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["keys_string"],
    "properties": {"keys_string": {"type": "string", "description": "keys separated by commas or line breaks"}}}}}},
  "responses": {
    "200": {"description": "added; duplicates skipped", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeysAdded"}}}},
    "413": {"description": "more than 200000 keys", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/api_keys/add-list",
       .operation = R"json({"tags": ["keys"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": {"type": "string"}}}}}}},
  "responses": {
    "200": {"description": "added; duplicates skipped", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeysAdded"}}}},
    "413": {"description": "more than 200000 keys", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "PUT",
       .pattern = "/api/v1/api_keys/bulk-update",
       .operation = R"json({"tags": ["keys"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["key_ids", "updates"],
    "properties": {"key_ids": {"type": "array", "items": {"type": "integer"}},
      "updates": {"type": "object", "minProperties": 1, "properties": {
        "status": {"$ref": "#/components/schemas/KeyStatus"}, "description": {"type": "string"},
        "priority": {"$ref": "#/components/schemas/KeyPriority"}}}}}}}},
  "responses": {
    "200": {"description": "changed in one transaction and in the live pool; unknown ids in failed_ids", "content": {"application/json": {"schema": {
      "type": "object", "required": ["total_requested", "total_updated", "failed_ids"],
      "properties": {"total_requested": {"type": "integer"}, "total_updated": {"type": "integer"},
        "failed_ids": {"type": "array", "items": {"type": "integer"}}}}}}}
  }})json"},
      // --- admin/pool_routes.cpp (the seed's key "cache" is the in-memory key pool)
      {.method = "POST", .pattern = "/api/v1/api_keys/cache/invalidate", .operation = kPoolReload},
      {.method = "POST", .pattern = "/api/v1/api_keys/cache/refresh", .operation = kPoolReload},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/cache/status",
       .operation = R"json({"tags": ["keys"], "responses": {
    "200": {"description": "the pool's key counts against the stored rows'", "content": {"application/json": {"schema": {
      "type": "object", "required": ["cache_status", "cached_keys_count", "actual_active_keys_count", "cache_accuracy", "cache_ttl_seconds", "pool", "database", "statistics"],
      "properties": {"cache_status": {"type": "string"}, "cached_keys_count": {"type": "integer"},
        "actual_active_keys_count": {"type": "integer"}, "cache_accuracy": {"type": "boolean"},
        "cache_ttl_seconds": {"type": "null"},
        "pool": {"$ref": "#/components/schemas/StatusCounts"}, "database": {"$ref": "#/components/schemas/StatusCounts"},
        "statistics": {"type": "object"}}}}}}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/api_keys/cache/reset-stats",
       .operation = R"json({"tags": ["keys"], "responses": {
    "200": {"description": "the reload statistics are zeroed", "content": {"application/json": {"schema": {
      "type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}}}}}})json"},
      {.method = "DELETE",
       .pattern = "/api/v1/api_keys/bulk-delete",
       .operation = R"json({"tags": ["keys"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "oneOf": [{"type": "array", "items": {"type": "integer"}},
              {"type": "object", "required": ["ids"], "properties": {"ids": {"type": "array", "items": {"type": "integer"}}}}]}}}},
  "responses": {
    "200": {"description": "deleted", "content": {"application/json": {"schema": {
      "type": "object", "required": ["detail", "deleted"],
      "properties": {"detail": {"type": "string"}, "deleted": {"type": "integer"}}}}}}
  }})json"},

      // --- admin/key_routes.cpp
      {.method = "GET",
       .pattern = "/api/v1/api_keys/paginated",
       .operation = R"json({"tags": ["keys"],
  "parameters": [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
    {"name": "status", "in": "query", "schema": {"$ref": "#/components/schemas/KeyStatus"}},
    {"name": "search_key", "in": "query", "schema": {"type": "string"}, "description": "part of a key's value"},
    {"name": "min_failed_count", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
  "responses": {
    "200": {"description": "a page of keys (masked)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiKeyPage"}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "POST", .pattern = "/api/v1/api_keys", .operation = R"json({"tags": ["keys"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["key_value"],
    "properties": {"key_value": {"type": "string"}, "status": {"$ref": "#/components/schemas/KeyStatus"},
      "description": {"type": "string"}, "priority": {"$ref": "#/components/schemas/KeyPriority"}}}}}},
  "responses": {
    "201": {"description": "the key (masked)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiKey"}}}},
    "409": {"description": "the key already exists (code duplicate_key)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "GET", .pattern = "/api/v1/api_keys", .operation = R"json({"tags": ["keys"],
  "parameters": [
    {"name": "skip", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
  "responses": {
    "200": {"description": "keys (masked)", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ApiKey"}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/{id}/reveal",
       .operation = R"json({"tags": ["keys"], "responses": {
    "200": {"description": "the whole value; written to the audit log", "content": {"application/json": {"schema": {
      "type": "object", "required": ["id", "key_value"],
      "properties": {"id": {"type": "integer"}, "key_value": {"type": "string"}}}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/{id}/detail",
       .operation = R"json({"tags": ["keys"], "responses": {
    "200": {"description": "the key with its live state and status history, newest first", "content": {"application/json": {"schema": {
      "allOf": [{"$ref": "#/components/schemas/ApiKey"}],
      "type": "object", "required": ["live", "status_history"],
      "properties": {
        "live": {"type": "object", "required": ["status", "failed_count", "cooldowns"],
          "properties": {"status": {"$ref": "#/components/schemas/KeyStatus"}, "failed_count": {"type": "integer"},
            "cooldowns": {"type": "array", "items": {"type": "object", "required": ["model", "until", "reason"],
              "properties": {"model": {"type": "string"}, "until": {"$ref": "#/components/schemas/DateTime"}, "reason": {"type": "string"}}}},
            "bucket": {"type": "object", "required": ["capacity", "tokens", "refill_rate", "priority", "overridden"],
              "properties": {"capacity": {"type": "integer"}, "tokens": {"type": "number"}, "refill_rate": {"type": "number"},
                "priority": {"$ref": "#/components/schemas/KeyPriority"}, "overridden": {"type": "boolean"}}},
            "usage_last_24_hours": {"type": "integer"}, "failures_last_24_hours": {"type": "integer"}}},
        "status_history": {"type": "array", "items": {"type": "object", "required": ["from_status", "to_status", "reason", "created_at"],
          "properties": {"from_status": {"type": "string"}, "to_status": {"type": "string"}, "reason": {"type": "string"},
            "created_at": {"$ref": "#/components/schemas/DateTime"}}}}}}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/{id}",
       .operation = R"json({"tags": ["keys"], "responses": {
    "200": {"description": "the key (masked)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiKey"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "PUT", .pattern = "/api/v1/api_keys/{id}", .operation = R"json({"tags": ["keys"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object",
    "properties": {"key_value": {"type": "string"}, "status": {"$ref": "#/components/schemas/KeyStatus"},
      "description": {"type": "string"}, "priority": {"$ref": "#/components/schemas/KeyPriority"}}}}}},
  "responses": {
    "200": {"description": "the key (masked)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiKey"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"},
    "409": {"description": "another key has this value (code duplicate_key)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "DELETE",
       .pattern = "/api/v1/api_keys/{id}",
       .operation = R"json({"tags": ["keys"], "responses": {
    "200": {"description": "deleted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},

      // --- admin/config_routes.cpp
      {.method = "GET",
       .pattern = "/api/v1/config",
       .operation = R"json({"tags": ["config"], "responses": {
    "200": {"description": "every entry (secrets masked)", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ConfigItem"}}}}}}})json"},
      {.method = "GET",
       .pattern = "/api/v1/config/{key}",
       .operation = R"json({"tags": ["config"], "responses": {
    "200": {"description": "the entry (a secret masked)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConfigItem"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "POST", .pattern = "/api/v1/config", .operation = R"json({"tags": ["config"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["key", "value"],
    "properties": {"key": {"type": "string", "minLength": 1}, "value": {"$ref": "#/components/schemas/ConfigValue"}}}}}},
  "responses": {
    "201": {"description": "created; in effect at once (a secret shown masked)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConfigItem"}}}},
    "409": {"description": "the key exists (conflict): use PUT /api/v1/config/{key}", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "DELETE",
       .pattern = "/api/v1/config/{key}",
       .operation = R"json({"tags": ["config"], "responses": {
    "204": {"description": "deleted; its default applies again at once"},
    "404": {"$ref": "#/components/responses/AdminNotFound"},
    "422": {"description": "api_token and target_api_url cannot be deleted (config_required)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/config/bulk-save",
       .operation = R"json({"tags": ["config"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["key", "value"],
      "properties": {"key": {"type": "string"}, "value": {"$ref": "#/components/schemas/ConfigValue"}}}}}}}}},
  "responses": {
    "200": {"description": "saved; in effect at once", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}}
  }})json"},
      {.method = "PUT", .pattern = "/api/v1/config/{key}", .operation = R"json({"tags": ["config"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["value"], "properties": {"value": {"type": "string"}}}}}},
  "responses": {
    "200": {"description": "saved; in effect at once", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConfigItem"}}}}
  }})json"},

      // --- admin/user_routes.cpp
      {.method = "GET",
       .pattern = "/api/v1/users",
       .operation = R"json({"tags": ["users"], "responses": {
    "200": {"description": "every console user", "content": {"application/json": {"schema": {
      "type": "object", "required": ["total", "items"],
      "properties": {"total": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}}}}}}})json"},
      {.method = "POST", .pattern = "/api/v1/users", .operation = R"json({"tags": ["users"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["username"],
    "properties": {"username": {"type": "string"},
      "password": {"type": "string", "description": "checked by the password policy; without it one is generated, returned once and must be changed at the first login"},
      "role": {"enum": ["admin", "viewer"], "default": "viewer"}}}}}},
  "responses": {
    "201": {"description": "created; `password` only when it was generated", "content": {"application/json": {"schema": {
      "allOf": [{"$ref": "#/components/schemas/User"},
        {"type": "object", "properties": {"password": {"type": "string"}}}]}}}},
    "409": {"description": "the username is taken (conflict)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}},
    "503": {"description": "too many password checks in progress (Retry-After)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/users/{id}",
       .operation = R"json({"tags": ["users"], "responses": {
    "200": {"description": "the user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
    "404": {"description": "no such user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}}})json"},
      {.method = "PUT", .pattern = "/api/v1/users/{id}", .operation = R"json({"tags": ["users"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "minProperties": 1,
    "properties": {"role": {"enum": ["admin", "viewer"]}, "is_active": {"type": "boolean"}}}}}},
  "responses": {
    "200": {"description": "changed; disabling revokes the user's sessions", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
    "404": {"description": "no such user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}},
    "409": {"description": "it would leave no active admin (last_admin), or an admin disabling themself (own_account)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "DELETE",
       .pattern = "/api/v1/users/{id}",
       .operation = R"json({"tags": ["users"], "responses": {
    "204": {"description": "deleted, with the user's sessions"},
    "404": {"description": "no such user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}},
    "409": {"description": "the last active admin (last_admin), or the caller's own account (own_account)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/users/{id}/reset-password",
       .operation = R"json({"tags": ["users"], "responses": {
    "200": {"description": "a generated password, shown once; the user must change it at the next login and every session of theirs is revoked",
      "content": {"application/json": {"schema": {"type": "object", "required": ["password"],
        "properties": {"password": {"type": "string"}}}}}},
    "404": {"description": "no such user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}},
    "503": {"description": "too many password checks in progress (Retry-After)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}}
  }})json"},

      // --- admin/token_routes.cpp
      {.method = "GET", .pattern = "/api/v1/tokens", .operation = R"json({"tags": ["tokens"],
  "parameters": [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
    {"name": "search", "in": "query", "description": "case-insensitive substring of the name or the note", "schema": {"type": "string"}},
    {"name": "enabled", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}],
  "responses": {
    "200": {"description": "a page of client tokens (values never shown)", "content": {"application/json": {"schema": {
      "type": "object", "required": ["total", "items"],
      "properties": {"total": {"type": "integer"}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/ClientToken"}}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "POST", .pattern = "/api/v1/tokens", .operation = R"json({"tags": ["tokens"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "allOf": [{"$ref": "#/components/schemas/ClientTokenFields"}, {"required": ["name"]}]}}}},
  "responses": {
    "201": {"description": "created; `token` holds the value, shown this once", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientTokenWithValue"}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/tokens/{id}",
       .operation = R"json({"tags": ["tokens"], "responses": {
    "200": {"description": "the token and its usage (its value never shown)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientToken"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "PUT", .pattern = "/api/v1/tokens/{id}", .operation = R"json({"tags": ["tokens"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientTokenFields"}}}},
  "responses": {
    "200": {"description": "the changed token; in effect for the next request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientToken"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/tokens/{id}/enable",
       .operation = R"json({"tags": ["tokens"], "responses": {
    "200": {"description": "the token, enabled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientToken"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/tokens/{id}/disable",
       .operation = R"json({"tags": ["tokens"], "responses": {
    "200": {"description": "the token, disabled (refused with 401 from the next request)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientToken"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/tokens/{id}/rotate",
       .operation = R"json({"tags": ["tokens"], "responses": {
    "200": {"description": "a new value in `token`, shown this once; the old value stops at once", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientTokenWithValue"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "DELETE",
       .pattern = "/api/v1/tokens/{id}",
       .operation = R"json({"tags": ["tokens"], "responses": {
    "204": {"description": "deleted; refused with 401 from the next request"},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},

      // --- admin/alert_routes.cpp
      {.method = "GET",
       .pattern = "/api/v1/alerts",
       .operation = R"json({"tags": ["alerts"], "responses": {
    "200": {"description": "every webhook; `dropped` counts events lost to a full delivery queue since start", "content": {"application/json": {"schema": {
      "type": "object", "required": ["items", "dropped"],
      "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AlertWebhook"}}, "dropped": {"type": "integer"}}}}}}}})json"},
      {.method = "POST", .pattern = "/api/v1/alerts", .operation = R"json({"tags": ["alerts"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "allOf": [{"$ref": "#/components/schemas/AlertWebhookFields"}, {"required": ["name", "url", "events"]}]}}}},
  "responses": {
    "201": {"description": "created; in effect at once", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AlertWebhook"}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/alerts/deliveries",
       .operation = R"json({"tags": ["alerts"],
  "parameters": [
    {"name": "webhook_id", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "cursor", "in": "query", "description": "the previous page's next_cursor", "schema": {"type": "integer", "minimum": 1}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}],
  "responses": {
    "200": {"description": "deliveries, newest first (the log keeps the newest 10000)", "content": {"application/json": {"schema": {
      "type": "object", "required": ["items", "next_cursor"],
      "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AlertDelivery"}}, "next_cursor": {"type": ["integer", "null"]}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/alerts/{id}",
       .operation = R"json({"tags": ["alerts"], "responses": {
    "200": {"description": "the webhook", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AlertWebhook"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "PUT", .pattern = "/api/v1/alerts/{id}", .operation = R"json({"tags": ["alerts"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AlertWebhookFields"}}}},
  "responses": {
    "200": {"description": "the changed webhook; in effect at once", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AlertWebhook"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "DELETE",
       .pattern = "/api/v1/alerts/{id}",
       .operation = R"json({"tags": ["alerts"], "responses": {
    "204": {"description": "deleted, with its delivery log"},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/alerts/{id}/test",
       .operation = R"json({"tags": ["alerts"], "responses": {
    "200": {"description": "a test event was sent (one attempt, recorded in the delivery log); `delivered` says whether the receiver took it", "content": {"application/json": {"schema": {
      "type": "object", "required": ["webhook_id", "event", "delivered", "attempts", "status", "error"],
      "properties": {"webhook_id": {"type": "integer"}, "event": {"const": "test"}, "delivered": {"type": "boolean"},
        "attempts": {"type": "integer"}, "status": {"type": ["integer", "null"], "description": "the receiver's status, if it answered"},
        "error": {"type": "string", "description": "why it was not delivered (a refused address, a timeout, a non-2xx answer)"}}}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},

      // --- admin/audit_routes.cpp
      {.method = "GET", .pattern = "/api/v1/audit", .operation = R"json({"tags": ["audit"],
  "parameters": [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
    {"name": "user", "in": "query", "description": "a username", "schema": {"type": "string"}},
    {"name": "action", "in": "query", "description": "e.g. key.reveal, token.create, config.delete", "schema": {"type": "string"}},
    {"name": "target", "in": "query", "description": "e.g. a key id or a config key", "schema": {"type": "string"}},
    {"name": "since", "in": "query", "description": "inclusive", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "until", "in": "query", "description": "exclusive", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "limit", "in": "query", "description": "with cursor paging", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    {"name": "cursor", "in": "query", "description": "next_cursor of the previous page", "schema": {"type": "string"}}],
  "responses": {
    "200": {"description": "the matching entries, newest first", "content": {"application/json": {"schema": {
      "type": "object", "required": ["total", "items", "next_cursor"],
      "properties": {"total": {"type": "integer"}, "next_cursor": {"type": ["string", "null"]}, "items": {"type": "array", "items": {"type": "object",
        "required": ["id", "user_id", "username", "action", "target", "detail", "ip", "created_at"],
        "properties": {"id": {"type": "integer"}, "user_id": {"type": ["integer", "null"]}, "username": {"type": "string"},
          "action": {"type": "string"}, "target": {"type": "string"}, "detail": {"type": "string"},
          "ip": {"type": "string"}, "created_at": {"$ref": "#/components/schemas/DateTime"}}}}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},

      // --- admin/log_routes.cpp
      {.method = "GET", .pattern = "/api/v1/logs", .operation = R"json({"tags": ["logs"],
  "parameters": [
    {"name": "since", "in": "query", "description": "inclusive", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "until", "in": "query", "description": "exclusive", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "token_id", "in": "query", "description": "0: the default api_token", "schema": {"type": "integer", "minimum": 0}},
    {"name": "key_id", "in": "query", "description": "a key among those tried", "schema": {"type": "integer", "minimum": 0}},
    {"name": "model", "in": "query", "schema": {"type": "string"}},
    {"name": "protocol", "in": "query", "schema": {"type": "string", "enum": ["gemini", "openai", "anthropic", "admin"]}},
    {"name": "status", "in": "query", "description": "a status class", "schema": {"type": "string", "enum": ["1xx", "2xx", "3xx", "4xx", "5xx"]}},
    {"name": "stream", "in": "query", "schema": {"type": "boolean"}},
    {"name": "min_latency_ms", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "error", "in": "query", "description": "case-insensitive text in the error message. With error, min_latency_ms or stream set (filters checked row by row), or two or more of token_id, model, protocol and status (without key_id or request_id), a page looks through at most 50 000 rows: it may hold fewer than limit entries and still carry a next_cursor", "schema": {"type": "string"}},
    {"name": "request_id", "in": "query", "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    {"name": "cursor", "in": "query", "description": "next_cursor of the previous page", "schema": {"type": "string"}}],
  "responses": {
    "200": {"description": "the matching requests, newest first", "content": {"application/json": {"schema": {
      "type": "object", "required": ["items", "next_cursor"],
      "properties": {"next_cursor": {"type": ["string", "null"]}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/RequestLogEntry"}}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/logs/{id}",
       .operation = R"json({"tags": ["logs"], "responses": {
    "200": {"description": "one request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RequestLogEntry"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},

      // --- admin/usage_routes.cpp
      {.method = "GET",
       .pattern = "/api/v1/usage/timeseries",
       .operation = R"json({"tags": ["usage"],
  "parameters": [
    {"name": "from", "in": "query", "description": "default: 24 h before to; floored to the step's granularity", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "to", "in": "query", "description": "default: now; ceiled to the step's granularity; at most 731 days after from", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "step", "in": "query", "description": "minute, hour, day or seconds (a multiple of 60); default: the finest of 1, 5, 15 min, 1, 3, 6 h, 1, 7 days that gives at most 500 points; at most 1500 points. Minute cells are kept 48 h, hour cells 90 days, day cells 2 years", "schema": {"type": "string"}},
    {"name": "model", "in": "query", "description": "only this model (at most one of model, token_id, key_id)", "schema": {"type": "string"}},
    {"name": "token_id", "in": "query", "description": "only this client token (0: the default api_token)", "schema": {"type": "integer", "minimum": 0}},
    {"name": "key_id", "in": "query", "description": "only the requests that tried this key", "schema": {"type": "integer", "minimum": 0}}],
  "responses": {
    "200": {"description": "one point per step, zeros where nothing happened", "content": {"application/json": {"schema": {
      "type": "object", "required": ["from", "to", "step_seconds", "granularity", "dimension", "value", "points"],
      "properties": {"from": {"$ref": "#/components/schemas/DateTime"}, "to": {"$ref": "#/components/schemas/DateTime"},
        "step_seconds": {"type": "integer"}, "granularity": {"enum": ["minute", "hour", "day"]},
        "dimension": {"enum": ["all", "model", "token", "key"]}, "value": {"type": ["string", "null"]},
        "points": {"type": "array", "items": {"$ref": "#/components/schemas/UsagePoint"}}}},
      "example": {"from": "2026-11-26T10:00:00.000Z", "to": "2026-11-26T10:02:00.000Z", "step_seconds": 60, "granularity": "minute", "dimension": "model", "value": "gemini-2.5-flash",
        "points": [{"timestamp": "2026-11-26T10:00:00.000Z", "requests": 3, "errors": 1, "errors_by_class": {"upstream_error": 1}, "attempts": 4, "failed_attempts": 2,
          "prompt_tokens": 30, "completion_tokens": 60, "thought_tokens": 0, "cached_tokens": 0, "latency_ms": {"avg": 140, "p50": 117, "p95": 150, "p99": 150}},
          {"timestamp": "2026-11-26T10:01:00.000Z", "requests": 0, "errors": 0, "errors_by_class": {}, "attempts": 0, "failed_attempts": 0,
          "prompt_tokens": 0, "completion_tokens": 0, "thought_tokens": 0, "cached_tokens": 0, "latency_ms": {"avg": null, "p50": null, "p95": null, "p99": null}}]}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET", .pattern = "/api/v1/usage/top", .operation = R"json({"tags": ["usage"],
  "parameters": [
    {"name": "by", "in": "query", "required": true, "schema": {"enum": ["model", "token", "key"]}},
    {"name": "from", "in": "query", "description": "default: 24 h before to; exact to the minute (to the hour past 48 h, to the day past 90 days)", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "to", "in": "query", "description": "default: now", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}}],
  "responses": {
    "200": {"description": "by requests, most first", "content": {"application/json": {"schema": {
      "type": "object", "required": ["by", "from", "to", "items"],
      "properties": {"by": {"enum": ["model", "token", "key"]}, "from": {"$ref": "#/components/schemas/DateTime"}, "to": {"$ref": "#/components/schemas/DateTime"},
        "items": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/UsageCounts"}], "type": "object", "required": ["value"],
          "properties": {"value": {"type": "string", "description": "the model, or the token or key id as text"},
            "token_id": {"type": "integer"}, "key_id": {"type": "integer"},
            "key_value": {"type": ["string", "null"], "description": "masked; null when the key is no longer in the pool"}}}}}},
      "example": {"by": "key", "from": "2026-11-25T10:00:00.000Z", "to": "2026-11-26T10:00:00.000Z", "items": [{"value": "12", "key_id": 12, "key_value": "AIzaSy...x9Qk",
        "requests": 40, "errors": 0, "errors_by_class": {}, "attempts": 41, "failed_attempts": 1, "prompt_tokens": 400, "completion_tokens": 800, "thought_tokens": 0, "cached_tokens": 0,
        "latency_ms": {"avg": 120, "p50": 113, "p95": 146, "p99": 149}}]}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/usage/keys/{id}",
       .operation = R"json({"tags": ["usage"],
  "parameters": [
    {"name": "from", "in": "query", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "to", "in": "query", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "step", "in": "query", "description": "as in /usage/timeseries", "schema": {"type": "string"}}],
  "responses": {
    "200": {"description": "the key's totals over the range and its points (by id; the value masked, never in full)", "content": {"application/json": {"schema": {
      "type": "object", "required": ["key_id", "key_value", "from", "to", "step_seconds", "granularity", "totals", "points"],
      "properties": {"key_id": {"type": "integer"}, "key_value": {"type": ["string", "null"], "description": "masked; null when the key is no longer in the pool"},
        "from": {"$ref": "#/components/schemas/DateTime"}, "to": {"$ref": "#/components/schemas/DateTime"},
        "step_seconds": {"type": "integer"}, "granularity": {"enum": ["minute", "hour", "day"]},
        "totals": {"$ref": "#/components/schemas/UsageCounts"}, "points": {"type": "array", "items": {"$ref": "#/components/schemas/UsagePoint"}}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/usage/tokens/{id}",
       .operation = R"json({"tags": ["usage"],
  "parameters": [
    {"name": "from", "in": "query", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "to", "in": "query", "schema": {"$ref": "#/components/schemas/DateTime"}},
    {"name": "step", "in": "query", "description": "as in /usage/timeseries", "schema": {"type": "string"}}],
  "responses": {
    "200": {"description": "the client token's totals over the range and its points (0: the default api_token)", "content": {"application/json": {"schema": {
      "type": "object", "required": ["token_id", "from", "to", "step_seconds", "granularity", "totals", "points"],
      "properties": {"token_id": {"type": "integer"},
        "from": {"$ref": "#/components/schemas/DateTime"}, "to": {"$ref": "#/components/schemas/DateTime"},
        "step_seconds": {"type": "integer"}, "granularity": {"enum": ["minute", "hour", "day"]},
        "totals": {"$ref": "#/components/schemas/UsageCounts"}, "points": {"type": "array", "items": {"$ref": "#/components/schemas/UsagePoint"}}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},

      // --- admin/token_bucket_routes.cpp
      {.method = "GET",
       .pattern = "/api/v1/token-bucket/config",
       .operation = R"json({"tags": ["token-bucket"], "responses": {
    "200": {"description": "the 18 settings", "content": {"application/json": {"schema": {
      "type": "object", "required": ["success", "data", "message"],
      "properties": {"success": {"const": true}, "message": {"type": "string"},
        "data": {"type": "object", "additionalProperties": {"type": ["integer", "number", "boolean"]}}}}}}}}})json"},
      {.method = "PUT",
       .pattern = "/api/v1/token-bucket/config",
       .operation = R"json({"tags": ["token-bucket"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "minProperties": 1, "additionalProperties": {"type": ["integer", "number", "boolean", "string"]},
    "description": "any of the 18 settings of GET, by name"}}}},
  "responses": {
    "200": {"description": "saved; in effect at once", "content": {"application/json": {"schema": {
      "type": "object", "required": ["success", "message"], "properties": {"success": {"const": true}, "message": {"type": "string"}}}}}},
    "422": {"description": "a setting is unknown or out of range; errors names each", "content": {"application/json": {"schema": {
      "allOf": [{"$ref": "#/components/schemas/AdminError"}],
      "properties": {"errors": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/token-bucket/api-keys/{id}/configure",
       .operation = R"json({"tags": ["token-bucket"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BucketLimits"}}}},
  "responses": {
    "200": {"description": "the key's own limits, stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BucketChange"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}
  }})json"},
      {.method = "DELETE",
       .pattern = "/api/v1/token-bucket/api-keys/{id}/configure",
       .operation = R"json({"tags": ["token-bucket"], "responses": {
    "200": {"description": "back to the priority tier's limits", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BucketChange"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/token-bucket/api-keys/{id}/reset",
       .operation = R"json({"tags": ["token-bucket"], "responses": {
    "200": {"description": "refilled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BucketChange"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "GET",
       .pattern = "/api/v1/token-bucket/api-keys/{id}/status",
       .operation = R"json({"tags": ["token-bucket"], "responses": {
    "200": {"description": "the key's bucket", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bucket"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "GET",
       .pattern = "/api/v1/token-bucket/api-keys/status",
       .operation = R"json({"tags": ["token-bucket"], "responses": {
    "200": {"description": "the bucket of every active key", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Bucket"}}}}}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/token-bucket/batch-configure",
       .operation = R"json({"tags": ["token-bucket"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BucketLimits"}}}},
  "responses": {
    "200": {"description": "every active key got these limits", "content": {"application/json": {"schema": {
      "type": "object", "required": ["success", "configured_count", "message"],
      "properties": {"success": {"const": true}, "configured_count": {"type": "integer"}, "message": {"type": "string"}}}}}}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/token-bucket/cleanup",
       .operation = R"json({"tags": ["token-bucket"], "responses": {
    "200": {"description": "idle buckets forgotten", "content": {"application/json": {"schema": {
      "type": "object", "required": ["success", "forgotten_buckets", "message"],
      "properties": {"success": {"const": true}, "forgotten_buckets": {"type": "integer"}, "message": {"type": "string"}}}}}}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/token-bucket/test-selection",
       .operation = R"json({"tags": ["token-bucket"],
  "parameters": [
    {"name": "required_tokens", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1}},
    {"name": "use_token_bucket", "in": "query", "schema": {"type": "boolean", "default": true}}],
  "responses": {
    "200": {"description": "the key the proxy would pick; tokens taken from its bucket", "content": {"application/json": {"schema": {
      "type": "object", "required": ["success", "selected_api_key_id", "key_value_preview", "message"],
      "properties": {"success": {"const": true}, "selected_api_key_id": {"type": "integer"},
        "key_value_preview": {"type": "string"}, "message": {"type": "string"},
        "token_info": {"$ref": "#/components/schemas/Bucket"}}}}}},
    "409": {"description": "no key to pick (Retry-After when one becomes eligible)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/token-bucket/statistics",
       .operation = R"json({"tags": ["token-bucket"], "responses": {
    "200": {"description": "totals over every key", "content": {"application/json": {"schema": {
      "type": "object", "required": ["success", "data"],
      "properties": {"success": {"const": true}, "data": {"type": "object",
        "required": ["total_api_keys", "configured_keys", "total_capacity", "total_available_tokens", "average_capacity", "average_available_tokens", "utilization_rate"],
        "properties": {"total_api_keys": {"type": "integer"}, "configured_keys": {"type": "integer"},
          "total_capacity": {"type": "integer"}, "total_available_tokens": {"type": "number"},
          "average_capacity": {"type": "number"}, "average_available_tokens": {"type": "number"},
          "utilization_rate": {"type": "number", "description": "percent"}}}}}}}}}})json"},

      // --- admin/statistics_routes.cpp
      {.method = "GET",
       .pattern = "/api/v1/api_keys/statistics/keys",
       .operation = R"json({"tags": ["statistics"], "responses": {
    "200": {"description": "key counts by status, live", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyCounts"}}}}}})json"},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/statistics/survival",
       .operation = R"json({"tags": ["statistics"],
  "parameters": [
    {"name": "start_time", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "default: 12 hours before end_time"},
    {"name": "end_time", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "default: now"}],
  "responses": {
    "200": {"description": "snapshots, ascending, at most about 500", "content": {"application/json": {"schema": {
      "type": "object", "required": ["statistics", "resolution", "bucket_seconds", "start_time", "end_time"],
      "properties": {
        "statistics": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/KeyCounts"}],
          "type": "object", "required": ["timestamp"], "properties": {"timestamp": {"$ref": "#/components/schemas/DateTime"}}}},
        "resolution": {"type": "string"}, "bucket_seconds": {"type": "integer"},
        "start_time": {"$ref": "#/components/schemas/DateTime"}, "end_time": {"$ref": "#/components/schemas/DateTime"}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/statistics/calls_by_minute",
       .operation = R"json({"tags": ["statistics"],
  "parameters": [{"name": "hours_ago", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 48, "default": 24}}],
  "responses": {
    "200": {"description": "upstream attempts per key and minute, from the usage aggregates (kept 48 h; keys masked)", "content": {"application/json": {"schema": {
      "type": "object", "required": ["logs", "complete_since"],
      "properties": {"complete_since": {"oneOf": [{"$ref": "#/components/schemas/DateTime"}, {"type": "null"}]},
        "logs": {"type": "array", "items": {"type": "object",
          "required": ["api_key_id", "key_value", "timestamp", "call_count", "failure_count"],
          "properties": {"api_key_id": {"type": "integer"}, "key_value": {"type": "string"},
            "timestamp": {"$ref": "#/components/schemas/DateTime"}, "call_count": {"type": "integer"},
            "failure_count": {"type": "integer"}}}}}}}}},
    "422": {"$ref": "#/components/responses/AdminValidationError"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/statistics/calls",
       .operation = R"json({"tags": ["statistics"], "responses": {
    "200": {"description": "upstream attempts, retries included, from the usage aggregates: each window counts the whole minutes that overlap it; the month is the current UTC month", "content": {"application/json": {"schema": {
      "type": "object", "required": ["calls_last_1_minute", "calls_last_1_hour", "calls_last_24_hours", "monthly_usage", "failures_last_24_hours"],
      "properties": {"calls_last_1_minute": {"type": "integer"}, "calls_last_1_hour": {"type": "integer"},
        "calls_last_24_hours": {"type": "integer"}, "monthly_usage": {"type": "integer"},
        "failures_last_24_hours": {"type": "integer"}}}}}}}})json"},

      // --- admin/key_check_routes.cpp
      {.method = "POST",
       .pattern = "/api/v1/api_keys/bulk-check",
       .operation = R"json({"tags": ["key-checks"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyIds"}}}},
  "responses": {
    "202": {"description": "the check runs in the background", "content": {"application/json": {"schema": {
      "type": "object", "required": ["message", "task_id", "total_keys"],
      "properties": {"message": {"type": "string"}, "task_id": {"type": "string"}, "total_keys": {"type": "integer"}}}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}
  }})json"},
      {.method = "GET",
       .pattern = "/api/v1/api_keys/bulk-check/{task_id}/status",
       .operation = R"json({"tags": ["key-checks"], "responses": {
    "200": {"description": "the task's progress and results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BulkCheckTask"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
      {.method = "POST",
       .pattern = "/api/v1/api_keys/bulk-check-sync",
       .operation = R"json({"tags": ["key-checks"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyIds"}}}},
  "responses": {
    "200": {"description": "every key checked (at most 1000)", "content": {"application/json": {"schema": {
      "type": "object", "required": ["results"],
      "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/CheckResult"}}}}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}
  }})json"},
      {.method = "POST",
       .pattern = "/api/v1/api_keys/check/{id}",
       .operation = R"json({"tags": ["key-checks"], "responses": {
    "200": {"description": "the key checked now", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckResult"}}}},
    "404": {"$ref": "#/components/responses/AdminNotFound"}}})json"},
  };
  return kDocs;
}

std::vector<OperationDoc> operationDocs() {
  std::vector<OperationDoc> all;
  for (const auto part : {clientDocs(), adminDocs()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

}  // namespace poise::openapi
