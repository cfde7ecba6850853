// The one registry of route documentation: one OperationDoc per route table entry, grouped by
// the feature that registers the route. Adding a route means adding its OperationDoc to the
// feature's list here (client_docs.cpp, admin_docs.cpp, …); the start-up coverage check and
// tests/integration/openapi.test.mjs fail until every entry of the table has one. Static data;
// thread-safe.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "openapi/openapi_document.h"

namespace poise::openapi {

// client_docs.cpp: the native Gemini, OpenAI and Anthropic routes, and the operational routes
// (health, readiness, this document, /docs).
std::span<const OperationDoc> clientDocs();
// admin_docs.cpp: /api/v1.
std::span<const OperationDoc> adminDocs();
// Every doc of the lists above.
std::vector<OperationDoc> operationDocs();

// document_base.cpp: the document without paths: info, tags, security schemes, the error
// envelopes and the shared schemas (JSON text).
std::string_view documentBase();

}  // namespace poise::openapi
