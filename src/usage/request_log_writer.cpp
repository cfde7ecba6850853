#include "usage/request_log_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/log.h"
#include "storage/limits.h"

namespace poise::usage {

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
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || size_ == ring_.size()) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    ring_[(head_ + size_) % ring_.size()] = std::move(row);
    ++size_;
    // Wake the writer for the first row (it sleeps without a deadline on an empty queue, then
    // waits batch_interval for more) and for a full batch; rows in between ride along.
    if (size_ != 1 && size_ < options_.batch_rows) return true;
  }
  wake_.notify_one();
  return true;
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

void RequestLogWriter::run() {
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
    if (stopping) return;
  }
}

}  // namespace poise::usage
