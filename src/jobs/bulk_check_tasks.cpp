#include "jobs/bulk_check_tasks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace poise::jobs {

double BulkTask::progress() const {
  if (key_ids.empty()) return 100.0;
  const double pct =
      static_cast<double>(completed_keys) * 100.0 / static_cast<double>(key_ids.size());
  return std::round(pct * 100.0) / 100.0;
}

std::string_view toString(BulkTask::Status s) {
  switch (s) {
    case BulkTask::Status::Pending:
      return "pending";
    case BulkTask::Status::Running:
      return "running";
    case BulkTask::Status::Completed:
      return "completed";
    case BulkTask::Status::Failed:
      return "failed";
  }
  return "pending";
}

BulkCheckTasks::BulkCheckTasks(const Clock& clock, BulkCheckTasksOptions options)
    : clock_(clock), options_(options), rng_(std::random_device{}()) {}

std::string BulkCheckTasks::newIdLocked() {
  // RFC 4122 version 4: 122 random bits, version nibble 4, variant bits 10.
  const std::uint64_t hi = (rng_() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  const std::uint64_t lo = (rng_() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

void BulkCheckTasks::purgeLocked(TimePoint now) {
  std::erase_if(tasks_, [&](const auto& kv) {
    const auto& t = kv.second;
    return t.finished_at && now - *t.finished_at >= options_.finished_ttl;
  });
}

Result<std::string> BulkCheckTasks::create(std::vector<std::int64_t> key_ids) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  purgeLocked(now);
  while (tasks_.size() >= options_.max_tasks) {
    // Make room by forgetting the task that finished first.
    auto oldest = tasks_.end();
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
      if (!it->second.finished_at) continue;
      if (oldest == tasks_.end() || *it->second.finished_at < *oldest->second.finished_at) {
        oldest = it;
      }
    }
    if (oldest == tasks_.end()) {
      return makeError(ErrorCode::Busy,
                       "too many bulk checks are running; retry when one has finished");
    }
    tasks_.erase(oldest);
  }
  std::string id = newIdLocked();
  while (tasks_.contains(id)) id = newIdLocked();
  BulkTask t;
  t.task_id = id;
  t.key_ids = std::move(key_ids);
  t.created_at = now;
  tasks_.emplace(id, std::move(t));
  return id;
}

void BulkCheckTasks::start(const std::string& task_id) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  it->second.status = BulkTask::Status::Running;
  it->second.started_at = now;
}

void BulkCheckTasks::addResult(const std::string& task_id, CheckResult result) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  it->second.results.push_back(std::move(result));
  it->second.completed_keys += 1;
}

void BulkCheckTasks::complete(const std::string& task_id) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  it->second.status = BulkTask::Status::Completed;
  it->second.finished_at = now;
}

void BulkCheckTasks::fail(const std::string& task_id, std::string error) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  it->second.status = BulkTask::Status::Failed;
  it->second.finished_at = now;
  it->second.error = std::move(error);
}

std::optional<BulkTask> BulkCheckTasks::get(const std::string& task_id) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  purgeLocked(now);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

std::size_t BulkCheckTasks::size() {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  purgeLocked(now);
  return tasks_.size();
}

}  // namespace poise::jobs
