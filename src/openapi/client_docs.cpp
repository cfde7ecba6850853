// Documentation of the client routes (native Gemini, OpenAI, Anthropic) and the operational
// routes: one OperationDoc per route table entry (operation_docs.h).
#include <string>

#include "openapi/operation_docs.h"

namespace poise::openapi {

namespace {

// The native pass-through: any Gemini path below the prefix, the body forwarded unchanged.
constexpr std::string_view kNativeOperation = R"json({
  "tags": ["gemini"],
  "parameters": [
    {"name": "path", "in": "path", "required": true, "schema": {"type": "string"},
     "description": "the rest of the Gemini path; it may hold slashes, e.g. models/gemini-2.5-flash:generateContent"},
    {"name": "alt", "in": "query", "required": false, "schema": {"type": "string"},
     "description": "sse: stream the answer as server-sent events (with …:streamGenerateContent)"}
  ],
  "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object"}}}},
  "responses": {
    "200": {"description": "Gemini's answer, passed through", "content": {
      "application/json": {"schema": {"$ref": "#/components/schemas/GeminiResponse"}},
      "text/event-stream": {"schema": {"type": "string"}}}},
    "400": {"$ref": "#/components/responses/GeminiError"},
    "401": {"$ref": "#/components/responses/GeminiError"},
    "403": {"$ref": "#/components/responses/GeminiError"},
    "404": {"description": "no such model or resource; for a path Gemini does not know, Google's HTML page, passed through", "content": {
      "application/json": {"schema": {"$ref": "#/components/schemas/GeminiError"}},
      "text/html": {"schema": {"type": "string"}}}},
    "429": {"$ref": "#/components/responses/GeminiError"},
    "502": {"$ref": "#/components/responses/GeminiError"},
    "503": {"$ref": "#/components/responses/GeminiError"},
    "504": {"$ref": "#/components/responses/GeminiError"}
  }
})json";

// GET /metrics: no gateway token or session; off (404) unless POISE_METRICS=on, and behind its
// own bearer token when POISE_METRICS_TOKEN is set (hence the optional security requirement).
constexpr std::string_view kMetrics = R"json({
  "tags": ["operations"],
  "description": "Prometheus text exposition (format 0.0.4). Off unless POISE_METRICS=on. When POISE_METRICS_TOKEN is set, send it as Authorization: Bearer; otherwise no credential is needed. No per-key or per-token label.",
  "security": [{}, {"metricsBearer": []}],
  "responses": {
    "200": {"description": "the series", "content": {"text/plain": {"schema": {"type": "string"}}}},
    "401": {"description": "POISE_METRICS_TOKEN is set and the request did not bring it as a bearer token", "content": {"text/plain": {"schema": {"type": "string"}}}},
    "404": {"description": "metrics are off (POISE_METRICS is not on)", "content": {"text/plain": {"schema": {"type": "string"}}}}
  }
})json";

// A "*" entry's doc: the same operation for each of `methods`.
std::string sameForEach(std::initializer_list<std::string_view> methods, std::string_view op) {
  std::string out = "{";
  for (const std::string_view m : methods) {
    if (out.size() > 1) out += ",";
    out.append("\"").append(m).append("\":").append(op);
  }
  return out + "}";
}

constexpr std::string_view kOpenAIErrors = R"json(
    "400": {"$ref": "#/components/responses/OpenAIError"},
    "401": {"$ref": "#/components/responses/OpenAIError"},
    "403": {"$ref": "#/components/responses/OpenAIError"},
    "429": {"$ref": "#/components/responses/OpenAIError"},
    "502": {"$ref": "#/components/responses/OpenAIError"},
    "503": {"$ref": "#/components/responses/OpenAIError"},
    "504": {"$ref": "#/components/responses/OpenAIError"})json";

std::string openAI(std::string_view head, std::string_view ok) {
  std::string out = "{";
  out.append(head).append(R"json(, "responses": {"200": )json").append(ok);
  return out.append(",").append(kOpenAIErrors).append("}}");
}

constexpr std::string_view kAnthropicMessages = R"json({
  "tags": ["anthropic"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["model", "messages", "max_tokens"],
    "properties": {
      "model": {"type": "string"}, "max_tokens": {"type": "integer"},
      "messages": {"type": "array", "items": {"type": "object"}},
      "system": {"type": ["string", "array"]}, "stream": {"type": "boolean"},
      "tools": {"type": "array"}}}}}},
  "responses": {
    "200": {"description": "a message, or its event stream when stream is true", "content": {
      "application/json": {"schema": {"$ref": "#/components/schemas/AnthropicMessage"}},
      "text/event-stream": {"schema": {"type": "string"}}}},
    "400": {"$ref": "#/components/responses/AnthropicError"},
    "401": {"$ref": "#/components/responses/AnthropicError"},
    "403": {"$ref": "#/components/responses/AnthropicError"},
    "429": {"$ref": "#/components/responses/AnthropicError"},
    "502": {"$ref": "#/components/responses/AnthropicError"},
    "503": {"$ref": "#/components/responses/AnthropicError"},
    "504": {"$ref": "#/components/responses/AnthropicError"}
  }
})json";

constexpr std::string_view kAnthropicCountTokens = R"json({
  "tags": ["anthropic"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["model", "messages"],
    "properties": {
      "model": {"type": "string"},
      "messages": {"type": "array", "items": {"type": "object"}},
      "system": {"type": ["string", "array"]}, "tools": {"type": "array"},
      "thinking": {"type": "object"}, "tool_choice": {"type": "object"}}}}}},
  "responses": {
    "200": {"description": "the prompt's token count, from Gemini's countTokens", "content": {
      "application/json": {"schema": {"type": "object", "required": ["input_tokens"],
        "properties": {"input_tokens": {"type": "integer", "minimum": 0}}}}}},
    "400": {"$ref": "#/components/responses/AnthropicError"},
    "401": {"$ref": "#/components/responses/AnthropicError"},
    "403": {"$ref": "#/components/responses/AnthropicError"},
    "429": {"$ref": "#/components/responses/AnthropicError"},
    "502": {"$ref": "#/components/responses/AnthropicError"},
    "503": {"$ref": "#/components/responses/AnthropicError"},
    "504": {"$ref": "#/components/responses/AnthropicError"}
  }
})json";

// The Live API: a WebSocket upgrade; the session's messages are not HTTP and not described here.
constexpr std::string_view kLiveOperation = R"json({
  "tags": ["gemini"],
  "description": "Gemini Live API (BidiGenerateContent) over WebSocket. Send a WebSocket upgrade with the gateway token as ?key= or x-goog-api-key; the first message must be the Live setup naming the model. The gateway opens the upstream socket with a pool key (another key when the upstream refuses the upgrade, or closes the setup for a bad or exhausted key) and relays messages both ways. Failures after the upgrade are close frames: 1007 bad setup, 1008 refused, 1013 no key now, 1014 upstream unreachable, 1011 otherwise.",
  "parameters": [
    {"name": "key", "in": "query", "required": false, "schema": {"type": "string"},
     "description": "the gateway token (or send it as x-goog-api-key)"}
  ],
  "responses": {
    "101": {"description": "switching to the WebSocket protocol: the Live session"},
    "400": {"$ref": "#/components/responses/GeminiError"},
    "401": {"$ref": "#/components/responses/GeminiError"},
    "403": {"$ref": "#/components/responses/GeminiError"},
    "503": {"$ref": "#/components/responses/GeminiError"}
  }
})json";

// Served documents: the OpenAPI document itself and the Swagger UI page.
constexpr std::string_view kOpenApiJson = R"json({
  "tags": ["operations"],
  "responses": {
    "200": {"description": "this document", "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}},
    "304": {"description": "If-None-Match named the current ETag"}
  }
})json";

constexpr std::string_view kDocsPage = R"json({
  "tags": ["operations"],
  "responses": {
    "200": {"description": "Swagger UI's page", "content": {"text/html": {"schema": {"type": "string"}}}},
    "304": {"description": "If-None-Match named the current ETag"}
  }
})json";

constexpr std::string_view kDocsAsset = R"json({
  "tags": ["operations"],
  "parameters": [{"name": "path", "in": "path", "required": true, "schema": {"type": "string"},
                  "description": "a file of Swagger UI: swagger-ui-bundle.js, swagger-ui.css, …"}],
  "responses": {
    "200": {"description": "the file (gzip-encoded when accepted)", "content": {"*/*": {"schema": {"type": "string"}}}},
    "304": {"description": "If-None-Match named the current ETag"},
    "404": {"description": "no such file", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GeminiError"}}}}
  }
})json";

}  // namespace

std::span<const OperationDoc> clientDocs() {
  static const std::string native_any =
      sameForEach({"get", "post", "patch", "delete"}, kNativeOperation);
  static const std::string native_v1 = sameForEach({"get", "post"}, kNativeOperation);
  static const std::string native_upload = sameForEach({"post"}, kNativeOperation);
  static const std::string chat = openAI(
      R"json("tags": ["openai"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["model", "messages"],
    "properties": {"model": {"type": "string"}, "messages": {"type": "array", "items": {"type": "object"}},
      "stream": {"type": "boolean"}, "tools": {"type": "array"}, "max_tokens": {"type": "integer"},
      "max_completion_tokens": {"type": "integer"}, "temperature": {"type": "number"},
      "reasoning_effort": {"type": "string"}, "response_format": {"type": "object"}}}}}})json",
      R"json({"description": "a chat completion, or its chunks as server-sent events when stream is true",
   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIChatCompletion"}},
               "text/event-stream": {"schema": {"type": "string"}}}})json");
  static const std::string responses = openAI(
      R"json("tags": ["openai"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["model"],
    "properties": {"model": {"type": "string"}, "input": {"type": ["string", "array"]},
      "instructions": {"type": "string"}, "stream": {"type": "boolean"}, "tools": {"type": "array"},
      "tool_choice": {"type": ["string", "object"]}, "text": {"type": "object"},
      "reasoning": {"type": "object"}, "max_output_tokens": {"type": "integer"},
      "temperature": {"type": "number"}, "top_p": {"type": "number"}, "metadata": {"type": "object"},
      "store": {"type": "boolean"}, "previous_response_id": {"type": "string"}}}}}})json",
      R"json({"description": "a response, or its events as server-sent events when stream is true",
   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIResponse"}},
               "text/event-stream": {"schema": {"type": "string"}}}},
    "404": {"$ref": "#/components/responses/OpenAIError"})json");
  static const std::string response_get = openAI(
      R"json("tags": ["openai"], "description": "A response stored by POST /v1/responses (store, the default), visible to the token that created it until responses_retention_hours pass.",
  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])json",
      R"json({"description": "the response as it was answered",
   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIResponse"}}}},
    "404": {"$ref": "#/components/responses/OpenAIError"})json");
  static const std::string response_delete = openAI(
      R"json("tags": ["openai"], "description": "Deletes a stored response of the calling token.",
  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])json",
      R"json({"description": "deleted", "content": {"application/json": {"schema": {
    "type": "object", "required": ["id", "object", "deleted"],
    "properties": {"id": {"type": "string"}, "object": {"const": "response"}, "deleted": {"const": true}}}}}},
    "404": {"$ref": "#/components/responses/OpenAIError"})json");
  static const std::string embeddings = openAI(
      R"json("tags": ["openai"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["model", "input"],
    "properties": {"model": {"type": "string"}, "input": {"type": ["string", "array"]},
      "encoding_format": {"enum": ["float", "base64"]}, "dimensions": {"type": "integer"}}}}}})json",
      R"json({"description": "the embeddings, in input order", "content": {"application/json": {"schema": {
    "type": "object", "required": ["object", "data", "model", "usage"],
    "properties": {"object": {"const": "list"}, "model": {"type": "string"},
      "data": {"type": "array", "items": {"type": "object", "required": ["object", "index", "embedding"],
        "properties": {"object": {"const": "embedding"}, "index": {"type": "integer"},
          "embedding": {"type": ["array", "string"], "items": {"type": "number"},
            "description": "floats, or base64 of float32 little-endian with encoding_format base64"}}}},
      "usage": {"type": "object", "properties": {"prompt_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}}}}}}}})json");
  static const std::string images = openAI(
      R"json("tags": ["openai"],
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["prompt"],
    "properties": {"model": {"type": "string"}, "prompt": {"type": "string"}, "n": {"type": "integer"},
      "size": {"type": "string"}, "response_format": {"const": "b64_json"}}}}}})json",
      R"json({"description": "the generated images", "content": {"application/json": {"schema": {
    "type": "object", "required": ["created", "data"],
    "properties": {"created": {"type": "integer"},
      "data": {"type": "array", "items": {"type": "object", "required": ["b64_json"],
        "properties": {"b64_json": {"type": "string"}, "revised_prompt": {"type": "string"}}}}}}}}})json");
  static const std::string models = openAI(
      R"json("tags": ["openai"], "description": "With Authorization: Bearer. With x-goog-api-key or ?key= the same path is Gemini's models listing (the native /v1/ entry).")json",
      R"json({"description": "the models", "content": {"application/json": {"schema": {
    "type": "object", "required": ["object", "data"],
    "properties": {"object": {"const": "list"}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/OpenAIModel"}}}}}}})json");
  static const std::string model = openAI(
      R"json("tags": ["openai"])json",
      R"json({"description": "the model", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIModel"}}}},
    "404": {"$ref": "#/components/responses/OpenAIError"})json");

  static const std::string docs_assets = sameForEach({"get", "head"}, kDocsAsset);

  static const OperationDoc kDocs[] = {
      {.method = "*", .pattern = "/v1beta/", .operation = native_any},
      {.method = "*", .pattern = "/v1alpha/", .operation = native_any},
      {.method = "*", .pattern = "/v1/", .operation = native_v1},
      {.method = "*", .pattern = "/upload/v1beta/", .operation = native_upload},
      {.method = "*", .pattern = "/upload/v1alpha/", .operation = native_upload},
      {.method = "GET",
       .pattern = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent",
       .operation = kLiveOperation},
      {.method = "GET",
       .pattern = "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent",
       .operation = kLiveOperation},
      {.method = "POST", .pattern = "/v1/chat/completions", .operation = chat},
      {.method = "POST", .pattern = "/v1/responses", .operation = responses},
      {.method = "GET", .pattern = "/v1/responses/{id}", .operation = response_get},
      {.method = "DELETE", .pattern = "/v1/responses/{id}", .operation = response_delete},
      {.method = "POST", .pattern = "/v1/embeddings", .operation = embeddings},
      {.method = "POST", .pattern = "/v1/images/generations", .operation = images},
      {.method = "GET", .pattern = "/v1/models", .operation = models},
      {.method = "GET", .pattern = "/v1/models/{id}", .operation = model},
      {.method = "POST", .pattern = "/v1/messages", .operation = kAnthropicMessages},
      {.method = "POST", .pattern = "/claude/v1/messages", .operation = kAnthropicMessages},
      {.method = "POST",
       .pattern = "/v1/messages/count_tokens",
       .operation = kAnthropicCountTokens},
      {.method = "POST",
       .pattern = "/claude/v1/messages/count_tokens",
       .operation = kAnthropicCountTokens},
      {.method = "GET",
       .pattern = "/health",
       .operation =
           R"json({"tags": ["operations"], "responses": {"200": {"description": "the process answers",
         "content": {"application/json": {"schema": {"type": "object", "required": ["status", "service"],
           "properties": {"status": {"const": "healthy"}, "service": {"const": "gemini-poise"}}}}}}}})json"},
      {.method = "GET",
       .pattern = "/ready",
       .operation = R"json({"tags": ["operations"], "responses": {
         "200": {"description": "the database answers", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}},
         "503": {"description": "the database does not answer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}}}})json"},
      {.method = "GET", .pattern = "/metrics", .operation = kMetrics},
      {.method = "GET", .pattern = "/openapi.json", .operation = kOpenApiJson},
      {.method = "HEAD", .pattern = "/openapi.json", .operation = kOpenApiJson},
      {.method = "GET", .pattern = "/docs", .operation = kDocsPage},
      {.method = "HEAD", .pattern = "/docs", .operation = kDocsPage},
      {.method = "*", .pattern = "/docs/", .operation = docs_assets},
  };
  return kDocs;
}

}  // namespace poise::openapi
