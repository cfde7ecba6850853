// ConnectionPool: a fixed set of server connections (PostgreSQL, MySQL) lent out one call at a
// time. borrow() waits up to the busy timeout for a free connection and fails with code "busy"
// after it; the Lease gives the connection back when destroyed. FIFO, so every connection is used
// in turn and none sits idle long enough for the server to drop it. Counts its waits (stats()) for
// /metrics. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "core/result.h"

namespace poise::storage {

// How often and how long callers waited for a pooled connection, since start.
struct PoolStats {
  std::uint64_t borrows = 0;   // connections lent
  std::uint64_t waits = 0;     // borrows that found no idle connection and waited
  std::uint64_t timeouts = 0;  // waits that ended with "busy"
  double wait_seconds = 0;     // time spent waiting, summed
  std::size_t size = 0;        // connections in the pool
  std::size_t in_use = 0;      // lent now
};

template <class Conn>
class ConnectionPool {
 public:
  ConnectionPool(std::deque<std::unique_ptr<Conn>> idle, std::chrono::milliseconds wait,
                 std::string name)
      : idle_(std::move(idle)), size_(idle_.size()), wait_(wait), name_(std::move(name)) {}

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> c) : pool_(pool), conn_(std::move(c)) {}
    ~Lease() {
      if (conn_) pool_->giveBack(std::move(conn_));
    }
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Conn& operator*() const { return *conn_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  Result<Lease> borrow() {
    std::unique_lock lock(mu_);
    if (idle_.empty()) {
      // Only a wait reads the clock: the common case costs nothing more.
      const auto start = std::chrono::steady_clock::now();
      const bool got = cv_.wait_for(lock, wait_, [&] { return !idle_.empty(); });
      ++waits_;
      wait_ns_ += static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 std::chrono::steady_clock::now() - start)
                                                 .count());
      if (!got) {
        ++timeouts_;
        return makeError(ErrorCode::Busy,
                         name_ + ": no free database connection within the busy timeout");
      }
    }
    ++borrows_;
    auto c = std::move(idle_.front());
    idle_.pop_front();
    return Lease(this, std::move(c));
  }

  PoolStats stats() const {
    std::lock_guard lock(mu_);
    return {.borrows = borrows_,
            .waits = waits_,
            .timeouts = timeouts_,
            .wait_seconds = static_cast<double>(wait_ns_) / 1e9,
            .size = size_,
            .in_use = size_ - idle_.size()};
  }

 private:
  void giveBack(std::unique_ptr<Conn> c) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Conn>> idle_;
  const std::size_t size_;
  std::chrono::milliseconds wait_;
  // Under mu_.
  std::uint64_t borrows_ = 0;
  std::uint64_t waits_ = 0;
  std::uint64_t timeouts_ = 0;
  std::uint64_t wait_ns_ = 0;
  std::string name_;
};

}  // namespace poise::storage
