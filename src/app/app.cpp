#include "app/app.h"

#include <sys/stat.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>

#include "admin/admin_api.h"
#include "admin/key_check_routes.h"
#include "admin/statistics_routes.h"
#include "admin/token_bucket_routes.h"
#include "app/data_dir_lock.h"
#include "app/file_limit.h"
#include "auth/hashing_pool.h"
#include "auth/initial_password.h"
#include "auth/password_hasher.h"
#include "auth/password_policy.h"
#include "auth/session_service.h"
#include "config/runtime_config.h"
#include "core/blocking_pool.h"
#include "core/log.h"
#include "http/error_envelope.h"
#include "http/router.h"
#include "jobs/key_checker.h"
#include "jobs/validation_scheduler.h"
#include "keys/key_pool.h"
#include "net/address_ranges.h"
#include "net/http_server.h"
#include "net/upstream_pool.h"
#include "proxy/compat_proxy.h"
#include "proxy/gemini_proxy.h"
#include "stats/snapshot_job.h"
#include "storage/api_key_repository.h"
#include "storage/audit_repository.h"
#include "storage/bucket_override_repository.h"
#include "storage/config_repository.h"
#include "storage/database_url.h"
#include "storage/key_cipher.h"
#include "storage/migrations.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"

namespace poise::app {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::string_view kVersion = "0.1.0";

// Storage and crypto shared by every subcommand.
struct Store {
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<storage::KeyCipher> cipher;
};

// The data directory as an absolute path, for messages: a relative one depends on the cwd.
std::string absoluteDir(const std::string& dir) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(dir, ec);
  return ec ? dir : abs.lexically_normal().string();
}

// Every subcommand finds its key material in POISE_DATA_DIR (or POISE_SECRET_KEY) and nowhere
// else. A master key is generated only for a database that holds no encrypted API key yet: a
// missing secret.key next to stored keys means the wrong data directory (e.g. a relative
// POISE_DATA_DIR from another working directory), and a new key would encrypt with a secret the
// gateway does not have.
Status checkMasterKeyMayBeCreated(const config::Settings& s, storage::Database& db) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(s.data_dir) / "secret.key", ec)) return {};
  auto rows = db.query("SELECT COUNT(*) FROM api_keys");
  if (!rows) return rows.error();
  const std::int64_t stored = rows->empty() ? 0 : rows->front().int64(0);
  if (stored == 0) return {};
  return makeError("secret_key_missing",
                   "no secret.key in " + absoluteDir(s.data_dir) + " but the database holds " +
                       std::to_string(stored) +
                       " encrypted API key(s): set POISE_DATA_DIR (or --data-dir) to the "
                       "gateway's data directory, or POISE_SECRET_KEY to its master key");
}

Result<Store> openStore(const config::Settings& s, bool need_cipher) {
  if (auto st = createPrivateDirectories(s.data_dir); !st) return st.error();
  storage::DatabaseOptions options;
  // SQLite has one writer at a time, so more than 16 connections only add file handles; a
  // server takes up to 100 from one instance.
  const bool sqlite = s.database_url.rfind("sqlite", 0) == 0;
  options.pool_size = std::clamp(s.pool_size, sqlite ? 2 : 1, sqlite ? 16 : 100);
  auto db = storage::openDatabase(s.database_url, options);
  if (!db) return db.error();
  Store store{std::move(*db), nullptr};
  if (auto st = storage::migrate(*store.db); !st) return st.error();
  if (!need_cipher) return store;
  storage::MasterKey key;
  if (s.secret_key) {
    auto parsed = storage::parseMasterKey(*s.secret_key);
    if (!parsed) return makeError("secret_key", "POISE_SECRET_KEY: " + parsed.error().message);
    key = *parsed;
  } else {
    if (auto st = checkMasterKeyMayBeCreated(s, *store.db); !st) return st.error();
    auto loaded = storage::loadOrCreateMasterKey(s.data_dir);
    if (!loaded) return loaded.error();
    if (loaded->insecure_permissions) {
      spdlog::warn("msg=\"secret.key is readable by group or others; chmod 600 it\"");
    }
    key = loaded->key;
  }
  store.cipher = std::make_unique<storage::KeyCipher>(key);
  return store;
}

// An initial-admin-password file that no longer opens the admin's account (the password was
// changed by a version that left the file behind) only keeps an old password on disk.
void forgetStaleInitialPassword(const config::Settings& s, storage::UserRepository& users) {
  auto password = auth::readInitialPassword(s.data_dir);
  if (!password) return;
  auto admin = users.findByUsername(s.admin_username);
  if (!admin || !*admin) return;
  if (!auth::verifyPassword((**admin).password_hash, *password) &&
      auth::forgetInitialPassword(s.data_dir, *password)) {
    spdlog::info("msg=\"stale initial admin password file removed\"");
  }
}

// Creates the first admin when there is no user yet (SPEC §1.1). POISE_ADMIN_PASSWORD must meet
// the password policy.
Status ensureFirstAdmin(const config::Settings& s, storage::UserRepository& users) {
  auto count = users.count();
  if (!count) return count.error();
  if (*count > 0) {
    forgetStaleInitialPassword(s, users);
    return {};
  }
  const bool generated = !s.admin_password;
  if (!generated) {
    if (auto st = auth::checkNewPassword(*s.admin_password, s.admin_username); !st) {
      return makeError("invalid_setting", "POISE_ADMIN_PASSWORD: " + st.error().message);
    }
  }
  const std::string password = generated ? auth::generatePassword() : *s.admin_password;
  auto hash = auth::hashPassword(password);
  if (!hash) return hash.error();
  auto created = users.create(s.admin_username, *hash, generated);
  if (!created) return created.error();
  if (generated) {
    if (auto st = auth::writeInitialPassword(s.data_dir, password); !st) return st;
    std::cerr << "\n  First admin created: username '" << s.admin_username << "', password '"
              << password << "'\n  (shown once; also written to "
              << auth::initialPasswordPath(s.data_dir).string()
              << " until you change it; you will be asked to)\n\n";
  }
  return {};
}

// POISE_API_TOKEN and POISE_UPSTREAM_URL seed the first start only; set later to other values
// than the stored ones, they are ignored, and the operator is told so (one line each; the token
// itself is never printed).
void warnSeedMismatch(const config::Settings& s, storage::ConfigRepository& repo) {
  if (s.api_token) {
    auto stored = repo.get("api_token");
    if (stored && *stored && (**stored).value != *s.api_token) {
      spdlog::warn(
          "msg=\"POISE_API_TOKEN differs from the stored config api_token, which stays in force; "
          "the variable seeds the first start only: change api_token in the console\"");
    }
  }
  if (s.upstream_url_given) {
    auto stored = repo.get("target_api_url");
    const std::string wanted = config::normalizeTargetUrl(s.upstream_url);
    if (stored && *stored && (**stored).value != wanted) {
      spdlog::warn(
          "msg=\"POISE_UPSTREAM_URL differs from the stored config target_api_url, which stays in "
          "force; the variable seeds the first start only: change target_api_url in the "
          "console\" env={} stored={}",
          logValue(wanted), logValue((**stored).value));
    }
  }
}

// Seeds the config defaults at first start. POISE_API_TOKEN must pass the api_token rules when it
// is seeded; a stored token from before those rules keeps working, with a warning.
Status seedConfig(const config::Settings& s, storage::ConfigRepository& repo,
                  const config::ListenAddress& self) {
  auto defaults = config::defaultConfigValues();
  defaults["target_api_url"] = config::normalizeTargetUrl(s.upstream_url);
  if (auto st = config::validateConfigValue("target_api_url", defaults["target_api_url"], self);
      !st) {
    return makeError("invalid_setting", "POISE_UPSTREAM_URL: " + st.error().message);
  }
  // A token an older version stored in clear is sealed before anything else reads it.
  auto sealed = repo.sealClearSecrets();
  if (!sealed) return sealed.error();
  if (*sealed > 0) spdlog::info("msg=\"config secrets encrypted at rest\" count={}", *sealed);
  auto stored = repo.get("api_token");
  if (!stored) return stored.error();
  if (*stored) {
    if (!config::validateConfigValue("api_token", (**stored).value)) {
      spdlog::warn(
          "msg=\"config api_token is shorter than 16 characters or malformed; set a new one in "
          "the console\"");
    }
  } else if (s.api_token) {
    if (auto st = config::validateConfigValue("api_token", *s.api_token); !st) {
      return makeError("invalid_setting", "POISE_API_TOKEN: " + st.error().message);
    }
    defaults["api_token"] = *s.api_token;
  }
  auto r = repo.insertIfAbsent(defaults);
  if (!r) return r.error();
  warnSeedMismatch(s, repo);
  return {};
}

// One per I/O thread.
struct WorkerResources {
  std::unique_ptr<net::UpstreamPool> upstream;
  std::mt19937_64 rng{std::random_device{}()};
};

std::vector<keys::PoolKey> toPoolKeys(
    std::vector<storage::ApiKey> rows,
    const std::map<std::int64_t, storage::BucketOverride>& overrides) {
  std::vector<keys::PoolKey> out;
  out.reserve(rows.size());
  for (auto& k : rows) {
    keys::PoolKey p;
    p.id = k.id;
    p.value = std::move(k.value);
    p.status = keys::parseKeyStatus(k.status).value_or(keys::KeyStatus::Error);
    p.failed_count = k.failed_count;
    p.priority = keys::parseKeyPriority(k.priority).value_or(keys::KeyPriority::Normal);
    p.last_used_at = k.last_used_at;
    p.usage_count = k.usage_count;
    if (auto it = overrides.find(k.id); it != overrides.end()) {
      p.bucket_override = keys::BucketLimits{it->second.capacity, it->second.refill_rate};
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<storage::UsageDelta> toUsageDeltas(const std::vector<keys::KeyDelta>& deltas) {
  std::vector<storage::UsageDelta> out;
  out.reserve(deltas.size());
  for (const auto& d : deltas) {
    storage::UsageDelta u;
    u.id = d.id;
    u.usage_increment = d.usage_increment;
    u.failed_count = d.failed_count;
    if (d.new_status) u.status = std::string(keys::toString(*d.new_status));
    u.last_used_at = d.last_used_at;
    u.status_reason = d.reason;
    out.push_back(std::move(u));
  }
  return out;
}

// The database URL for logs: kind and location, never the password.
std::string describeDatabase(const std::string& url) {
  auto parsed = storage::parseDatabaseUrl(url);
  return parsed ? parsed->redacted() : std::string("(invalid DATABASE_URL)");
}

int fail(const Error& e) {
  spdlog::critical("msg=\"cannot start\" code={} error={}", e.code, logValue(e.message));
  return 1;
}

}  // namespace

int serve(const config::Settings& s) {
  if (!auth::initCrypto()) return fail(makeError("crypto", "libsodium failed to initialise"));
  SystemClock clock;
  // One server per data directory: a second one would share its database and secret while
  // keeping its own pools and sessions. Held until serve() returns.
  auto data_dir_lock = DataDirLock::acquire(s.data_dir);
  if (!data_dir_lock) return fail(data_dir_lock.error());
  // Each connection may hold two descriptors; the usual soft limit of 1024 is far too low.
  const auto file_limit = raiseFileLimit();

  // Bind first, so the first log line can name the real address (port 0 → ephemeral).
  http::Router router;
  proxy::GeminiProxy* gemini_ptr = nullptr;
  admin::AdminApi* admin_ptr = nullptr;
  std::atomic<bool> ready{false};
  std::vector<WorkerResources> workers;
  auto dispatch = [&](net::HttpExchange& ex) -> asio::awaitable<void> {
    auto& req = ex.request();
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    auto starts = [&](std::string_view p) { return path.substr(0, p.size()) == p; };
    if (!ready.load(std::memory_order_acquire)) {
      co_await ex.respond(http::errorResponse(http::protocolForTarget(target), 503, "starting up"));
      co_return;
    }
    if (starts("/v1beta/") || starts("/v1alpha/")) {
      co_await gemini_ptr->handle(ex);
      co_return;
    }
    if (starts("/v1/")) {
      const auto last = path.rfind('/');
      const bool method_suffix = path.find(':', last) != std::string_view::npos;
      const bool models = path == "/v1/models" || starts("/v1/models/");
      const bool native_cred = !req["x-goog-api-key"].empty() ||
                               target.find("?key=") != std::string_view::npos ||
                               target.find("&key=") != std::string_view::npos;
      if (method_suffix || (models && native_cred)) {
        co_await gemini_ptr->handle(ex);
        co_return;
      }
    }
    auto m = router.match(req.method(), path);
    if (m.handler) {
      co_await (*m.handler)(ex, m.params);
      co_return;
    }
    if (starts("/api/")) {
      co_await admin_ptr->unmatched(ex, m.method_not_allowed);
      co_return;
    }
    const auto protocol = http::protocolForTarget(target);
    if (m.method_not_allowed) {
      co_await ex.respond(http::errorResponse(protocol, 405, "Method Not Allowed"));
      co_return;
    }
    co_await ex.respond(http::errorResponse(protocol, 404, "Not Found"));
  };
  auto reject = [](std::string_view target, unsigned status, std::string_view message) {
    return http::errorResponse(http::protocolForTarget(target), status, message);
  };

  net::HttpServerOptions opts;
  opts.host = s.listen_host;
  opts.port = s.listen_port;
  opts.workers = s.workers;
  opts.max_connections = s.max_connections;
  opts.body_limit = s.max_request_size;
  opts.read_timeout = std::chrono::seconds(s.request_timeout_seconds);
  opts.header_timeout = std::chrono::seconds(s.header_timeout_seconds);
  opts.max_connections_per_ip = s.max_connections_per_ip;
  auto trusted_proxies = net::AddressRanges::parse(s.trusted_proxies);
  if (!trusted_proxies) {
    return fail(
        makeError("invalid_setting", "POISE_TRUSTED_PROXIES: " + trusted_proxies.error().message));
  }
  opts.trusted_proxies = std::move(*trusted_proxies);
  net::HttpServer server(opts, dispatch, reject);
  auto bound = server.bind();
  if (!bound) return fail(bound.error());
  spdlog::info(
      "msg=\"poise starting\" listen={}:{} database={} state={} workers={} nofile={} version={}",
      s.listen_host, *bound, logValue(describeDatabase(s.database_url)),
      s.redis_url.empty() ? "memory" : "redis", s.workers, file_limit ? file_limit->soft : 0,
      kVersion);
  if (!file_limit) {
    spdlog::warn("msg=\"could not raise the open-file limit\" error={}",
                 logValue(file_limit.error().message));
  } else if (const auto needed = descriptorsNeeded(
                 s.max_connections, static_cast<std::size_t>(s.pool_size), s.workers);
             file_limit->soft < needed) {
    spdlog::warn(
        "msg=\"the open-file limit is too low for POISE_MAX_CONNECTIONS: each client connection "
        "may need an upstream one too; raise the hard nofile limit (ulimit -Hn, systemd "
        "LimitNOFILE=, docker --ulimit nofile=) or lower POISE_MAX_CONNECTIONS\" nofile={} "
        "needed={} max_connections={}",
        file_limit->soft, needed, s.max_connections);
  }
  if (!s.redis_url.empty()) {
    spdlog::warn(
        "msg=\"REDIS_URL is set but the Redis state backend is not built yet; using in-process "
        "state\"");
  }

  auto store = openStore(s, true);
  if (!store) return fail(store.error());
  storage::Database& db = *store->db;
  storage::UserRepository users(db, clock);
  storage::SessionRepository sessions(db);
  storage::ApiKeyRepository key_repo(db, *store->cipher, clock);
  storage::ConfigRepository config_repo(
      db, clock,
      storage::ConfigSecrets{.cipher = store->cipher.get(), .keys = config::secretConfigKeys()});
  storage::AuditRepository audit_repo(db);
  const config::ListenAddress self{.host = s.listen_host, .port = static_cast<int>(*bound)};
  if (auto st = ensureFirstAdmin(s, users); !st) return fail(st.error());
  if (auto st = seedConfig(s, config_repo, self); !st) return fail(st.error());

  config::RuntimeConfigStore runtime;
  keys::KeyPool pool(clock);
  const auto load_start = std::chrono::steady_clock::now();
  auto all_keys = key_repo.loadAll();
  if (!all_keys) return fail(all_keys.error());
  if (!all_keys->undecryptable.empty()) {
    std::string ids;
    for (const std::int64_t id : all_keys->undecryptable) {
      ids += (ids.empty() ? "" : ",") + std::to_string(id);
    }
    spdlog::warn(
        "msg=\"API keys do not decrypt with this master key; marked error\" count={} ids={} "
        "data_dir={}",
        all_keys->undecryptable.size(), ids, logValue(absoluteDir(s.data_dir)));
  }
  const std::size_t key_count = all_keys->keys.size();
  storage::BucketOverrideRepository override_repo(db);
  auto overrides = override_repo.loadAll();
  if (!overrides) return fail(overrides.error());
  pool.load(toPoolKeys(std::move(all_keys->keys), *overrides));

  // Threads for database calls (password hashing has a pool of its own, below): more than there
  // are connections would only queue on the pool; 16 bound the memory of a large POOL_SIZE.
  BlockingPool blocking(std::clamp<std::size_t>(static_cast<std::size_t>(s.pool_size), 2, 16));
  auth::SessionOptions session_options;
  session_options.idle_ttl = std::chrono::minutes(s.access_token_expire_minutes);
  auth::SessionService session_service(users, sessions, clock, session_options);
  stats::CallCounters call_counters;  // every upstream attempt, for statistics and key detail
  // Password hashing (64 MiB each) on two threads of its own, with 16 more logins queued at most:
  // a login flood costs at most 128 MiB and never holds the BlockingPool's threads.
  auth::HashingPool hashing(auth::HashingPoolOptions{.threads = 2, .queue = 16});
  admin::AdminApi admin_api(admin::AdminDeps{.blocking = blocking,
                                             .hashing = hashing,
                                             .sessions = session_service,
                                             .keys = key_repo,
                                             .config = config_repo,
                                             .audit = audit_repo,
                                             .pool = pool,
                                             .runtime = runtime,
                                             .clock = clock,
                                             .session_minutes = s.access_token_expire_minutes,
                                             .calls = &call_counters,
                                             .data_dir = s.data_dir,
                                             .listen = self});
  if (auto st = admin_api.reloadConfig(); !st) return fail(st.error());
  admin_api.registerRoutes(router);
  admin::registerTokenBucketRoutes(router, admin_api, override_repo);
  admin_ptr = &admin_api;

  // Statistics: upstream call counters (the proxy records every attempt), survival snapshots and
  // their routes; the job runs on the BlockingPool and is stopped before it.
  storage::StatisticsRepository stats_repo(db);
  stats::SnapshotJob stats_job(
      stats::SnapshotJobDeps{blocking, stats_repo, pool, runtime, call_counters, clock});
  if (auto st = stats_job.seedCounters(); !st) {
    spdlog::error("msg=\"could not load call counts\" error={}", logValue(st.error().message));
  }
  admin::registerStatisticsRoutes(
      router, admin_api, admin::StatisticsDeps{blocking, stats_repo, call_counters, clock});
  stats_job.start();

  auto tls = net::makeClientTlsContext();
  if (!tls) return fail(tls.error());
  workers.resize(server.workerCount());
  for (std::size_t i = 0; i < workers.size(); ++i) {
    workers[i].upstream = std::make_unique<net::UpstreamPool>(server.workerContext(i), **tls);
  }
  const proxy::GeminiProxyDeps proxy_deps{runtime, pool, clock,
                                          [&workers]() {
                                            const int w = net::HttpServer::currentWorker();
                                            auto& r =
                                                workers.at(static_cast<std::size_t>(w < 0 ? 0 : w));
                                            return proxy::WorkerContext{r.upstream.get(), &r.rng};
                                          },
                                          &call_counters};
  proxy::GeminiProxy gemini(proxy_deps);
  gemini_ptr = &gemini;
  proxy::CompatProxy compat(proxy_deps);

  // Key validation: the scheduled jobs, bulk and single checks, on the checker's own thread (never
  // a proxy worker), through the same KeyPool state machine as live traffic. Stopped after the
  // server and before the pools it uses go.
  jobs::KeyChecker key_checker(jobs::KeyCheckerDeps{runtime, pool, clock, **tls});
  jobs::ValidationScheduler validation(
      jobs::ValidationSchedulerDeps{key_checker, runtime, pool, clock});
  admin::registerKeyCheckRoutes(router, admin_api, key_checker);
  key_checker.start();
  validation.start();

  // OpenAI and Anthropic routes (translated to Gemini; same rotation as the native ones).
  router.add(bhttp::verb::post, "/v1/chat/completions",
             [&compat](net::HttpExchange& ex, const http::RouteParams&) -> asio::awaitable<void> {
               co_await compat.chatCompletions(ex);
             });
  router.add(bhttp::verb::post, "/v1/embeddings",
             [&compat](net::HttpExchange& ex, const http::RouteParams&) -> asio::awaitable<void> {
               co_await compat.embeddings(ex);
             });
  router.add(bhttp::verb::post, "/v1/images/generations",
             [&compat](net::HttpExchange& ex, const http::RouteParams&) -> asio::awaitable<void> {
               co_await compat.images(ex);
             });
  router.add(bhttp::verb::get, "/v1/models",
             [&compat](net::HttpExchange& ex, const http::RouteParams&) -> asio::awaitable<void> {
               co_await compat.listModels(ex);
             });
  router.add(bhttp::verb::get, "/v1/models/{id}",
             [&compat](net::HttpExchange& ex, const http::RouteParams& p) -> asio::awaitable<void> {
               const std::string id(p.get("id"));
               co_await compat.getModel(ex, id);
             });
  for (const char* path : {"/v1/messages", "/claude/v1/messages"}) {
    router.add(bhttp::verb::post, path,
               [&compat](net::HttpExchange& ex, const http::RouteParams&) -> asio::awaitable<void> {
                 co_await compat.messages(ex);
               });
  }

  // Operational routes.
  router.add(bhttp::verb::get, "/health",
             [](net::HttpExchange& ex, const http::RouteParams&) -> asio::awaitable<void> {
               co_await ex.respond(
                   http::jsonResponse(200, R"({"status":"healthy","service":"gemini-poise"})"));
             });
  router.add(
      bhttp::verb::get, "/ready",
      [&blocking, &db](net::HttpExchange& ex, const http::RouteParams&) -> asio::awaitable<void> {
        auto job1 = [&db] { return db.ping(); };
        auto st = co_await blocking.run(job1);
        json::object out;
        out["status"] = st ? "ready" : "unavailable";
        out["database"] = st ? "ok" : "unreachable";
        co_await ex.respond(http::jsonResponse(st ? 200 : 503, json::serialize(out)));
      });

  // Control thread: signals and the background flusher.
  asio::io_context control;
  auto flush = [&] {
    auto deltas = pool.drainDeltas();
    if (deltas.empty()) return;
    auto usage = toUsageDeltas(deltas);
    if (auto st = key_repo.applyUsage(usage); !st) {
      spdlog::error("msg=\"could not persist key usage\" keys={} error={}", usage.size(),
                    logValue(st.error().message));
    }
  };
  bool stopping = false;
  asio::co_spawn(
      control,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(control);
        // Idle token buckets are forgotten every token_bucket_cleanup_interval seconds (also on
        // read, with enable_lazy_cleanup); the sweep is O(keys) under the pool's mutex.
        auto next_cleanup = std::chrono::steady_clock::now();
        while (!stopping) {
          timer.expires_after(std::chrono::seconds(1));
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
          if (stopping) break;
          co_await blocking.run(flush);
          const auto now = std::chrono::steady_clock::now();
          if (now >= next_cleanup) {
            const std::size_t forgotten = pool.cleanupBuckets();
            if (forgotten > 0) spdlog::debug("msg=\"idle buckets forgotten\" count={}", forgotten);
            next_cleanup =
                now + std::chrono::seconds(runtime.snapshot()->token_bucket.cleanup_interval);
          }
        }
      },
      [](std::exception_ptr e) {
        if (e) spdlog::error("msg=\"flusher stopped unexpectedly\"");
      });
  asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("msg=\"shutting down\" signal={} grace_seconds={}", sig, s.shutdown_grace_seconds);
    stopping = true;
    control.stop();
  });

  ready.store(true, std::memory_order_release);
  if (auto st = server.run(); !st) return fail(st.error());
  spdlog::info("msg=\"poise ready\" keys={} active_keys={} startup_ms={}", key_count,
               pool.activeCount(),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - load_start)
                   .count());
  control.run();

  server.stop(std::chrono::seconds(s.shutdown_grace_seconds));
  validation.stop();
  key_checker.stop();  // cuts in-flight checks; their pool changes are flushed below
  // Pooled upstream sockets belong to the workers' io_contexts: close them while those live.
  workers.clear();
  flush();  // whatever the last requests changed
  // Ends the statistics loop and persists the last call counts (needs the BlockingPool).
  stats_job.stop();
  hashing.stop();  // a login still hashing uses the AdminApi's dependencies
  blocking.stop();
  spdlog::info("msg=\"poise stopped\"");
  return 0;
}

int migrate(const config::Settings& s) {
  auto store = openStore(s, false);
  if (!store) return fail(store.error());
  auto versions = storage::appliedMigrationVersions(*store->db);
  spdlog::info("msg=\"migrations applied\" database={} versions={}",
               logValue(describeDatabase(s.database_url)), versions ? versions->size() : 0);
  return 0;
}

int importKeys(const config::Settings& s, const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "cannot read " << file << "\n";
      return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  std::vector<std::string> values;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto end = text.find_first_of(",\n\r", i);
    std::string part = text.substr(i, end == std::string::npos ? std::string::npos : end - i);
    const auto b = part.find_first_not_of(" \t");
    const auto e = part.find_last_not_of(" \t");
    if (b != std::string::npos) values.push_back(part.substr(b, e - b + 1));
    if (end == std::string::npos) break;
    i = end + 1;
  }
  auto store = openStore(s, true);
  if (!store) return fail(store.error());
  SystemClock clock;
  storage::ApiKeyRepository repo(*store->db, *store->cipher, clock);
  // Keys added under another master key than the stored ones would never decrypt for the gateway.
  auto first = store->db->query("SELECT MIN(id) FROM api_keys");
  if (!first) return fail(first.error());
  if (auto id = first->empty() ? std::nullopt : first->front().optionalInt64(0)) {
    if (auto k = repo.get(*id); !k && k.error().code == "decrypt_failed") {
      return fail(makeError("secret_key_mismatch",
                            "the master key (secret.key in " + absoluteDir(s.data_dir) +
                                " or POISE_SECRET_KEY) does not decrypt the API keys already "
                                "stored; nothing imported"));
    }
  }
  auto r = repo.addMany(std::move(values), clock.now());
  if (!r) return fail(r.error());
  std::cout << "added " << r->total_added << ", skipped " << (r->total_processed - r->total_added)
            << " (of " << r->total_processed << ")\n";
  return 0;
}

int resetPassword(const config::Settings& s, const std::string& username) {
  if (!auth::initCrypto()) return fail(makeError("crypto", "libsodium failed to initialise"));
  auto store = openStore(s, false);
  if (!store) return fail(store.error());
  SystemClock clock;
  storage::UserRepository users(*store->db, clock);
  storage::SessionRepository sessions(*store->db);
  auto user = users.findByUsername(username);
  if (!user) return fail(user.error());
  if (!*user) {
    std::cerr << "no user named '" << username << "'\n";
    return 1;
  }
  const std::string password = auth::generatePassword();
  auto hash = auth::hashPassword(password);
  if (!hash) return fail(hash.error());
  if (auto st = users.updatePassword((*user)->id, *hash, true); !st) return fail(st.error());
  auto revoked = sessions.revokeAllForUser((*user)->id);
  if (!revoked) return fail(revoked.error());
  std::cout << password << "\n";
  std::cerr << "new password for '" << username << "' printed above (shown once); " << *revoked
            << " session(s) revoked\n";
  return 0;
}

}  // namespace poise::app
