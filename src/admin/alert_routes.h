// Alert webhook routes under /api/v1/alerts (SPEC §1.3): list, create, read, update, delete, send
// a test event, and the delivery log. URLs and headers are checked here (alerts::WebhookTarget)
// before anything is stored; secret-looking header values are masked in every answer. Every
// write reloads the AlertService's webhooks before it answers and is audited (never with a
// header value). Handlers run on worker threads; every dependency is thread-safe and must
// outlive the router.
#pragma once

#include "admin/admin_api.h"
#include "alerts/alert_service.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/router.h"
#include "storage/alert_repository.h"

namespace poise::admin {

struct AlertDeps {
  BlockingPool& blocking;
  storage::AlertRepository& repo;
  alerts::AlertService& service;
  const Clock& clock;
};

void registerAlertRoutes(http::Router& router, AdminApi& admin, AlertDeps deps);

}  // namespace poise::admin
