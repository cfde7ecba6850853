#include "alerts/alert_service.h"

#include <spdlog/spdlog.h>

#include "core/log.h"
#include "core/secret_mask.h"

namespace poise::alerts {

namespace {

unsigned eventBits(const std::vector<std::string>& names) {
  unsigned bits = 0;
  for (const auto& n : names) {
    if (auto kind = parseSubscribableEvent(n)) bits |= eventBit(*kind);
  }
  return bits;
}

// Proxied requests that reached the key pool count; errors are the gateway's or the upstream's.
std::optional<bool> errorRateSample(const http::RequestRecord& r) {
  if (r.protocol == http::Protocol::Admin) return std::nullopt;
  using E = http::ErrorClass;
  switch (r.error) {
    case E::None:
      return false;
    case E::NoKey:
    case E::UpstreamError:
    case E::UpstreamUnreachable:
    case E::UpstreamTimeout:
    case E::StreamBroken:
    case E::Truncated:
    case E::Internal:
      return true;
    case E::BadRequest:
    case E::Unauthorized:
    case E::Forbidden:
    case E::RateLimited:
    case E::NotFound:
    case E::ClientGone:
    case E::Shutdown:
      return std::nullopt;
  }
  return std::nullopt;
}

std::int64_t unixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

AlertService::AlertService(AlertServiceDeps deps)
    : clock_(deps.clock),
      repo_(deps.repo),
      pool_(deps.pool),
      gateway_(std::move(deps.gateway)),
      allow_private_(deps.allow_private),
      dispatcher_(clock_, deps.tls,
                  AlertDispatcherOptions{.allow_private = deps.allow_private,
                                         .user_agent = "gemini-poise-alerts/" + gateway_.version},
                  [this](const DeliveryJob& job, const DeliveryResult& result) {
                    storage::AlertDelivery row{.webhook_id = job.webhook_id,
                                               .event = job.event,
                                               .created_at = job.at,
                                               .attempts = result.attempts,
                                               .delivered = result.delivered,
                                               .last_error = result.last_error,
                                               .summary = job.summary};
                    if (result.last_status) row.last_status = *result.last_status;
                    if (auto id = repo_.appendDelivery(row); !id) {
                      spdlog::error("msg=\"could not record an alert delivery\" error={}",
                                    logValue(id.error().message));
                    }
                  }) {}

Status AlertService::reload() {
  auto all = repo_.loadAll();
  if (!all) return all.error();
  std::vector<AlertRule> rules;
  std::unordered_map<std::int64_t, Hook> hooks;
  for (auto& w : *all) {
    if (!w.enabled) continue;
    rules.push_back(AlertRule{.webhook_id = w.id,
                              .events = eventBits(w.events),
                              .active_keys_below = w.active_keys_below,
                              .active_percent_below = w.active_percent_below,
                              .error_rate_percent_above = w.error_rate_percent_above,
                              .error_rate_min_requests = w.error_rate_min_requests});
    hooks.emplace(w.id, Hook{std::move(w.name), std::move(w.url), std::move(w.headers)});
  }
  const std::lock_guard lock(mu_);
  evaluator_.setRules(std::move(rules));
  hooks_ = std::move(hooks);
  return {};
}

void AlertService::requestFinished(const http::RequestRecord& record) {
  if (auto error = errorRateSample(record)) window_.add(unixSeconds(clock_.now()), *error);
}

void AlertService::keyDeltas(std::span<const keys::KeyDelta> deltas) {
  std::vector<FiredAlert> fired;
  for (const auto& d : deltas) {
    if (!d.new_status) continue;
    const auto key = pool_.get(d.id);
    const KeyStatusChange change = toStatusChange(d, key ? key->value : std::string_view{});
    spdlog::warn("msg=\"key status changed\" key_id={} from={} to={} reason={}", change.key_id,
                 change.from, change.to, logValue(change.reason));
    const std::lock_guard lock(mu_);
    auto more = evaluator_.keyStatusChanged(change);
    fired.insert(fired.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  }
  dispatch(std::move(fired));
}

void AlertService::tick() {
  const TimePoint now = clock_.now();
  const auto counts = pool_.statusCounts();
  const auto totals = window_.totals(unixSeconds(now));
  std::vector<FiredAlert> fired;
  {
    const std::lock_guard lock(mu_);
    fired =
        evaluator_.poolCounts(PoolCounts{.active = counts.active, .total = counts.total()}, now);
    auto rate = evaluator_.errorRate(RequestCounts{.requests = totals.requests,
                                                   .errors = totals.errors,
                                                   .window_seconds = ErrorRateWindow::kSeconds},
                                     now);
    fired.insert(fired.end(), std::make_move_iterator(rate.begin()),
                 std::make_move_iterator(rate.end()));
  }
  dispatch(std::move(fired));
}

void AlertService::validationRun(const ValidationRun& run) {
  std::vector<FiredAlert> fired;
  {
    const std::lock_guard lock(mu_);
    fired = evaluator_.validationRun(run, clock_.now());
  }
  dispatch(std::move(fired));
}

DeliveryJob AlertService::jobFor(std::int64_t webhook_id, const Hook& hook,
                                 const AlertEvent& event) const {
  return DeliveryJob{.webhook_id = webhook_id,
                     .url = hook.url,
                     .headers = hook.headers,
                     .event = std::string(toString(event.kind)),
                     .at = event.at,
                     .body = renderPayload(event, gateway_, webhook_id, hook.name),
                     .summary = event.summary};
}

void AlertService::dispatch(std::vector<FiredAlert> fired) {
  if (fired.empty()) return;
  std::vector<DeliveryJob> jobs;
  {
    const std::lock_guard lock(mu_);
    for (const auto& f : fired) {
      const auto it = hooks_.find(f.webhook_id);
      if (it != hooks_.end()) jobs.push_back(jobFor(f.webhook_id, it->second, f.event));
    }
  }
  for (auto& job : jobs) {
    spdlog::info("msg=\"alert\" webhook_id={} event={} summary={}", job.webhook_id, job.event,
                 logValue(job.summary));
    (void)dispatcher_.enqueue(std::move(job));  // a full queue drops it, counted and logged
  }
}

Result<DeliveryResult> AlertService::sendTest(std::int64_t id) {
  auto found = repo_.get(id);
  if (!found) return found.error();
  if (!*found) return makeError(ErrorCode::NotFound, "webhook not found");
  const storage::AlertWebhook& w = **found;
  const AlertEvent event{
      .kind = AlertEventKind::Test,
      .at = clock_.now(),
      .data = boost::json::object{{"message", "a test event sent from the admin API"}},
      .summary = "test event"};
  DeliveryJob job = jobFor(w.id, Hook{w.name, w.url, w.headers}, event);
  job.max_attempts = 1;
  auto future = dispatcher_.sendNow(std::move(job));
  try {
    return future.get();
  } catch (const std::future_error&) {
    return DeliveryResult{.last_error = "the gateway is shutting down"};
  }
}

}  // namespace poise::alerts
