// The /api/v1/token-bucket routes (reference/seed-spec.md §2.5, made to work): the 18
// token_bucket_* settings, per-key overrides (persisted in key_bucket_overrides), bucket levels,
// reset, cleanup, a test pick and totals. Every route needs an admin session. Handlers run on
// worker threads; the pool and repositories they use are thread-safe.
#pragma once

#include "admin/admin_api.h"
#include "http/router.h"
#include "storage/bucket_override_repository.h"

namespace poise::admin {

void registerTokenBucketRoutes(http::Router& router, AdminApi& api,
                               storage::BucketOverrideRepository& overrides);

}  // namespace poise::admin
