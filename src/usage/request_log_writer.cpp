#include "usage/request_log_writer.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "core/log.h"
#include "core/secret_mask.h"
#include "storage/limits.h"

namespace poise::usage {

std::string scrubCapturedBody(std::string_view raw, std::size_t limit,
                              std::span<const std::string> secrets) {
  std::string text(raw);
  // The longest first, so a secret that contains another is masked whole.
  std::vector<std::string_view> ordered(secrets.begin(), secrets.end());
  std::sort(ordered.begin(), ordered.end(),
            [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  for (std::string_view secret : ordered) {
    if (secret.empty()) continue;
    const std::string masked = maskSecret(secret);
    for (auto pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + masked.size())) {
      text.replace(pos, secret.size(), masked);
    }
  }
  return storage::truncateUtf8(scrubSecrets(text), limit);
}

storage::RequestLogRow toRequestLogRow(const http::RequestRecord& r, TimePoint now) {
  storage::RequestLogRow row;
  const std::int64_t latency = std::max<std::int64_t>(0, r.ended_ms - r.started_ms);
  row.created_at = now - Millis{latency};
  row.request_id = r.request_id;
  row.token_id = r.token_id;
  row.token_name = r.token;
  row.protocol = std::string(http::protocolName(r.protocol));
  row.route = r.route;
  row.method = r.method;
  row.path = r.path;
  row.model = r.model;
  row.stream = r.stream;
  row.status = static_cast<int>(http::reportedStatus(r));
  row.attempts = static_cast<int>(r.attempts.size());
  row.keys_tried = http::keysTried(r);
  row.key_ids.reserve(r.attempts.size());
  row.attempt_failed.reserve(r.attempts.size());
  for (const http::KeyAttempt& a : r.attempts) {
    row.key_ids.push_back(a.key_id);
    row.attempt_failed.push_back(a.outcome != "success" && a.outcome != "client_error");
  }
  row.latency_ms = latency;
  if (r.first_byte_ms != 0) row.ttfb_ms = std::max<std::int64_t>(0, r.first_byte_ms - r.started_ms);
  row.prompt_tokens = r.usage.prompt;
  row.completion_tokens = r.usage.candidates;
  row.thought_tokens = r.usage.thoughts;
  row.cached_tokens = r.usage.cached;
  row.error_class = std::string(http::toString(r.error));
  row.error_message = storage::truncateUtf8(r.error_message, storage::kMaxLogErrorMessageBytes);
  row.client_ip = storage::truncateUtf8(r.remote_ip, storage::kMaxLogIpBytes);
  row.user_agent = storage::truncateUtf8(r.user_agent, storage::kMaxLogUserAgentBytes);
  if (r.body_capture_limit > 0) {
    row.request_body = scrubCapturedBody(r.request_body, r.body_capture_limit, r.body_secrets);
    row.response_body = scrubCapturedBody(r.response_body, r.body_capture_limit, r.body_secrets);
  }
  return row;
}

RequestLogWriter::RequestLogWriter(Sink sink, RequestLogWriterOptions options)
    : sink_(std::move(sink)), options_(options) {
  ring_.resize(std::max<std::size_t>(1, options_.capacity));
  thread_ = std::thread([this] { run(); });
}

RequestLogWriter::~RequestLogWriter() {
  flushAndStop();
}

bool RequestLogWriter::enqueue(storage::RequestLogRow row) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && size_ < ring_.size()) {
      ring_[(head_ + size_) % ring_.size()] = std::move(row);
      ++size_;
      // The writer sleeps until a first row arrives, then waits the interval for a full batch:
      // only the first row and a full batch wake it.
      wake = size_ == 1 || size_ >= options_.batch_rows;
      if (!wake) return true;
    }
  }
  if (wake) {
    wake_.notify_one();
    return true;
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  // Here, not on the writer's thread: that one may be stuck in the database for as long as the
  // drops go on.
  reportDrops(false);
  return false;
}

void RequestLogWriter::flushAndStop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

RequestLogWriterCounters RequestLogWriter::counters() const {
  RequestLogWriterCounters c;
  c.written = written_.load(std::memory_order_relaxed);
  c.dropped = dropped_.load(std::memory_order_relaxed);
  c.failed_rows = failed_rows_.load(std::memory_order_relaxed);
  c.batch_failures = batch_failures_.load(std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  c.queue_depth = size_;
  return c;
}

namespace {

// Lowers the calling thread's CPU priority to `nice` (setpriority on a thread id affects that
// thread alone on Linux). Raising a priority needs privileges, so a higher nice value stays.
void lowerThreadPriority(int nice) {
  if (nice <= 0) return;
  const auto tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (errno != 0 || current >= nice) return;
  if (::setpriority(PRIO_PROCESS, tid, nice) != 0) {
    spdlog::debug("msg=\"could not lower the request log writer's priority\" errno={}", errno);
  }
}

}  // namespace

void RequestLogWriter::run() {
  lowerThreadPriority(options_.thread_nice);
  std::vector<storage::RequestLogRow> batch;
  batch.reserve(std::max<std::size_t>(1, options_.batch_rows));
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      // Wait for a full batch, the interval, or the stop; then take what there is.
      if (size_ == 0) wake_.wait(lock, [&] { return size_ > 0 || stopping_; });
      if (size_ < options_.batch_rows && !stopping_) {
        wake_.wait_for(lock, options_.batch_interval,
                       [&] { return size_ >= options_.batch_rows || stopping_; });
      }
      const std::size_t n = std::min(size_, std::max<std::size_t>(1, options_.batch_rows));
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(ring_[head_]));
        ring_[head_] = {};
        head_ = (head_ + 1) % ring_.size();
      }
      size_ -= n;
      stopping = stopping_ && size_ == 0;
    }
    if (!batch.empty()) {
      if (auto st = sink_(batch); st) {
        written_.fetch_add(batch.size(), std::memory_order_relaxed);
      } else {
        batch_failures_.fetch_add(1, std::memory_order_relaxed);
        failed_rows_.fetch_add(batch.size(), std::memory_order_relaxed);
        spdlog::warn("msg=\"could not write request logs\" rows={} error={}", batch.size(),
                     logValue(st.error().message));
      }
      batch.clear();
    }
    if (stopping) {
      reportDrops(true);
      return;
    }
  }
}

void RequestLogWriter::reportDrops(bool final) {
  const std::uint64_t dropped = dropped_.load(std::memory_order_relaxed);
  if (dropped == dropped_reported_.load(std::memory_order_relaxed)) return;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t last = drop_warned_ms_.load(std::memory_order_relaxed);
  const std::int64_t interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.drop_warn_interval).count();
  if (!final && last != 0 && now - last < interval) return;
  // One thread wins the right to report this interval's drops.
  if (!drop_warned_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  const std::uint64_t before = dropped_reported_.exchange(dropped, std::memory_order_relaxed);
  if (dropped <= before) return;
  spdlog::warn(
      "msg=\"request log queue full: rows dropped (raise POISE_REQUEST_LOG_QUEUE, or the database "
      "is too slow)\" dropped={} dropped_total={} capacity={}",
      dropped - before, dropped, ring_.size());
}

}  // namespace poise::usage
