// The key check routes of /api/v1/api_keys (the seed's §2.3 items 10–13): one key checked inline
// (check/{id}), a list checked inline (bulk-check-sync), and background bulk checks with progress
// (bulk-check, bulk-check/{task_id}/status). Handlers await the KeyChecker (on its own thread),
// never block a worker, and show keys masked only. Registered once at start-up.
#pragma once

#include "admin/admin_api.h"
#include "http/router.h"
#include "jobs/key_checker.h"

namespace poise::admin {

void registerKeyCheckRoutes(http::Router& router, AdminApi& admin, jobs::KeyChecker& checker);

}  // namespace poise::admin
