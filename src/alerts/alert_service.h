// AlertService: the alerts of SPEC §1.3 /api/v1/alerts, between the gateway's facts and the
// webhooks. It keeps the enabled webhooks (reload() after every admin write), the 5-minute error
// window fed by each finished request, and the evaluator; events go to the AlertDispatcher's
// queue, never waited for, and each delivery's result to the delivery log. Key status changes
// drained by the flusher are also logged here at warn, with the key's id (never its value), from,
// to and reason. Thread-safe: requestFinished() on the I/O workers (a short mutex), the rest
// from the flusher, the checker thread and admin handlers (one mutex around the evaluator).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerts/alert_dispatcher.h"
#include "alerts/alert_evaluator.h"
#include "alerts/alert_payload.h"
#include "alerts/error_rate_window.h"
#include "core/clock.h"
#include "core/result.h"
#include "http/request_record.h"
#include "keys/key_pool.h"
#include "storage/alert_repository.h"

namespace poise::alerts {

struct AlertServiceDeps {
  const Clock& clock;
  storage::AlertRepository& repo;
  keys::KeyPool& pool;
  boost::asio::ssl::context& tls;
  GatewayInfo gateway;
  bool allow_private = false;  // POISE_ALERTS_ALLOW_PRIVATE
};

class AlertService {
 public:
  explicit AlertService(AlertServiceDeps deps);

  void start() { dispatcher_.start(); }
  void stop() { dispatcher_.stop(); }
  bool allowPrivate() const { return allow_private_; }

  // Loads the webhooks from the database (blocks: run on the BlockingPool).
  [[nodiscard]] Status reload();

  // A finished request's record: counted in the error window when it was a proxied request
  // that reached the key pool (client refusals and clients that left are not the gateway's
  // errors). Any thread; a short mutex.
  void requestFinished(const http::RequestRecord& record);
  // The flusher's drained deltas: each status change is logged at warn and may raise
  // key.error / key.exhausted.
  void keyDeltas(std::span<const keys::KeyDelta> deltas);
  // Once a second from the flusher: pool counts and the error rate against the thresholds.
  void tick();
  void validationRun(const ValidationRun& run);

  // Sends a "test" event to webhook `id` now, one attempt, and returns how it went (recorded
  // in the delivery log too). not_found for an unknown id. Blocks until the delivery ends
  // (at most the dispatcher's total deadline): run it on the BlockingPool.
  [[nodiscard]] Result<DeliveryResult> sendTest(std::int64_t id);

  std::uint64_t dropped() const { return dispatcher_.dropped(); }

 private:
  struct Hook {
    std::string name;
    std::string url;
    HeaderList headers;
  };
  void dispatch(std::vector<FiredAlert> fired);
  DeliveryJob jobFor(std::int64_t webhook_id, const Hook& hook, const AlertEvent& event) const;

  const Clock& clock_;
  storage::AlertRepository& repo_;
  keys::KeyPool& pool_;
  GatewayInfo gateway_;
  bool allow_private_;
  ErrorRateWindow window_;
  std::mutex mu_;
  AlertEvaluator evaluator_;                      // under mu_
  std::unordered_map<std::int64_t, Hook> hooks_;  // enabled webhooks by id, under mu_
  AlertDispatcher dispatcher_;
};

}  // namespace poise::alerts
