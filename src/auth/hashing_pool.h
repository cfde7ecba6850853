// HashingPool: where password hashing and verification run. Each argon2id job holds 64 MiB for
// about 100 ms, so jobs run on a few threads of their own (never the BlockingPool's, which the
// rest of the admin API needs) and at most `threads + queue` are admitted at once; one more is
// refused at once, so a login flood costs at most threads × 64 MiB and a short wait. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <type_traits>

#include "core/blocking_pool.h"

namespace poise::auth {

struct HashingPoolOptions {
  std::size_t threads = 2;  // hashes at once
  std::size_t queue = 16;   // admitted jobs waiting for a thread
};

class HashingPool {
 public:
  explicit HashingPool(HashingPoolOptions options)
      : pool_(options.threads), capacity_(options.threads + options.queue) {}

  // Runs fn() on a hashing thread and suspends until it returns; nullopt at once (fn not run)
  // when `threads + queue` jobs are already admitted. fn is taken by reference, as in
  // BlockingPool::run.
  template <class Fn>
  auto tryRun(Fn& fn) -> boost::asio::awaitable<std::optional<std::invoke_result_t<Fn&>>> {
    if (admitted_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
      admitted_.fetch_sub(1, std::memory_order_acq_rel);
      co_return std::nullopt;
    }
    const Admitted admitted{admitted_};
    co_return co_await pool_.run(fn);
  }

  // Jobs admitted and not yet finished.
  std::size_t admitted() const { return admitted_.load(std::memory_order_acquire); }

  // Waits for the running and queued jobs, then joins the threads.
  void stop() { pool_.stop(); }

 private:
  struct Admitted {
    explicit Admitted(std::atomic<std::size_t>& c) : count(c) {}
    Admitted(const Admitted&) = delete;
    Admitted& operator=(const Admitted&) = delete;
    ~Admitted() { count.fetch_sub(1, std::memory_order_acq_rel); }
    std::atomic<std::size_t>& count;
  };

  BlockingPool pool_;
  const std::size_t capacity_;
  std::atomic<std::size_t> admitted_{0};
};

}  // namespace poise::auth
