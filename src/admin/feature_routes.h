// The feature route files AdminApi::registerRoutes adds, one function per file. Each adds its
// entries through AdminApi::add; the order below keeps literal paths ahead of the `{id}` entries
// of the same shape (the Router takes the first registered match). Called once at start-up.
#pragma once

#include "admin/admin_api.h"
#include "http/router.h"

namespace poise::admin {

// session_routes.cpp: login, logout, users/me, users/change-password.
void registerSessionRoutes(http::Router& router, AdminApi& api);
// user_routes.cpp: users (list, create), users/{id} (read, update, delete),
// users/{id}/reset-password. After the session routes: users/me is not an {id}.
void registerUserRoutes(http::Router& router, AdminApi& api);
// key_bulk_routes.cpp: api_keys/bulk-add, add-list, bulk-update, bulk-delete.
void registerKeyBulkRoutes(http::Router& router, AdminApi& api);
// pool_routes.cpp: api_keys/cache/* (the in-memory key pool against the database).
void registerPoolRoutes(http::Router& router, AdminApi& api);
// key_routes.cpp: api_keys (list, create), paginated, {id}, {id}/reveal, {id}/detail.
void registerKeyRoutes(http::Router& router, AdminApi& api);
// config_routes.cpp: config (list, create), config/{key} (read, save, delete), config/bulk-save.
void registerConfigRoutes(http::Router& router, AdminApi& api);
// audit_routes.cpp: audit (filters and a cursor).
void registerAuditRoutes(http::Router& router, AdminApi& api);
// log_routes.cpp: logs (filters and a cursor), logs/{id}; none when AdminDeps has no log.
void registerLogRoutes(http::Router& router, AdminApi& api);

}  // namespace poise::admin
