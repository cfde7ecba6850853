// Client-token routes under /api/v1/tokens (SPEC §4): create, list, read, update, enable,
// disable, rotate and delete. A token's value is made here, shown once (creation and rotation)
// and stored only as its SHA-256 digest; listings show its prefix. Every write reloads the
// proxy's TokenRegistry before it answers, so a change holds for the very next request, and is
// audited without the value. Handlers run on worker threads; every dependency is thread-safe
// and must outlive the router.
#pragma once

#include "admin/admin_api.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/router.h"
#include "storage/token_repository.h"
#include "storage/user_repository.h"
#include "tokens/token_limiter.h"
#include "tokens/token_registry.h"

namespace poise::admin {

struct TokenDeps {
  BlockingPool& blocking;
  storage::TokenRepository& repo;
  storage::UserRepository& users;
  tokens::TokenRegistry& registry;
  tokens::TokenLimiter& limiter;
  const Clock& clock;
};

void registerTokenRoutes(http::Router& router, AdminApi& admin, TokenDeps deps);

// Publishes every stored token into `registry`. Blocks (run it on the BlockingPool).
Status reloadTokens(storage::TokenRepository& repo, tokens::TokenRegistry& registry);

// The policy the proxy checks for a stored token.
tokens::RegisteredToken toRegistered(const storage::StoredToken& token);

}  // namespace poise::admin
