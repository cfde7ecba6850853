// ApiDocs: GET /openapi.json (the OpenAPI document generated from the route table once every
// route is wired, serialized once and served from memory with an ETag) and GET /docs (Swagger UI,
// built into the binary from tools/swagger-ui). addRoutes() goes into the table with the other
// routes; build() runs once after wireRoutes, before the front is ready. Read-only afterwards:
// safe from any worker thread.
#pragma once

#include <string>

#include "core/result.h"
#include "http/router.h"
#include "http/static_assets.h"
#include "openapi/openapi_document.h"

namespace poise::app {

class ApiDocs {
 public:
  ApiDocs();
  ApiDocs(const ApiDocs&) = delete;
  ApiDocs& operator=(const ApiDocs&) = delete;

  // Adds /openapi.json, /docs and /docs/… (GET and HEAD) to `router`. The handlers refer to this
  // object, which must outlive the router.
  void addRoutes(http::Router& router);
  // Builds the document from `router`'s entries and the doc registry. Fails when a doc is not
  // valid JSON; gaps in coverage are logged as errors and listed in the document's
  // x-poise-coverage.
  Status build(const http::Router& router);

  const openapi::Coverage& coverage() const { return coverage_; }

 private:
  std::string json_;
  std::string etag_;
  http::StaticAsset document_;
  http::StaticAssets ui_;
  openapi::Coverage coverage_;
};

// The Content-Security-Policy of /docs: no inline script, nothing from another origin, no framing.
inline constexpr std::string_view kDocsContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

}  // namespace poise::app
