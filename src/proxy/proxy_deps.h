// What the proxy routes share: the config store, the key pool, the clock, the call counters, the
// client tokens and their limiter, the stored Responses, and the calling worker's own upstream pool
// and random generator. The app owns all of it.
#pragma once

#include <functional>
#include <random>

#include "config/runtime_config.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "keys/key_pool.h"
#include "net/upstream_pool.h"
#include "proxy/affinity.h"
#include "stats/call_counters.h"
#include "storage/response_repository.h"
#include "tokens/token_limiter.h"
#include "tokens/token_registry.h"

namespace poise::proxy {

// Per-worker resources; the app owns one set per I/O thread.
struct WorkerContext {
  net::UpstreamPool* upstream = nullptr;
  std::mt19937_64* rng = nullptr;
};

struct ProxyDeps {
  config::RuntimeConfigStore& config;
  keys::KeyPool& keys;
  const Clock& clock;
  std::function<WorkerContext()> worker;          // resources of the calling worker thread
  stats::CallCounters* calls = nullptr;           // every upstream attempt is counted here when set
  const tokens::TokenRegistry* tokens = nullptr;  // client tokens; unset: only the api_token
  tokens::TokenLimiter* limiter = nullptr;        // client tokens' limits; unset: none
  // Stored Responses (POST /v1/responses with store) and the pool their database calls run on;
  // unset: nothing is stored and previous_response_id is a 404.
  storage::ResponseRepository* responses = nullptr;
  BlockingPool* blocking = nullptr;
  ResourceKeyStore* resources = nullptr;  // key affinity (affinity.h); unset: none
};

}  // namespace poise::proxy
