// The gateway's OpenAPI 3.1 document, generated from the route table: each entry's method,
// pattern, access and summary, joined with the entry's documentation from the one registry
// (operation_docs.h) and the document's shared parts (security schemes, error envelopes, schemas;
// document_base.cpp). What the table has and the registry lacks, or the other way round, is
// reported in the document's `x-poise-coverage` and in Coverage. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/router.h"

namespace poise::openapi {

// One route table entry's documentation, keyed by the entry's method and pattern exactly as
// registered ("GET" "/api/v1/api_keys/{id}"; "*" "/v1beta/" for an any-method prefix entry).
struct OperationDoc {
  std::string_view method;
  std::string_view pattern;
  // JSON text of an OpenAPI Operation object (tags, parameters, requestBody, responses, …); for
  // a "*" entry, an object of lowercase method → Operation, one per method it really takes. The
  // generator adds what the table knows: summary (unless given), operationId (unless given),
  // x-poise-access, security, the `{name}` path parameters not declared, and for console-session
  // entries the 401/403/422 refusals of the admin wrapper.
  std::string_view operation;
  // The documented path when it is not the pattern; by default a prefix entry is documented as
  // pattern + "{path}".
  std::string_view path = {};
};

// Table entries without documentation and documentation without a table entry, as
// "METHOD pattern".
struct Coverage {
  std::vector<std::string> undocumented;
  std::vector<std::string> unrouted;
  bool complete() const { return undocumented.empty() && unrouted.empty(); }
};

struct Document {
  boost::json::object json;
  Coverage coverage;
};

// The document for `routes` (Router::list(), every route wired). `base` is the JSON text of the
// document without `paths`. An undocumented entry is still listed (summary, access, security)
// and marked `x-poise-undocumented`. Fails on a doc whose JSON does not parse, two docs for one
// entry, or two operations on one path and method.
Result<Document> buildDocument(const std::vector<http::RouteInfo>& routes,
                               std::span<const OperationDoc> docs, std::string_view base);

// The key of a table entry in coverage lists and error messages: "GET /api/v1/config".
std::string routeKey(std::string_view method, std::string_view pattern);

}  // namespace poise::openapi
