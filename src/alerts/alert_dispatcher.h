// AlertDispatcher: delivers webhook payloads on its own thread and io_context, so that no
// delivery ever waits on a request, the flusher or the database pool. A bounded queue takes
// jobs from any thread (a full queue drops the job and counts it); up to max_in_flight
// deliveries run at once, each with bounded attempts and exponential backoff (backoffBefore),
// every attempt under the phase deadlines. Connections go through a net::UpstreamPool of its
// own that connects to public addresses only, unless private targets are allowed; redirects
// are never followed (a 3xx is a failed attempt). When a delivery ends, the recorder gets its
// result (on the dispatcher's thread; it may block briefly: a database insert).
// Thread-safe: enqueue(), sendNow() and dropped() from any thread; start()/stop() from the
// owner's. stop() abandons queued and in-flight deliveries.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "alerts/webhook_target.h"
#include "core/clock.h"
#include "net/upstream_pool.h"

namespace poise::alerts {

struct DeliveryJob {
  std::int64_t webhook_id = 0;
  std::string url;
  HeaderList headers;
  std::string event;  // the event's name
  TimePoint at{};     // when the event happened
  std::string body;   // the JSON payload
  std::string summary;
  int max_attempts = 3;
};

struct DeliveryResult {
  int attempts = 0;
  bool delivered = false;               // the last attempt was answered 2xx
  std::optional<unsigned> last_status;  // the last answer's status, if one came
  std::string last_error;               // why the last attempt failed ("" when delivered)
};

struct AlertDispatcherOptions {
  std::size_t queue_capacity = 256;
  std::size_t max_in_flight = 8;
  bool allow_private = false;  // POISE_ALERTS_ALLOW_PRIVATE
  net::UpstreamTimeouts timeouts{.connect = std::chrono::seconds(5),
                                 .tls = std::chrono::seconds(5),
                                 .first_byte = std::chrono::seconds(10),
                                 .idle = std::chrono::seconds(10),
                                 .total = std::chrono::seconds(15)};
  std::string user_agent = "gemini-poise-alerts";
};

class AlertDispatcher {
 public:
  using Recorder = std::function<void(const DeliveryJob&, const DeliveryResult&)>;

  AlertDispatcher(const Clock& clock, boost::asio::ssl::context& tls,
                  AlertDispatcherOptions options, Recorder recorder);
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // Starts the delivery thread.
  void start();
  // Stops the thread (queued and in-flight deliveries are abandoned). Idempotent.
  void stop();

  // Queues a delivery; false (and counted in dropped()) when the queue is full or stopped.
  // Never blocks.
  bool enqueue(DeliveryJob job);
  // Delivers `job` now, ahead of the queue; the future is ready when it has ended (recorded
  // like any delivery). A stopped dispatcher answers at once with an error.
  std::future<DeliveryResult> sendNow(DeliveryJob job);

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Pending {
    DeliveryJob job;
    std::shared_ptr<std::promise<DeliveryResult>> done;  // sendNow only
  };
  // Starts queued deliveries while fewer than max_in_flight run. Dispatcher thread only.
  void pump();
  void launch(Pending pending);

  const Clock& clock_;
  AlertDispatcherOptions options_;
  Recorder recorder_;
  boost::asio::io_context ioc_;
  std::unique_ptr<net::UpstreamPool> pool_;
  std::mutex mu_;
  std::deque<Pending> queue_;  // under mu_
  bool running_ = false;       // under mu_
  std::size_t in_flight_ = 0;  // dispatcher thread only
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace poise::alerts
