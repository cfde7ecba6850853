// The OpenAPI document without paths: info, tags, security schemes, the error envelopes and the
// shared schemas (JSON Schema 2020-12) that operation docs refer to with $ref.
#include "openapi/operation_docs.h"

namespace poise::openapi {

std::string_view documentBase() {
  return R"json({
  "openapi": "3.1.0",
  "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
  "info": {
    "title": "Gemini Poise",
    "version": "0.1.0",
    "summary": "A self-hosted gateway in front of Google's Gemini API",
    "description": "Client routes (Gemini native, OpenAI, Anthropic) take a gateway token; the admin API (/api/v1) takes a console session from POST /api/v1/login. Each operation's x-poise-access names who may call it: anyone, gateway_token, viewer (any console session) or admin."
  },
  "tags": [
    {"name": "gemini", "description": "Gemini native API, passed through with a pool key"},
    {"name": "openai", "description": "OpenAI-compatible routes, translated to Gemini"},
    {"name": "anthropic", "description": "Anthropic Messages, translated to Gemini"},
    {"name": "sessions", "description": "Console log-in, log-out and the signed-in user"},
    {"name": "keys", "description": "Upstream Gemini keys"},
    {"name": "key-checks", "description": "Key validation against the upstream"},
    {"name": "statistics", "description": "Key and call statistics"},
    {"name": "token-bucket", "description": "Per-key token buckets"},
    {"name": "config", "description": "Runtime configuration (takes effect at once)"},
    {"name": "audit", "description": "The audit log of admin actions"},
    {"name": "logs", "description": "The request log: one entry per client request, key ids never values"},
    {"name": "usage", "description": "Usage aggregates: requests, errors, tokens and latency percentiles per minute, hour and day, by model, client token and key"},
    {"name": "tokens", "description": "Client tokens: gateway tokens per app or person, with limits"},
    {"name": "users", "description": "Console users and their roles (admin, viewer)"},
    {"name": "alerts", "description": "Alert webhooks: key errors, a low pool, a high error rate, failed validations; their delivery log"},
    {"name": "operations", "description": "Health, readiness, metrics and this documentation"}
  ],
  "components": {
    "securitySchemes": {
      "gatewayBearer": {"type": "http", "scheme": "bearer", "description": "A gateway token as Authorization: Bearer (OpenAI SDKs)"},
      "gatewayGoogApiKey": {"type": "apiKey", "in": "header", "name": "x-goog-api-key", "description": "A gateway token in Gemini's key header"},
      "gatewayKeyQuery": {"type": "apiKey", "in": "query", "name": "key", "description": "A gateway token in Gemini's key query parameter"},
      "gatewayAnthropicKey": {"type": "apiKey", "in": "header", "name": "x-api-key", "description": "A gateway token in Anthropic's key header"},
      "sessionBearer": {"type": "http", "scheme": "bearer", "description": "The access_token from POST /api/v1/login"},
      "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "poise_session", "description": "The console's HttpOnly session cookie set by POST /api/v1/login"},
      "metricsBearer": {"type": "http", "scheme": "bearer", "description": "POISE_METRICS_TOKEN, required by GET /metrics when it is set"},
      "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-Poise-Request", "description": "Any non-empty value; required with the session cookie on every method but GET and HEAD"}
    },
    "schemas": {
      "AdminError": {
        "type": "object",
        "required": ["detail", "code"],
        "properties": {
          "detail": {"type": "string", "description": "a human message"},
          "code": {"type": "string", "description": "a machine code: validation_error, not_found, unauthorized, csrf, …"}
        }
      },
      "GeminiError": {
        "type": "object",
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "required": ["code", "message", "status"],
            "properties": {
              "code": {"type": "integer"},
              "message": {"type": "string"},
              "status": {"type": "string", "description": "Google's status name: INVALID_ARGUMENT, UNAUTHENTICATED, …"}
            }
          }
        }
      },
      "OpenAIError": {
        "type": "object",
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
              "message": {"type": "string"},
              "type": {"type": "string"},
              "param": {"type": ["string", "null"]},
              "code": {"type": ["string", "null"]}
            }
          }
        }
      },
      "AnthropicError": {
        "type": "object",
        "required": ["type", "error"],
        "properties": {
          "type": {"const": "error"},
          "error": {
            "type": "object",
            "required": ["type", "message"],
            "properties": {"type": {"type": "string"}, "message": {"type": "string"}}
          }
        }
      },
      "Message": {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"type": "string"}}
      },
      "Detail": {
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"type": "string"}}
      },
      "DateTime": {"type": "string", "format": "date-time"},
      "RequestLogEntry": {"type": "object",
        "required": ["id", "created_at", "request_id", "token_id", "token_name", "protocol", "route", "method", "path", "model", "stream", "status", "attempts", "keys_tried", "key_ids", "latency_ms", "ttfb_ms", "prompt_tokens", "completion_tokens", "thought_tokens", "cached_tokens", "error_class", "error_message", "client_ip", "user_agent"],
        "properties": {"id": {"type": "integer"}, "created_at": {"$ref": "#/components/schemas/DateTime"}, "request_id": {"type": "string"},
          "token_id": {"type": "integer", "description": "0: the default api_token"}, "token_name": {"type": "string"},
          "protocol": {"type": "string"}, "route": {"type": "string"}, "method": {"type": "string"}, "path": {"type": "string"},
          "model": {"type": "string"}, "stream": {"type": "boolean"}, "status": {"type": "integer", "description": "499: the client left before any answer"},
          "attempts": {"type": "integer"}, "keys_tried": {"type": "string", "description": "key ids with outcomes, e.g. 12:cooldown,15:success; never key values"},
          "key_ids": {"type": "array", "items": {"type": "integer"}}, "latency_ms": {"type": "integer"}, "ttfb_ms": {"type": ["integer", "null"]},
          "prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"}, "thought_tokens": {"type": "integer"}, "cached_tokens": {"type": "integer"},
          "error_class": {"type": "string"}, "error_message": {"type": "string"}, "client_ip": {"type": "string"}, "user_agent": {"type": "string"},
          "request_body": {"type": "string", "description": "GET /api/v1/logs/{id} only, when request_log_body_capture_kb was on: the first KiB of the request body, keys and tokens masked"},
          "response_body": {"type": "string", "description": "as request_body, for the answer sent to the client"}}},
      "UsageCounts": {"type": "object",
        "description": "Sums over a step or a range. For a key, requests are those that tried it, attempts and failed_attempts its own, and tokens only those of requests it served (the last attempt).",
        "required": ["requests", "errors", "errors_by_class", "attempts", "failed_attempts", "prompt_tokens", "completion_tokens", "thought_tokens", "cached_tokens", "latency_ms"],
        "properties": {"requests": {"type": "integer"}, "errors": {"type": "integer", "description": "requests with an error class"},
          "errors_by_class": {"type": "object", "description": "non-zero counts by error class (bad_request, rate_limited, no_key, upstream_error, upstream_timeout, client_gone, …)", "additionalProperties": {"type": "integer"}},
          "attempts": {"type": "integer", "description": "upstream attempts, retries included"},
          "failed_attempts": {"type": "integer", "description": "attempts that were neither a success nor the client's own error"},
          "prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"}, "thought_tokens": {"type": "integer"}, "cached_tokens": {"type": "integer"},
          "latency_ms": {"type": "object", "required": ["avg", "p50", "p95", "p99"],
            "description": "whole milliseconds; percentiles interpolated in a fixed histogram (bounds 5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 750 ms, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 30, 60, 120 s); null without requests",
            "properties": {"avg": {"type": ["integer", "null"]}, "p50": {"type": ["integer", "null"]}, "p95": {"type": ["integer", "null"]}, "p99": {"type": ["integer", "null"]}}}}},
      "UsagePoint": {"allOf": [{"$ref": "#/components/schemas/UsageCounts"}], "type": "object", "required": ["timestamp"],
        "properties": {"timestamp": {"$ref": "#/components/schemas/DateTime", "description": "the step's first instant"}}},
      "StatusCounts": {"type": "object", "required": ["active", "exhausted", "error", "disabled", "total"],
        "properties": {"active": {"type": "integer"}, "exhausted": {"type": "integer"}, "error": {"type": "integer"},
          "disabled": {"type": "integer"}, "total": {"type": "integer"}}},
      "User": {"type": "object",
        "required": ["id", "username", "role", "is_active", "must_change_password", "created_at", "updated_at"],
        "properties": {"id": {"type": "integer"}, "username": {"type": "string"},
          "role": {"enum": ["admin", "viewer"]}, "is_active": {"type": "boolean"},
          "must_change_password": {"type": "boolean"},
          "created_at": {"$ref": "#/components/schemas/DateTime"},
          "updated_at": {"$ref": "#/components/schemas/DateTime"}}},
      "ClientTokenFields": {"type": "object", "additionalProperties": false, "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "note": {"type": "string", "maxLength": 1024},
        "owner_id": {"type": ["integer", "null"], "description": "a user's id; default the creator"},
        "enabled": {"type": "boolean"},
        "expires_at": {"oneOf": [{"$ref": "#/components/schemas/DateTime"}, {"type": "null"}]},
        "allowed_models": {"type": ["array", "null"], "maxItems": 64, "items": {"type": "string", "pattern": "^[A-Za-z0-9._/*?-]{1,128}$"}, "description": "glob patterns over the Gemini model, after alias resolution; empty: every model"},
        "allowed_protocols": {"type": ["array", "null"], "items": {"type": "string", "enum": ["native", "openai", "anthropic"]}},
        "allowed_cidrs": {"type": ["array", "null"], "maxItems": 64, "items": {"type": "string"}, "description": "client addresses or CIDR blocks; empty: any"},
        "rpm_limit": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000000},
        "daily_request_quota": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000000000},
        "daily_token_quota": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000000000000}}},
      "AlertEvent": {"type": "string", "enum": ["key.error", "key.exhausted", "pool.active_low", "error_rate.high", "validation.failures"]},
      "AlertWebhookFields": {"type": "object", "additionalProperties": false, "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "url": {"type": "string", "maxLength": 2048, "description": "http or https, no credentials or fragment; loopback, private, link-local, CGNAT and multicast targets are refused unless POISE_ALERTS_ALLOW_PRIVATE=on (literal addresses here, every resolved address at each send)"},
        "headers": {"type": ["object", "null"], "maxProperties": 16, "additionalProperties": {"type": "string", "maxLength": 4096}, "description": "custom request headers (no control characters; Host, Content-Type, Content-Length and other framing headers are the gateway's); replaced whole on update"},
        "enabled": {"type": "boolean"},
        "events": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/AlertEvent"}},
        "active_keys_below": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000000, "description": "pool.active_low when fewer keys are active"},
        "active_percent_below": {"type": ["integer", "null"], "minimum": 1, "maximum": 100, "description": "pool.active_low when fewer than this % of the keys are active"},
        "error_rate_percent_above": {"type": ["integer", "null"], "minimum": 0, "maximum": 99, "description": "error_rate.high when more than this % of the requests of the last 5 minutes failed"},
        "error_rate_min_requests": {"type": "integer", "minimum": 1, "maximum": 1000000000, "description": "error_rate.high judges only windows with at least this many requests (default 20)"}}},
      "AlertWebhook": {"type": "object",
        "required": ["id", "name", "url", "headers", "enabled", "events", "active_keys_below", "active_percent_below", "error_rate_percent_above", "error_rate_min_requests", "created_at", "updated_at"],
        "properties": {
          "id": {"type": "integer"}, "name": {"type": "string"}, "url": {"type": "string"},
          "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "secret-looking values (Authorization, cookies, tokens, keys, secrets) show only a prefix and ****"},
          "enabled": {"type": "boolean"},
          "events": {"type": "array", "items": {"$ref": "#/components/schemas/AlertEvent"}},
          "active_keys_below": {"type": ["integer", "null"]}, "active_percent_below": {"type": ["integer", "null"]},
          "error_rate_percent_above": {"type": ["integer", "null"]}, "error_rate_min_requests": {"type": "integer"},
          "created_at": {"$ref": "#/components/schemas/DateTime"}, "updated_at": {"$ref": "#/components/schemas/DateTime"}}},
      "AlertDelivery": {"type": "object",
        "required": ["id", "webhook_id", "event", "time", "attempts", "delivered", "last_status", "last_error", "summary"],
        "properties": {
          "id": {"type": "integer"}, "webhook_id": {"type": "integer"},
          "event": {"type": "string", "description": "an AlertEvent, or test"},
          "time": {"$ref": "#/components/schemas/DateTime"},
          "attempts": {"type": "integer", "minimum": 0},
          "delivered": {"type": "boolean", "description": "the last attempt was answered 2xx (redirects are not followed)"},
          "last_status": {"type": ["integer", "null"]},
          "last_error": {"type": "string"},
          "summary": {"type": "string", "description": "what the event said; keys masked"}}},
      "ClientToken": {"type": "object",
        "required": ["id", "name", "note", "owner_id", "owner", "prefix", "enabled", "expires_at", "expired", "allowed_models", "allowed_protocols", "allowed_cidrs", "rpm_limit", "daily_request_quota", "daily_token_quota", "created_at", "updated_at", "last_used_at", "usage"],
        "properties": {
          "id": {"type": "integer"}, "name": {"type": "string"}, "note": {"type": "string"},
          "owner_id": {"type": ["integer", "null"]}, "owner": {"type": ["string", "null"]},
          "prefix": {"type": "string", "description": "the value's first 10 characters"},
          "enabled": {"type": "boolean"},
          "expires_at": {"oneOf": [{"$ref": "#/components/schemas/DateTime"}, {"type": "null"}]},
          "expired": {"type": "boolean"},
          "allowed_models": {"type": "array", "items": {"type": "string"}},
          "allowed_protocols": {"type": "array", "items": {"type": "string", "enum": ["native", "openai", "anthropic"]}},
          "allowed_cidrs": {"type": "array", "items": {"type": "string"}},
          "rpm_limit": {"type": ["integer", "null"]},
          "daily_request_quota": {"type": ["integer", "null"]},
          "daily_token_quota": {"type": ["integer", "null"]},
          "created_at": {"$ref": "#/components/schemas/DateTime"},
          "updated_at": {"$ref": "#/components/schemas/DateTime"},
          "last_used_at": {"oneOf": [{"$ref": "#/components/schemas/DateTime"}, {"type": "null"}]},
          "usage": {"type": "object", "required": ["requests", "errors", "prompt_tokens", "completion_tokens", "total_tokens", "today"],
            "properties": {"requests": {"type": "integer"}, "errors": {"type": "integer"},
              "prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"},
              "today": {"type": "object", "required": ["requests", "tokens"], "properties": {"requests": {"type": "integer"}, "tokens": {"type": "integer"}}}}}}},
      "ClientTokenWithValue": {"allOf": [{"$ref": "#/components/schemas/ClientToken"},
        {"type": "object", "required": ["token"], "properties": {"token": {"type": "string", "pattern": "^gp_[A-Za-z0-9_-]{43}$"}}}]},
      "KeyStatus": {"enum": ["active", "exhausted", "error", "disabled"]},
      "KeyPriority": {"enum": ["high", "normal", "low"]},
      "ApiKey": {
        "type": "object",
        "required": ["id", "key_value", "status", "description", "priority", "created_at", "updated_at", "last_used_at", "usage_count", "failed_count"],
        "properties": {
          "id": {"type": "integer"},
          "key_value": {"type": "string", "description": "masked"},
          "status": {"$ref": "#/components/schemas/KeyStatus"},
          "description": {"type": ["string", "null"]},
          "priority": {"$ref": "#/components/schemas/KeyPriority"},
          "created_at": {"$ref": "#/components/schemas/DateTime"},
          "updated_at": {"$ref": "#/components/schemas/DateTime"},
          "last_used_at": {"type": ["string", "null"], "format": "date-time"},
          "usage_count": {"type": "integer"},
          "failed_count": {"type": "integer"}
        }
      },
      "ApiKeyPage": {
        "type": "object",
        "required": ["total", "items"],
        "properties": {
          "total": {"type": "integer"},
          "items": {"type": "array", "items": {"allOf": [
            {"$ref": "#/components/schemas/ApiKey"},
            {"type": "object", "required": ["cooldowns"], "properties": {
              "cooldowns": {"type": "array", "description": "the key's live cooldowns that have not ended, per model",
                "items": {"type": "object", "required": ["model", "until"], "properties": {
                  "model": {"type": "string"}, "until": {"$ref": "#/components/schemas/DateTime"}}}}}}]}}
        }
      },
      "KeysAdded": {
        "type": "object",
        "required": ["total_processed", "total_added"],
        "properties": {"total_processed": {"type": "integer"}, "total_added": {"type": "integer"}}
      },
      "KeyIds": {
        "type": "object",
        "required": ["key_ids"],
        "properties": {"key_ids": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1}}}
      },
      "CheckResult": {
        "type": "object",
        "required": ["key_id", "key_value", "status", "message", "key_status"],
        "properties": {
          "key_id": {"type": "integer"},
          "key_value": {"type": "string", "description": "masked"},
          "status": {"type": "string", "description": "the check's outcome: valid, invalid, exhausted, …"},
          "message": {"type": "string"},
          "key_status": {"type": "string", "description": "the key's status after the check"}
        }
      },
      "BulkCheckTask": {
        "type": "object",
        "required": ["task_id", "key_ids", "status", "progress", "total_keys", "completed_keys", "results", "created_at", "started_at", "finished_at", "error"],
        "properties": {
          "task_id": {"type": "string"},
          "key_ids": {"type": "array", "items": {"type": "integer"}},
          "status": {"type": "string", "description": "pending, running, completed or failed"},
          "progress": {"type": "number"},
          "total_keys": {"type": "integer"},
          "completed_keys": {"type": "integer"},
          "results": {"type": "array", "items": {"$ref": "#/components/schemas/CheckResult"}},
          "created_at": {"$ref": "#/components/schemas/DateTime"},
          "started_at": {"type": ["string", "null"], "format": "date-time"},
          "finished_at": {"type": ["string", "null"], "format": "date-time"},
          "error": {"type": ["string", "null"]}
        }
      },
      "Bucket": {
        "type": "object",
        "required": ["api_key_id", "capacity", "tokens", "refill_rate", "last_refill", "priority", "overridden"],
        "properties": {
          "api_key_id": {"type": "integer"},
          "capacity": {"type": "integer"},
          "tokens": {"type": "number"},
          "refill_rate": {"type": "number", "description": "tokens per second"},
          "last_refill": {"$ref": "#/components/schemas/DateTime"},
          "priority": {"$ref": "#/components/schemas/KeyPriority"},
          "overridden": {"type": "boolean", "description": "the key has its own limits"}
        }
      },
      "BucketLimits": {
        "type": "object",
        "required": ["capacity", "refill_rate"],
        "properties": {
          "capacity": {"type": "integer", "minimum": 1},
          "refill_rate": {"type": "number", "exclusiveMinimum": 0, "description": "tokens per second"}
        }
      },
      "BucketChange": {
        "type": "object",
        "required": ["success", "message"],
        "properties": {
          "success": {"const": true},
          "message": {"type": "string"},
          "data": {"$ref": "#/components/schemas/Bucket"}
        }
      },
      "ConfigItem": {
        "type": "object",
        "required": ["id", "key", "value", "updated_at", "updated_by_user_id"],
        "properties": {
          "id": {"type": "integer"},
          "key": {"type": "string"},
          "value": {"type": "string", "description": "secrets (api_token, …) masked"},
          "updated_at": {"$ref": "#/components/schemas/DateTime"},
          "updated_by_user_id": {"type": ["integer", "null"]}
        }
      },
      "ConfigValue": {"type": ["string", "number", "boolean"]},
      "KeyCounts": {
        "type": "object",
        "required": ["active_keys", "exhausted_keys", "error_keys", "disabled_keys", "total_keys"],
        "properties": {
          "active_keys": {"type": "integer"},
          "exhausted_keys": {"type": "integer"},
          "error_keys": {"type": "integer"},
          "disabled_keys": {"type": "integer"},
          "total_keys": {"type": "integer"}
        }
      },
      "Readiness": {
        "type": "object",
        "required": ["status", "database"],
        "properties": {"status": {"enum": ["ready", "unavailable"]}, "database": {"enum": ["ok", "unreachable"]}}
      },
      "GeminiResponse": {
        "type": "object",
        "description": "Gemini's own answer, passed through unchanged (GenerateContentResponse, a models list, …)"
      },
      "OpenAIResponse": {
        "type": "object",
        "required": ["id", "object", "created_at", "status", "model", "output"],
        "properties": {
          "id": {"type": "string"},
          "object": {"const": "response"},
          "created_at": {"type": "integer"},
          "status": {"enum": ["completed", "incomplete", "failed", "in_progress"]},
          "model": {"type": "string"},
          "output": {"type": "array", "items": {"type": "object", "required": ["type"],
            "properties": {"type": {"enum": ["message", "function_call", "reasoning"]}}}},
          "incomplete_details": {"type": ["object", "null"]},
          "metadata": {"type": "object"},
          "usage": {"type": ["object", "null"], "properties": {"input_tokens": {"type": "integer"}, "output_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}}}
        }
      },
      "OpenAIChatCompletion": {
        "type": "object",
        "required": ["id", "object", "created", "model", "choices"],
        "properties": {
          "id": {"type": "string"},
          "object": {"const": "chat.completion"},
          "created": {"type": "integer"},
          "model": {"type": "string"},
          "choices": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["index", "message", "finish_reason"],
              "properties": {
                "index": {"type": "integer"},
                "message": {"type": "object", "required": ["role"], "properties": {"role": {"const": "assistant"}, "content": {"type": ["string", "null"]}, "tool_calls": {"type": "array"}}},
                "finish_reason": {"type": ["string", "null"]}
              }
            }
          },
          "usage": {"type": "object", "properties": {"prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}}}
        }
      },
      "OpenAIModel": {
        "type": "object",
        "required": ["id", "object", "owned_by"],
        "properties": {
          "id": {"type": "string"},
          "object": {"const": "model"},
          "created": {"type": "integer"},
          "owned_by": {"type": "string"}
        }
      },
      "AnthropicMessage": {
        "type": "object",
        "required": ["id", "type", "role", "content", "model", "stop_reason", "usage"],
        "properties": {
          "id": {"type": "string"},
          "type": {"const": "message"},
          "role": {"const": "assistant"},
          "content": {"type": "array", "items": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}},
          "model": {"type": "string"},
          "stop_reason": {"type": ["string", "null"]},
          "stop_sequence": {"type": ["string", "null"]},
          "usage": {"type": "object", "required": ["input_tokens", "output_tokens"], "properties": {"input_tokens": {"type": "integer"}, "output_tokens": {"type": "integer"}}}
        }
      }
    },
    "responses": {
      "AdminUnauthorized": {
        "description": "No credential, or the session is unknown or expired",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}
      },
      "AdminForbidden": {
        "description": "A viewer on an admin-only route (code forbidden), a user who must change their password first (code password_change_required), or a cookie session without the X-Poise-Request header on a write (code csrf)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}
      },
      "AdminValidationError": {
        "description": "The body is not valid JSON or misses a required field (code validation_error, …)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}
      },
      "AdminNotFound": {
        "description": "No such resource",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}
      },
      "AdminError": {
        "description": "An error in the admin envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminError"}}}
      },
      "GeminiError": {
        "description": "An error in Gemini's envelope (the gateway's own, or the upstream's passed through)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GeminiError"}}}
      },
      "OpenAIError": {
        "description": "An error in OpenAI's envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "AnthropicError": {
        "description": "An error in Anthropic's envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnthropicError"}}}
      }
    }
  }
})json";
}

}  // namespace poise::openapi
