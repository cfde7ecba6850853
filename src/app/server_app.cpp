#include "app/server_app.h"

#include <unistd.h>

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <csignal>

#include "admin/alert_routes.h"
#include "admin/key_check_routes.h"
#include "admin/statistics_routes.h"
#include "admin/token_bucket_routes.h"
#include "admin/token_routes.h"
#include "admin/usage_routes.h"
#include "core/log.h"
#include "http/error_envelope.h"
#include "metrics/registry.h"
#include "net/address_ranges.h"
#include "proxy/client_auth.h"
#include "usage/request_log_retention.h"

namespace poise::app {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

// Idle token buckets are forgotten every token_bucket_cleanup_interval seconds (also on read,
// with enable_lazy_cleanup); the sweep is O(keys) under the pool's mutex.
constexpr auto kFlushInterval = std::chrono::seconds(1);

// The machine's name, for the "gateway" of alert payloads ("" when it cannot be read).
std::string hostName() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return {};
  return std::string(name.data());
}

net::HttpServerOptions serverOptions(const config::Settings& s, net::AddressRanges trusted) {
  net::HttpServerOptions opts;
  opts.host = s.listen_host;
  opts.port = s.listen_port;
  opts.workers = s.workers;
  opts.max_connections = s.max_connections;
  opts.body_limit = s.max_request_size;
  opts.read_timeout = std::chrono::seconds(s.request_timeout_seconds);
  opts.header_timeout = std::chrono::seconds(s.header_timeout_seconds);
  opts.max_connections_per_ip = s.max_connections_per_ip;
  opts.trusted_proxies = std::move(trusted);
  return opts;
}

// Native Gemini requests: everything under /v1beta/ and /v1alpha/, and on /v1/ a method call
// (`…:generateContent`) or a models listing that carries a native credential (the OpenAI
// models listing is the same path with a Bearer token).
bool isNative(const net::Request& req, std::string_view path) {
  const std::string_view target = req.target();
  auto starts = [&](std::string_view p) { return path.substr(0, p.size()) == p; };
  if (starts("/v1beta/") || starts("/v1alpha/")) return true;
  if (!starts("/v1/")) return false;
  const auto last = path.rfind('/');
  if (path.find(':', last) != std::string_view::npos) return true;
  const bool models = path == "/v1/models" || starts("/v1/models/");
  const bool native_cred = !req["x-goog-api-key"].empty() ||
                           target.find("?key=") != std::string_view::npos ||
                           target.find("&key=") != std::string_view::npos;
  return models && native_cred;
}

// Finishes a request's record when the front's handler ends, however it ends (answered,
// aborted, the client gone, an exception, the coroutine destroyed mid-way), and hands it to the
// front's sink: the one place a record is finished.
class RecordFinisher {
 public:
  RecordFinisher(const Front& front, net::HttpExchange& ex, http::RequestRecord& record)
      : front_(front), ex_(ex), record_(record) {}
  RecordFinisher(const RecordFinisher&) = delete;
  RecordFinisher& operator=(const RecordFinisher&) = delete;
  ~RecordFinisher() {
    ex_.captureBody(nullptr, nullptr);  // the server may still answer; the record ends here
    http::finishRecord(record_, ex_.status(), ex_.clientGone(), front_.clock.monotonicMs());
    if (front_.records) front_.records(record_);
  }

 private:
  const Front& front_;
  net::HttpExchange& ex_;
  http::RequestRecord& record_;
};

// The record of a request that has just arrived.
http::RequestRecord openRecord(net::HttpExchange& ex) {
  const auto& req = ex.request();
  http::RequestRecord record;
  record.request_id = ex.info().request_id;
  record.method = std::string(req.method_string());
  record.path = std::string(http::targetPath(req.target()));
  // Behind a trusted proxy, the client it forwarded for (net/forwarded_client.h).
  record.remote_ip = ex.info().client_ip;
  record.user_agent = std::string(req[bhttp::field::user_agent]);
  record.started_ms = ex.info().started_ms;
  record.protocol = http::protocolForTarget(req.target());
  return record;
}

// The server's handler: every request goes through the front's route table once it is ready.
net::RequestHandler frontHandler(Front& front) {
  return [&front](net::HttpExchange& ex) -> asio::awaitable<void> {
    http::RequestRecord record = openRecord(ex);
    // The answer's first bytes reach the record only once the proxy starts a body capture.
    ex.captureBody(&record.response_body, &record.body_capture_raw);
    const RecordFinisher finisher(front, ex, record);
    const std::string_view target = ex.request().target();
    if (!front.ready.load(std::memory_order_acquire)) {
      co_await ex.respond(http::errorResponse(record.protocol, 503, "starting up"));
      co_return;
    }
    auto m = front.router.match(ex.request());
    if (m.handler) {
      record.route = m.route->pattern;
      co_await (*m.handler)(ex, m.params, record);
      co_return;
    }
    if (http::targetPath(target).substr(0, 5) == "/api/") {
      record.protocol = http::Protocol::Admin;
      co_await front.admin->unmatched(ex, m.method_not_allowed);
      co_return;
    }
    // The web console's files and pages: only for a path no route has (for any method).
    if (!m.method_not_allowed && front.console != nullptr &&
        co_await front.console->serve(ex, record)) {
      co_return;
    }
    co_await ex.respond(
        http::errorResponse(record.protocol, m.method_not_allowed ? 405 : 404,
                            m.method_not_allowed ? "Method Not Allowed" : "Not Found"));
  };
}

// The access log: one info line per finished request.
void logAccess(const http::RequestRecord& record) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  spdlog::info("msg=access {}", http::accessLogFields(record));
}

// A route handler from a member of a proxy that takes the exchange and the record.
template <class Proxy>
http::Handler routeTo(Proxy* proxy, asio::awaitable<void> (Proxy::*member)(net::HttpExchange&,
                                                                           http::RequestRecord&)) {
  return [proxy, member](net::HttpExchange& ex, const http::RouteParams&,
                         http::RequestRecord& record) -> asio::awaitable<void> {
    co_await (proxy->*member)(ex, record);
  };
}

void logFileLimit(const config::Settings& s, const Result<FileLimit>& file_limit) {
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
}

}  // namespace

Result<std::unique_ptr<ServerApp>> ServerApp::create(const config::Settings& s) {
  // One server per data directory: a second one would share its database and secret while
  // keeping its own pools and sessions. Held until the app is destroyed.
  auto lock = DataDirLock::acquire(s.data_dir);
  if (!lock) return lock.error();
  // Each connection may hold two descriptors; the usual soft limit of 1024 is far too low.
  const auto file_limit = raiseFileLimit();

  auto trusted = net::AddressRanges::parse(s.trusted_proxies);
  if (!trusted) {
    return makeError(ErrorCode::InvalidSetting,
                     "POISE_TRUSTED_PROXIES: " + trusted.error().message);
  }
  auto front = std::make_unique<Front>();
  // Requests the server answers itself leave a record too (a handler's own record is already
  // finished when the server answers a handler that answered nothing).
  auto reject = [f = front.get()](const net::EarlyAnswer& early) {
    const http::Protocol protocol = http::protocolForTarget(early.target);
    if (!early.handled && f->records) {
      http::RequestRecord record;
      record.path = std::string(http::targetPath(early.target));
      record.remote_ip = std::string(early.remote_ip);
      record.protocol = protocol;
      record.started_ms = f->clock.monotonicMs();
      http::finishRecord(record, early.status, false, record.started_ms);
      f->records(record);
    }
    return http::errorResponse(protocol, early.status, early.message);
  };
  net::HttpServerOptions options = serverOptions(s, std::move(*trusted));
  options.clock = &front->clock;
  front->server =
      std::make_unique<net::HttpServer>(std::move(options), frontHandler(*front), reject);
  auto bound = front->server->bind();
  if (!bound) return bound.error();
  front->port = *bound;
  spdlog::info(
      "msg=\"poise starting\" listen={}:{} database={} state={} workers={} nofile={} version={}",
      s.listen_host, *bound, logValue(describeDatabase(s.database_url)),
      s.redis_url.empty() ? "memory" : "redis", s.workers, file_limit ? file_limit->soft : 0,
      kVersion);
  logFileLimit(s, file_limit);
  if (!s.redis_url.empty()) {
    spdlog::warn(
        "msg=\"REDIS_URL is set but the Redis state backend is not built yet; using in-process "
        "state\"");
  }

  const SystemClock migration_clock;
  auto store = openStore(s, true, migration_clock);
  if (!store) return store.error();
  auto tls = net::makeClientTlsContext();
  if (!tls) return tls.error();
  std::unique_ptr<ServerApp> app(new ServerApp(
      s, Opened{std::move(*lock), std::move(front), std::move(*store), std::move(*tls)}));
  if (auto st = app->prepare(); !st) return st.error();
  return app;
}

ServerApp::ServerApp(const config::Settings& s, Opened opened)
    : settings_(s),
      lock_(std::move(opened.lock)),
      front_(std::move(opened.front)),
      store_(std::move(opened.store)),
      users_(*store_.db, clock_),
      sessions_(*store_.db),
      key_repo_(*store_.db, *store_.cipher, clock_),
      config_repo_(*store_.db, clock_, configSecrets(*store_.cipher)),
      audit_repo_(*store_.db),
      override_repo_(*store_.db),
      stats_repo_(*store_.db),
      token_repo_(*store_.db),
      request_log_repo_(*store_.db),
      usage_repo_(*store_.db),
      alert_repo_(*store_.db, *store_.cipher),
      response_repo_(*store_.db),
      resource_key_repo_(*store_.db),
      pool_(clock_),
      // Threads for database calls: more than there are connections would only queue on the
      // pool; 16 bound the memory of a large POOL_SIZE.
      blocking_(std::clamp<std::size_t>(static_cast<std::size_t>(s.pool_size), 2, 16)),
      // Password hashing (64 MiB each) on two threads of its own, with 16 more logins queued at
      // most: a login flood costs at most 128 MiB and never holds the BlockingPool's threads.
      hashing_(auth::HashingPoolOptions{.threads = 2, .queue = 16}),
      session_service_(
          users_, sessions_, clock_,
          auth::SessionOptions{.idle_ttl = std::chrono::minutes(s.access_token_expire_minutes)}),
      accounts_(users_, sessions_),
      resource_keys_(resource_key_repo_, blocking_, clock_),
      admin_(admin::AdminDeps{
          .blocking = blocking_,
          .hashing = hashing_,
          .sessions = session_service_,
          .keys = key_repo_,
          .config = config_repo_,
          .audit = audit_repo_,
          .pool = pool_,
          .runtime = runtime_,
          .clock = clock_,
          .session_minutes = s.access_token_expire_minutes,
          .calls = &call_counters_,
          .data_dir = s.data_dir,
          .listen = {.host = s.listen_host, .port = static_cast<int>(front_->port)},
          .accounts = &accounts_,
          .reload_pool = [this] { return loadPool(false); },
          .request_logs = &request_log_repo_}),
      console_(assets::consoleAssets(), s.console),
      stats_job_(stats::SnapshotJobDeps{blocking_, stats_repo_, pool_, runtime_, call_counters_,
                                        clock_, &usage_repo_}),
      tls_(std::move(opened.tls)),
      workers_(front_->server->workerCount()),
      proxy_deps_{runtime_,
                  pool_,
                  clock_,
                  [this]() {
                    const int w = net::HttpServer::currentWorker();
                    auto& r = workers_.at(static_cast<std::size_t>(w < 0 ? 0 : w));
                    return proxy::WorkerContext{r.upstream.get(), &r.rng};
                  },
                  &call_counters_,
                  &token_registry_,
                  &token_limiter_,
                  &response_repo_,
                  &blocking_,
                  &resource_keys_},
      gemini_(proxy_deps_),
      compat_(proxy_deps_),
      live_(proxy_deps_),
      alerts_(alerts::AlertServiceDeps{
          .clock = clock_,
          .repo = alert_repo_,
          .pool = pool_,
          .tls = *tls_,
          .gateway = {.version = std::string(kVersion), .host = hostName()},
          .allow_private = s.alerts_allow_private}),
      key_checker_(jobs::KeyCheckerDeps{runtime_, pool_, clock_, *tls_}),
      validation_(jobs::ValidationSchedulerDeps{
          key_checker_, runtime_, pool_, clock_,
          [this](const jobs::ValidationRunSummary& run) { alertValidationRun(run); }}),
      signals_(control_, SIGINT, SIGTERM, SIGHUP),
      flush_timer_(control_),
      prune_timer_(control_) {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    workers_[i].upstream =
        std::make_unique<net::UpstreamPool>(front_->server->workerContext(i), *tls_);
  }
  usage::RequestLogWriter::Sink logs;
  if (s.request_log) {
    logs = [this](std::span<const storage::RequestLogRow> rows) {
      return request_log_repo_.appendBatch(rows);
    };
  }
  // Always on: with POISE_REQUEST_LOG=off it writes no rows, only the usage aggregates.
  request_log_.emplace(usage::withUsageAggregates(std::move(logs), usage_repo_),
                       usage::RequestLogWriterOptions{
                           .capacity = s.request_log_queue,
                           .batch_rows = s.request_log_batch,
                           .batch_interval = std::chrono::milliseconds(s.request_log_interval_ms)});
  if (s.metrics) {
    metrics_.watchDatabase(*store_.db);
    metrics_.watchRequestLog([this] {
      const usage::RequestLogWriterCounters c = request_log_->counters();
      return stats::RequestLogFigures{.written = c.written,
                                      .dropped = c.dropped,
                                      .failed = c.failed_rows,
                                      .queue_depth = c.queue_depth,
                                      .queue_capacity = request_log_->capacity()};
    });
  }
  front_->admin = &admin_;
  front_->console = &console_;
  // Set before the server runs: the workers only read it.
  front_->records = [this](const http::RequestRecord& record) { consumeRecord(record); };
}

void ServerApp::consumeRecord(const http::RequestRecord& record) {
  if (record.token_id != 0) {
    const TimePoint now = clock_.now();
    const std::int64_t completion = record.usage.candidates + record.usage.thoughts;
    token_usage_.add(tokens::UsageSample{.token_id = record.token_id,
                                         .at = now,
                                         .error = record.status == 0 || record.status >= 400,
                                         .charged = record.token_charged,
                                         .prompt_tokens = record.usage.prompt,
                                         .completion_tokens = completion});
    if (record.token_charged) {
      token_limiter_.addTokens(record.token_id, record.usage.prompt + completion, now);
    }
  }
  // One row per client request: the admin API has its audit log, and the operational routes
  // (health, metrics, docs) would only crowd out the requests an operator looks for.
  if (request_log_ && record.protocol != http::Protocol::Admin) {
    request_log_->enqueue(usage::toRequestLogRow(record, clock_.now()));
  }
  if (settings_.metrics) metrics_.observe(record);
  alerts_.requestFinished(record);
  if (settings_.access_log) logAccess(record);
}

void ServerApp::alertValidationRun(const jobs::ValidationRunSummary& run) {
  const auto n = [](std::size_t v) { return static_cast<std::int64_t>(v); };
  alerts_.validationRun(alerts::ValidationRun{.schedule = std::string(jobs::toString(run.schedule)),
                                              .keys = n(run.keys),
                                              .failures = n(run.failures),
                                              .valid = n(run.valid),
                                              .exhausted = n(run.exhausted),
                                              .error = n(run.error),
                                              .unanswered = n(run.unanswered)});
}

net::Response ServerApp::metricsResponse(const net::Request& request) const {
  auto plain = [](bhttp::status status, std::string body) {
    net::Response res{status, 11};
    res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res.set(bhttp::field::cache_control, "no-store");
    res.body() = std::move(body);
    return res;
  };
  if (!settings_.metrics) return plain(bhttp::status::not_found, "metrics are off\n");
  if (settings_.metrics_token) {
    const std::string_view header = request[bhttp::field::authorization];
    constexpr std::string_view kScheme = "bearer ";
    const bool bearer = header.size() > kScheme.size() &&
                        boost::algorithm::iequals(header.substr(0, kScheme.size()), kScheme);
    if (!bearer || !proxy::tokenEquals(header.substr(kScheme.size()), *settings_.metrics_token)) {
      auto res = plain(bhttp::status::unauthorized, "a metrics bearer token is required\n");
      res.set(bhttp::field::www_authenticate, "Bearer");
      return res;
    }
  }
  auto res = plain(bhttp::status::ok, metrics_.render());
  res.set(bhttp::field::content_type, metrics::kContentType);
  return res;
}

// Publishes the stored client tokens to the proxy and seeds their daily quotas with today's
// counts, so a restart forgets neither.
Status ServerApp::loadTokens() {
  if (auto st = admin::reloadTokens(token_repo_, token_registry_); !st) return st;
  const TimePoint now = clock_.now();
  auto today = token_repo_.loadDay(storage::utcDayString(now));
  if (!today) return today.error();
  for (const auto& row : *today) {
    token_limiter_.seedDay(row.token_id, now,
                           tokens::DayCounts{.requests = row.requests, .tokens = row.tokens});
  }
  return {};
}

ServerApp::~ServerApp() {
  shutdown();
}

Status ServerApp::prepare() {
  const std::int64_t load_start = clock_.monotonicMs();
  const config::ListenAddress self{.host = settings_.listen_host,
                                   .port = static_cast<int>(front_->port)};
  if (auto st = ensureFirstAdmin(settings_, users_); !st) return st;
  if (auto st = seedConfig(settings_, config_repo_, self); !st) return st;

  auto loaded = loadPool(true);
  if (!loaded) return loaded.error();
  key_count_ = loaded->keys;

  if (auto st = admin_.reloadConfig(); !st) return st;
  if (auto st = loadTokens(); !st) return st;
  if (auto st = alerts_.reload(); !st) return st;
  if (auto st = stats_job_.seedCounters(); !st) {
    spdlog::error("msg=\"could not load call counts\" error={}", logValue(st.error().message));
  }
  wireRoutes();
  if (auto st = api_docs_.build(front_->router); !st) return st;
  console_.reserveRoutes(front_->router);
  started_ms_ = load_start;
  return {};
}

// Start-up loads the pool whole; a reload (api_keys/cache/*) first writes the pending usage and
// status changes, then syncs the pool to the rows, keeping live cooldowns and bucket levels.
Result<admin::PoolReload> ServerApp::loadPool(bool initial) {
  if (!initial) flushUsage();
  auto all_keys = key_repo_.loadAll();
  if (!all_keys) return all_keys.error();
  if (!all_keys->undecryptable.empty()) {
    std::string ids;
    for (const std::int64_t id : all_keys->undecryptable) {
      ids += (ids.empty() ? "" : ",") + std::to_string(id);
    }
    spdlog::warn(
        "msg=\"API keys do not decrypt with this master key; marked error\" count={} ids={} "
        "data_dir={}",
        all_keys->undecryptable.size(), ids, logValue(absoluteDir(settings_.data_dir)));
  }
  const admin::PoolReload out{.keys = all_keys->keys.size(),
                              .undecryptable = all_keys->undecryptable.size()};
  auto overrides = override_repo_.loadAll();
  if (!overrides) return overrides.error();
  auto keys = toPoolKeys(std::move(all_keys->keys), *overrides);
  if (initial) {
    pool_.load(std::move(keys));
  } else {
    pool_.sync(std::move(keys));
  }
  return out;
}

// The one route table: native Gemini paths, the OpenAI and Anthropic routes, the admin API and
// the operational routes. The first registered match wins, so the native entries (which look at
// the request, not only the path) come before the OpenAI /v1/models entries.
void ServerApp::wireRoutes() {
  using http::Access;
  using http::Route;
  http::Router& router = front_->router;

  const http::Handler native = routeTo(&gemini_, &proxy::GeminiProxy::handle);
  for (const char* prefix : {"/v1beta/", "/v1alpha/"}) {
    router.add(Route{.pattern = prefix,
                     .access = Access::GatewayToken,
                     .summary = "Gemini API, passed through with a pool key",
                     .handler = native,
                     .prefix = true});
  }
  for (const char* prefix : {"/upload/v1beta/", "/upload/v1alpha/"}) {
    router.add(Route{.pattern = prefix,
                     .access = Access::GatewayToken,
                     .summary = "Gemini Files API uploads (resumable, multipart, media), with the "
                                "key that started the upload",
                     .handler = native,
                     .prefix = true});
  }
  router.add(Route{.pattern = "/v1/",
                   .access = Access::GatewayToken,
                   .summary = "Gemini API v1: method calls, and models listings with a native "
                              "credential",
                   .handler = native,
                   .prefix = true,
                   .when = isNative});

  // The Live API: a WebSocket per session, relayed to one key's upstream socket.
  for (const char* version : {"v1beta", "v1alpha"}) {
    router.add(Route{.method = bhttp::verb::get,
                     .pattern = std::string("/ws/google.ai.generativelanguage.") + version +
                                ".GenerativeService.BidiGenerateContent",
                     .access = Access::GatewayToken,
                     .summary = "Gemini Live API (WebSocket), relayed with a pool key",
                     .handler = routeTo(&live_, &proxy::LiveProxy::handle)});
  }

  // OpenAI and Anthropic routes (translated to Gemini; same rotation as the native ones).
  const auto post = bhttp::verb::post;
  const auto get = bhttp::verb::get;
  router.add(Route{.method = post,
                   .pattern = "/v1/chat/completions",
                   .access = Access::GatewayToken,
                   .summary = "OpenAI chat completions, translated to Gemini",
                   .handler = routeTo(&compat_, &proxy::CompatProxy::chatCompletions)});
  router.add(Route{.method = post,
                   .pattern = "/v1/responses",
                   .access = Access::GatewayToken,
                   .summary = "OpenAI Responses API, translated to Gemini",
                   .handler = routeTo(&compat_, &proxy::CompatProxy::responses)});
  auto* compat_responses = &compat_;
  router.add(
      Route{.method = get,
            .pattern = "/v1/responses/{id}",
            .access = Access::GatewayToken,
            .summary = "A stored OpenAI response of the calling token",
            .handler = [compat_responses](net::HttpExchange& ex, const http::RouteParams& p,
                                          http::RequestRecord& record) -> asio::awaitable<void> {
              const std::string id(p.get("id"));
              co_await compat_responses->getResponse(ex, record, id);
            }});
  router.add(
      Route{.method = bhttp::verb::delete_,
            .pattern = "/v1/responses/{id}",
            .access = Access::GatewayToken,
            .summary = "Deletes a stored OpenAI response of the calling token",
            .handler = [compat_responses](net::HttpExchange& ex, const http::RouteParams& p,
                                          http::RequestRecord& record) -> asio::awaitable<void> {
              const std::string id(p.get("id"));
              co_await compat_responses->deleteResponse(ex, record, id);
            }});
  router.add(Route{.method = post,
                   .pattern = "/v1/embeddings",
                   .access = Access::GatewayToken,
                   .summary = "OpenAI embeddings, translated to Gemini",
                   .handler = routeTo(&compat_, &proxy::CompatProxy::embeddings)});
  router.add(Route{.method = post,
                   .pattern = "/v1/images/generations",
                   .access = Access::GatewayToken,
                   .summary = "OpenAI image generation, translated to Gemini",
                   .handler = routeTo(&compat_, &proxy::CompatProxy::images)});
  router.add(Route{.method = get,
                   .pattern = "/v1/models",
                   .access = Access::GatewayToken,
                   .summary = "OpenAI models list",
                   .handler = routeTo(&compat_, &proxy::CompatProxy::listModels)});
  auto* compat = &compat_;
  router.add(Route{.method = get,
                   .pattern = "/v1/models/{id}",
                   .access = Access::GatewayToken,
                   .summary = "OpenAI model",
                   .handler = [compat](net::HttpExchange& ex, const http::RouteParams& p,
                                       http::RequestRecord& record) -> asio::awaitable<void> {
                     const std::string id(p.get("id"));
                     co_await compat->getModel(ex, record, id);
                   }});
  for (const char* path : {"/v1/messages", "/claude/v1/messages"}) {
    router.add(Route{.method = post,
                     .pattern = path,
                     .access = Access::GatewayToken,
                     .summary = "Anthropic messages, translated to Gemini",
                     .handler = routeTo(&compat_, &proxy::CompatProxy::messages)});
  }
  for (const char* path : {"/v1/messages/count_tokens", "/claude/v1/messages/count_tokens"}) {
    router.add(Route{.method = post,
                     .pattern = path,
                     .access = Access::GatewayToken,
                     .summary = "Anthropic token count, through Gemini countTokens",
                     .handler = routeTo(&compat_, &proxy::CompatProxy::countTokens)});
  }

  admin_.registerRoutes(router);
  admin::registerTokenBucketRoutes(router, admin_, override_repo_);
  admin::registerStatisticsRoutes(
      router, admin_, admin::StatisticsDeps{blocking_, stats_repo_, usage_repo_, clock_});
  admin::registerUsageRoutes(router, admin_, admin::UsageDeps{blocking_, usage_repo_, clock_});
  admin::registerKeyCheckRoutes(router, admin_, key_checker_);
  admin::registerAlertRoutes(
      router, admin_,
      admin::AlertDeps{
          .blocking = blocking_, .repo = alert_repo_, .service = alerts_, .clock = clock_});
  admin::registerTokenRoutes(router, admin_,
                             admin::TokenDeps{.blocking = blocking_,
                                              .repo = token_repo_,
                                              .users = users_,
                                              .registry = token_registry_,
                                              .limiter = token_limiter_,
                                              .clock = clock_});

  // Operational routes.
  router.add(Route{.method = get,
                   .pattern = "/health",
                   .access = Access::Anyone,
                   .summary = "liveness: the process answers",
                   .handler = [](net::HttpExchange& ex, const http::RouteParams&,
                                 http::RequestRecord&) -> asio::awaitable<void> {
                     co_await ex.respond(http::jsonResponse(
                         200, R"({"status":"healthy","service":"gemini-poise"})"));
                   }});
  router.add(Route{.method = get,
                   .pattern = "/ready",
                   .access = Access::Anyone,
                   .summary = "readiness: the database answers",
                   .handler = [this](net::HttpExchange& ex, const http::RouteParams&,
                                     http::RequestRecord&) -> asio::awaitable<void> {
                     auto ping = [this] { return store_.db->ping(); };
                     auto st = co_await blocking_.run(ping);
                     json::object out;
                     out["status"] = st ? "ready" : "unavailable";
                     out["database"] = st ? "ok" : "unreachable";
                     co_await ex.respond(http::jsonResponse(st ? 200 : 503, json::serialize(out)));
                   }});
  router.add(Route{.method = get,
                   .pattern = "/metrics",
                   .access = Access::Anyone,
                   .summary = "Prometheus metrics (POISE_METRICS; its own bearer token when set)",
                   .handler = [this](net::HttpExchange& ex, const http::RouteParams&,
                                     http::RequestRecord&) -> asio::awaitable<void> {
                     co_await ex.respond(metricsResponse(ex.request()));
                   }});
  api_docs_.addRoutes(router);
}

void ServerApp::flushUsage() {
  if (auto sums = token_usage_.drain(); !sums.empty()) {
    std::vector<storage::TokenUsageRow> rows;
    rows.reserve(sums.size());
    for (const auto& d : sums) {
      rows.push_back(storage::TokenUsageRow{
          .token_id = d.token_id,
          .day = storage::utcDayString(TimePoint{} + std::chrono::days(d.day)),
          .requests = d.requests,
          .charged_requests = d.charged_requests,
          .errors = d.errors,
          .prompt_tokens = d.prompt_tokens,
          .completion_tokens = d.completion_tokens,
          .last_used = d.last_used});
    }
    if (auto st = token_repo_.applyUsage(rows); !st) {
      spdlog::error("msg=\"could not persist token usage\" tokens={} error={}", rows.size(),
                    logValue(st.error().message));
      token_usage_.restore(std::move(sums));  // tried again on the next flush
    }
  }
  auto deltas = pool_.drainDeltas();
  if (deltas.empty()) return;
  alerts_.keyDeltas(deltas);  // each status change logged at warn; key.error / key.exhausted
  auto usage = toUsageDeltas(deltas);
  if (auto st = key_repo_.applyUsage(usage); !st) {
    spdlog::error("msg=\"could not persist key usage\" keys={} error={}", usage.size(),
                  logValue(st.error().message));
  }
}

// Every second, on the control thread: the pool's deltas (usage counts, failure counters, status
// changes with reasons) in one transaction on the BlockingPool, and the idle-bucket sweep when it
// is due. Ends when the stop signal cancels the timer.
void ServerApp::startFlusher() {
  asio::co_spawn(
      control_,
      [this]() -> asio::awaitable<void> {
        auto next_cleanup = clock_.monotonicMs();
        const std::stop_token stop = stop_.get_token();
        while (!stop.stop_requested()) {
          flush_timer_.expires_after(kFlushInterval);
          co_await flush_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
          if (stop.stop_requested()) break;
          auto flush = [this] { flushUsage(); };
          co_await blocking_.run(flush);
          alerts_.tick();  // pool counts and the 5-minute error rate against the thresholds
          const std::int64_t now = clock_.monotonicMs();
          if (now >= next_cleanup) {
            const std::size_t forgotten = pool_.cleanupBuckets();
            if (forgotten > 0) spdlog::debug("msg=\"idle buckets forgotten\" count={}", forgotten);
            next_cleanup =
                now + std::int64_t{runtime_.snapshot()->token_bucket.cleanup_interval} * 1000;
          }
        }
      },
      [](const std::exception_ptr& e) {
        if (e) spdlog::error("msg=\"flusher stopped unexpectedly\"");
      });
}

void ServerApp::startRetention() {
  asio::co_spawn(
      control_,
      [this]() -> asio::awaitable<void> {
        const std::stop_token stop = stop_.get_token();
        auto wait = std::chrono::seconds(settings_.request_log_prune_seconds);
        while (!stop.stop_requested()) {
          prune_timer_.expires_after(wait);
          co_await prune_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
          if (stop.stop_requested()) break;
          wait = std::chrono::seconds(settings_.request_log_prune_seconds);
          const auto cfg = runtime_.snapshot();
          const TimePoint now = clock_.now();
          auto expire = [this, now] { return response_repo_.deleteExpired(now); };
          auto expired = co_await blocking_.run(expire);
          if (!expired) {
            spdlog::warn("msg=\"could not prune stored responses\" error={}",
                         logValue(expired.error().message));
          } else if (*expired > 0) {
            spdlog::info("msg=\"stored responses pruned\" rows={}", *expired);
          }
          const auto options = usage::retentionPrune(cfg->request_log_retention_days,
                                                     cfg->request_log_max_rows, clock_.now());
          // Bindings of files, caches, batches and interactions that have expired upstream.
          auto prune_resources = [this] { return resource_keys_.pruneExpired(); };
          if (auto gone = co_await blocking_.run(prune_resources); !gone) {
            spdlog::warn("msg=\"could not prune resource keys\" error={}",
                         logValue(gone.error().message));
          } else if (*gone > 0) {
            spdlog::info("msg=\"resource keys pruned\" rows={}", *gone);
          }
          if (!options) continue;
          auto prune = [this, &options] { return request_log_repo_.prune(*options); };
          auto pruned = co_await blocking_.run(prune);
          if (!pruned) {
            spdlog::warn("msg=\"could not prune request logs\" error={}",
                         logValue(pruned.error().message));
            continue;
          }
          if (*pruned > 0) spdlog::info("msg=\"request logs pruned\" rows={}", *pruned);
          // A full run leaves more to delete: go on soon, in another run of short transactions.
          if (*pruned >= std::int64_t{usage::kPruneBatchRows} * usage::kPruneBatchesPerRun) {
            wait = std::chrono::seconds(1);
          }
        }
      },
      [](const std::exception_ptr& e) {
        if (e) spdlog::error("msg=\"request log retention stopped unexpectedly\"");
      });
}

int ServerApp::run() {
  // The one stop signal: each running part begins to stop when it is requested (none of these
  // blocks; they run on the thread that requests the stop); shutdown() then waits for them in
  // order.
  auto on_stop = [this](std::function<void()> fn) { on_stop_.emplace_back(stop_.get_token(), fn); };
  on_stop([this] { front_->server->requestStop(); });
  on_stop([this] { validation_.stop(); });
  on_stop([this] { key_checker_.requestStop(); });
  on_stop([this] { stats_job_.requestStop(); });
  on_stop([this] { asio::post(control_, [this] { flush_timer_.cancel(); }); });
  on_stop([this] { asio::post(control_, [this] { prune_timer_.cancel(); }); });
  on_stop([this] {
    asio::post(control_, [this] {
      boost::system::error_code ec;
      signals_.cancel(ec);
    });
  });

  std::function<void(const boost::system::error_code&, int)> on_signal =
      [this, &on_signal](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          // A terminal closing or a reload habit must not kill the gateway: config changes take
          // effect at once through the admin API, so there is nothing to reload.
          spdlog::info("msg=\"SIGHUP ignored: config changes take effect at once\"");
          signals_.async_wait(on_signal);
          return;
        }
        spdlog::info("msg=\"shutting down\" signal={} grace_seconds={}", sig,
                     settings_.shutdown_grace_seconds);
        stop_.request_stop();
      };
  signals_.async_wait(on_signal);

  stats_job_.start();
  alerts_.start();
  key_checker_.start();
  validation_.start();
  startFlusher();
  startRetention();
  front_->ready.store(true, std::memory_order_release);
  if (auto st = front_->server->run(); !st) {
    stop_.request_stop();
    return fail(st.error());
  }
  spdlog::info("msg=\"poise ready\" keys={} active_keys={} startup_ms={}", key_count_,
               pool_.activeCount(), clock_.monotonicMs() - started_ms_);
  control_.run();  // until the stop signal has ended the flusher and the signal wait
  shutdown();
  spdlog::info("msg=\"poise stopped\"");
  return 0;
}

// Requests the stop (if no signal did) and waits for the running parts in reverse order of
// construction. Idempotent.
void ServerApp::shutdown() {
  stop_.request_stop();
  // Not accepting since the stop signal; waits for in-flight requests within the grace period
  // (counted from the signal), then ends the streams still open and joins the worker threads.
  front_->server->stop(std::chrono::seconds(settings_.shutdown_grace_seconds));
  // Pooled upstream sockets belong to the workers' io_contexts: close them while those live.
  for (auto& w : workers_) w.upstream.reset();
  validation_.stop();  // (requested already; the loop ends on the checker's thread)
  // Waits for the scheduler's loop and the checks the signal cut, and joins the checker's
  // thread; their pool changes are flushed below.
  key_checker_.stop();
  // Ends the statistics loop and persists the last call counts (needs the BlockingPool).
  stats_job_.stop();
  // Every request has ended: write the rows still queued.
  if (request_log_) request_log_->flushAndStop();
  flushUsage();     // whatever the last requests and checks changed
  alerts_.stop();   // deliveries still queued or in flight are abandoned (logged)
  hashing_.stop();  // a login still hashing uses the AdminApi's dependencies
  blocking_.stop();
}

}  // namespace poise::app
