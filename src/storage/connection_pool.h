// ConnectionPool: a fixed set of server connections (PostgreSQL, MySQL) lent out one call at a
// time. borrow() waits up to the busy timeout for a free connection and fails with code "busy"
// after it; the Lease gives the connection back when destroyed. FIFO, so every connection is used
// in turn and none sits idle long enough for the server to drop it. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "core/result.h"

namespace poise::storage {

template <class Conn>
class ConnectionPool {
 public:
  ConnectionPool(std::deque<std::unique_ptr<Conn>> idle, std::chrono::milliseconds wait,
                 std::string name)
      : idle_(std::move(idle)), wait_(wait), name_(std::move(name)) {}

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
    if (!cv_.wait_for(lock, wait_, [&] { return !idle_.empty(); })) {
      return makeError(ErrorCode::Busy,
                       name_ + ": no free database connection within the busy timeout");
    }
    auto c = std::move(idle_.front());
    idle_.pop_front();
    return Lease(this, std::move(c));
  }

 private:
  void giveBack(std::unique_ptr<Conn> c) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Conn>> idle_;
  std::chrono::milliseconds wait_;
  std::string name_;
};

}  // namespace poise::storage
