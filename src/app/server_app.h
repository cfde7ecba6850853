// ServerApp: `poise serve`, the composition root. Its members are declared in the order they are
// built, each from the ones above it, and destroyed in reverse. One std::stop_source (requested by
// SIGTERM or SIGINT) reaches every running part through a stop_callback that only asks it to stop:
// the HTTP server, the validation scheduler, the key checker, the statistics job, the usage
// flusher and the request log's retention. shutdown() then only waits for them, in the reverse
// order of construction. Built and run on the main thread, which becomes the control thread
// (signals and the flusher).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <stop_token>
#include <vector>

#include "admin/admin_api.h"
#include "alerts/alert_service.h"
#include "app/api_docs.h"
#include "app/bootstrap.h"
#include "app/console.h"
#include "app/data_dir_lock.h"
#include "app/file_limit.h"
#include "app/stored_resource_keys.h"
#include "auth/hashing_pool.h"
#include "auth/session_service.h"
#include "auth/user_accounts.h"
#include "config/runtime_config.h"
#include "config/settings.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/router.h"
#include "jobs/key_checker.h"
#include "jobs/validation_scheduler.h"
#include "keys/key_pool.h"
#include "net/http_server.h"
#include "net/upstream_pool.h"
#include "proxy/compat_proxy.h"
#include "proxy/gemini_proxy.h"
#include "proxy/live_proxy.h"
#include "stats/call_counters.h"
#include "stats/gateway_metrics.h"
#include "stats/snapshot_job.h"
#include "storage/alert_repository.h"
#include "storage/api_key_repository.h"
#include "storage/audit_repository.h"
#include "storage/bucket_override_repository.h"
#include "storage/config_repository.h"
#include "storage/session_repository.h"
#include "storage/statistics_repository.h"
#include "storage/token_repository.h"
#include "storage/usage_aggregate_repository.h"
#include "storage/user_repository.h"
#include "tokens/memory_token_limiter.h"
#include "tokens/token_registry.h"
#include "tokens/token_usage.h"
#include "usage/request_log_writer.h"
#include "usage/usage_aggregator.h"

namespace poise::app {

// The HTTP front: the route table and the server that dispatches into it. Bound before storage
// opens, so the first log line names the real port and the config can refuse the gateway's own
// address as its upstream.
struct Front {
  http::Router router;
  std::atomic<bool> ready{false};  // 503 "starting up" until every route is wired
  std::unique_ptr<net::HttpServer> server;
  unsigned short port = 0;
  // Set by the app once built; the front answers 503 until `ready`, so it is never read null.
  admin::AdminApi* admin = nullptr;
  // The web console: asked last, for a GET or HEAD no route took (null: none).
  const Console* console = nullptr;
  // Every request's record goes here when its response has ended (empty: nowhere).
  http::RecordSink records;
  SystemClock clock;  // the server's clock too: a record's times compare with ExchangeInfo's
};

// Upstream resources of one I/O worker thread.
struct WorkerResources {
  std::unique_ptr<net::UpstreamPool> upstream;
  std::mt19937_64 rng{std::random_device{}()};
};

class ServerApp {
 public:
  // Takes the data-directory lock, binds the listener and opens storage; then builds every part
  // (members below, in order) and prepares them: first admin, config seed, key pool load.
  [[nodiscard]] static Result<std::unique_ptr<ServerApp>> create(const config::Settings& s);

  ServerApp(const ServerApp&) = delete;
  ServerApp& operator=(const ServerApp&) = delete;
  ~ServerApp();

  // Starts serving and blocks until SIGTERM or SIGINT (SIGHUP is logged and ignored); then
  // stops accepting, drains in-flight requests within the grace period, flushes and returns the
  // exit code (0).
  int run();

 private:
  // What create() opens before anything is built from it; each step can fail.
  struct Opened {
    DataDirLock lock;
    std::unique_ptr<Front> front;
    Store store;
    std::unique_ptr<boost::asio::ssl::context> tls;
  };
  ServerApp(const config::Settings& s, Opened opened);
  Status prepare();
  void wireRoutes();
  // GET /metrics: 404 unless POISE_METRICS is on; 401 without the POISE_METRICS_TOKEN bearer.
  net::Response metricsResponse(const net::Request& request) const;
  void startFlusher();
  void flushUsage();
  // Every POISE_REQUEST_LOG_PRUNE_SECONDS, on the control thread: prunes the request log to the
  // config's retention on the BlockingPool, a bounded number of short transactions per run.
  void startRetention();
  // Consumes a finished request's record: the client token's usage, the request log row (queued,
  // never waited for), the metrics, then the access log line.
  void consumeRecord(const http::RequestRecord& record);
  // A validation run ended (checker thread): validation.failures for the webhooks.
  void alertValidationRun(const jobs::ValidationRunSummary& run);
  Status loadTokens();
  // Loads the key pool from the database (whole at start-up; synced on a reload). Blocking.
  Result<admin::PoolReload> loadPool(bool initial);
  void shutdown();

  // 1. Process: settings, time, the data-directory lock, the front (its server's worker
  //    contexts carry the upstream pools of 6.; shutdown() joins its threads first).
  const config::Settings& settings_;
  SystemClock clock_;
  DataDirLock lock_;
  std::unique_ptr<Front> front_;
  // 2. Storage: the database, the cipher and the repositories over them.
  Store store_;
  storage::UserRepository users_;
  storage::SessionRepository sessions_;
  storage::ApiKeyRepository key_repo_;
  storage::ConfigRepository config_repo_;
  storage::AuditRepository audit_repo_;
  storage::BucketOverrideRepository override_repo_;
  storage::StatisticsRepository stats_repo_;
  storage::TokenRepository token_repo_;
  storage::RequestLogRepository request_log_repo_;
  storage::UsageAggregateRepository usage_repo_;
  storage::AlertRepository alert_repo_;
  storage::ResponseRepository response_repo_;
  storage::ResourceKeyRepository resource_key_repo_;
  // 3. Live state: the config snapshot, the key pool, the client tokens with their limits and
  //    usage sums.
  config::RuntimeConfigStore runtime_;
  keys::KeyPool pool_;
  tokens::TokenRegistry token_registry_;
  tokens::MemoryTokenLimiter token_limiter_;
  tokens::TokenUsage token_usage_;
  // The request log writer: its own thread writes batches to request_logs (when
  // POISE_REQUEST_LOG is on) and always adds them to the usage aggregates; flushed by shutdown().
  std::optional<usage::RequestLogWriter> request_log_;
  // Fed by consumeRecord when POISE_METRICS is on.
  stats::GatewayMetrics metrics_{pool_, {.per_key_labels = settings_.metrics_key_labels}};
  // 4. Thread pools: database calls, password hashing. Before every service that queues work on
  //    them; stopped last.
  BlockingPool blocking_;
  auth::HashingPool hashing_;
  // 5. Services over them.
  auth::SessionService session_service_;
  auth::UserAccounts accounts_;
  stats::CallCounters call_counters_;  // every upstream attempt, for statistics and key detail
  StoredResourceKeys resource_keys_;   // key affinity of files, caches, batches, interactions
  admin::AdminApi admin_;
  ApiDocs api_docs_;  // /openapi.json and /docs, built from the table once it is wired
  Console console_;   // the web console at /, behind the table (POISE_CONSOLE)
  stats::SnapshotJob stats_job_;
  // 6. Upstream: TLS (from create()), the workers' pools, the proxies. TLS before everything
  //    that opens upstream connections (the pools, the key checker).
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<WorkerResources> workers_;
  proxy::ProxyDeps proxy_deps_;
  proxy::GeminiProxy gemini_;
  proxy::CompatProxy compat_;
  proxy::LiveProxy live_;
  // Alert webhooks: their delivery thread and its own upstream pool (TLS above); fed by the
  // records, the flusher and the validation runs below.
  alerts::AlertService alerts_;
  // 7. Key validation on the checker's own thread. The scheduler's loop and timer live on the
  //    checker's io_context, so the checker comes first.
  jobs::KeyChecker key_checker_;
  jobs::ValidationScheduler validation_;
  // 8. Control thread: the stop signal, OS signals, the usage flusher. The signal set and the
  //    timer run on control_; the stop callbacks reach every part above, so they are declared
  //    last and deregistered first.
  std::stop_source stop_;
  boost::asio::io_context control_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer flush_timer_;
  boost::asio::steady_timer prune_timer_;
  std::deque<std::stop_callback<std::function<void()>>> on_stop_;  // (not movable)
  std::size_t key_count_ = 0;
  std::int64_t started_ms_ = 0;
};

}  // namespace poise::app
