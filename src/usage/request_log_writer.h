// RequestLogWriter: takes finished requests' rows off the request path and writes them in
// batches. enqueue() is called on I/O threads: it never waits for the database and never grows
// memory beyond a fixed capacity (a full queue drops the row and counts it). One writer thread
// drains the queue in batches of up to batch_rows, or whatever arrived within batch_interval,
// into a Sink (RequestLogRepository::appendBatch in production). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/request_record.h"
#include "storage/request_log_repository.h"

namespace poise::usage {

// A captured body as the request log stores it: every one of `secrets` and everything
// scrubSecrets() recognises (Google keys, client tokens, key= values, Bearer and key headers)
// masked, then cut to `limit` bytes on a UTF-8 character boundary.
std::string scrubCapturedBody(std::string_view raw, std::size_t limit,
                              std::span<const std::string> secrets);

// The row for one finished record, stamped `now` (wall time at its end; created_at is its start).
// Keys appear as ids with outcomes, never values; text is cut to the columns' limits. ttfb_ms is
// null when no byte was sent. Captured bodies are scrubbed (scrubCapturedBody); none otherwise.
storage::RequestLogRow toRequestLogRow(const http::RequestRecord& record, TimePoint now);

struct RequestLogWriterOptions {
  std::size_t capacity = 32768;                   // rows queued at most; more are dropped
  std::size_t batch_rows = 5000;                  // rows per appendBatch at most
  std::chrono::milliseconds batch_interval{200};  // how long a partial batch waits for more
  std::chrono::seconds drop_warn_interval{60};    // at most one "rows dropped" warn line per this
  // The writer thread's nice value (Linux, per thread; 0 leaves it as the process's). When the
  // CPU is saturated, request threads win and the queue fills and drops (counted) instead: the
  // log never slows a request. Never lowers a nice value the process already has.
  int thread_nice = 10;
};

struct RequestLogWriterCounters {
  std::uint64_t written = 0;         // rows the sink accepted
  std::uint64_t dropped = 0;         // rows refused because the queue was full
  std::uint64_t failed_rows = 0;     // rows lost with a failed batch
  std::uint64_t batch_failures = 0;  // sink calls that failed
  std::size_t queue_depth = 0;       // rows waiting now
};

class RequestLogWriter {
 public:
  // Writes one batch; called on the writer thread only. May block.
  using Sink = std::function<Status(std::span<const storage::RequestLogRow>)>;

  RequestLogWriter(Sink sink, RequestLogWriterOptions options);
  ~RequestLogWriter();  // flushAndStop()
  RequestLogWriter(const RequestLogWriter&) = delete;
  RequestLogWriter& operator=(const RequestLogWriter&) = delete;

  // Queues one row; false (and counted as dropped) when the queue is full or the writer has
  // stopped. Takes a short lock, never waits for the sink; does not suspend.
  bool enqueue(storage::RequestLogRow row);

  // Writes every queued row, then stops the thread; later enqueues are dropped. Blocks until
  // done (as long as the sink takes). Idempotent.
  void flushAndStop();

  RequestLogWriterCounters counters() const;
  std::size_t capacity() const { return options_.capacity; }

 private:
  void run();
  // Logs the drops since the last report at warn, at most once per drop_warn_interval (and
  // always when `final`). Called by enqueue on a drop and by the writer thread when it stops.
  void reportDrops(bool final);

  Sink sink_;
  const RequestLogWriterOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // A ring of `capacity` slots, allocated once: head_ is the oldest, size_ the count.
  std::vector<storage::RequestLogRow> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> failed_rows_{0};
  std::atomic<std::uint64_t> batch_failures_{0};
  // The drops already reported, and when (steady ms; 0: never).
  std::atomic<std::uint64_t> dropped_reported_{0};
  std::atomic<std::int64_t> drop_warned_ms_{0};
  std::thread thread_;
};

}  // namespace poise::usage
