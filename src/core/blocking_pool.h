// BlockingPool: a bounded thread pool for blocking work (database calls, password hashing).
// I/O threads never block; they co_await run(), which executes the callable on a pool thread
// and resumes the caller on its own executor. Thread-safe; stop() joins the threads.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace poise {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  ~BlockingPool() { stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs fn() on a pool thread. Suspends the calling coroutine until fn returns; exceptions
  // thrown by fn propagate to the caller.
  //
  // fn is taken by reference on purpose: g++ 12 copies closure objects passed by value into a
  // coroutine frame bitwise, which corrupts captured std::strings. The caller's temporary lives
  // until the end of its co_await expression, which outlasts this coroutine.
  template <class Fn>
  auto run(Fn&& fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
    using R = std::invoke_result_t<Fn&>;
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(), [&fn]() -> boost::asio::awaitable<R> { co_return fn(); },
        boost::asio::use_awaitable);
  }

  // Runs fn() on a pool thread without waiting (for fire-and-forget persistence).
  template <class Fn>
  void post(Fn fn) {
    boost::asio::post(pool_.get_executor(), std::move(fn));
  }

  boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }

  void stop() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace poise
