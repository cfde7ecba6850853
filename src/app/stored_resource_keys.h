// StoredResourceKeys: the proxy's ResourceKeyStore (proxy/affinity.h) over the resource_keys
// table, with a small in-memory cache in front so that a request naming a resource reads the
// database once per resource and process, not once per request. Database calls run on the
// BlockingPool; the cache is behind a mutex. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "core/blocking_pool.h"
#include "core/clock.h"
#include "proxy/affinity.h"
#include "storage/resource_key_repository.h"

namespace poise::app {

class StoredResourceKeys final : public proxy::ResourceKeyStore {
 public:
  StoredResourceKeys(storage::ResourceKeyRepository& repo, BlockingPool& blocking,
                     const Clock& clock)
      : repo_(repo), blocking_(blocking), clock_(clock) {}

  boost::asio::awaitable<Result<std::optional<proxy::ResourceBinding>>> find(
      std::string name) override;
  boost::asio::awaitable<Status> remember(std::string name,
                                          proxy::ResourceBinding binding) override;
  boost::asio::awaitable<Status> forget(std::string name) override;

  // Removes expired rows (the retention job) and forgets the cache. Blocks: call on the pool.
  Result<std::int64_t> pruneExpired();

  static constexpr std::size_t kCacheCapacity = 10'000;  // bindings cached; full: start over

 private:
  void cache(const std::string& name, const proxy::ResourceBinding& binding);

  storage::ResourceKeyRepository& repo_;
  BlockingPool& blocking_;
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, proxy::ResourceBinding> cache_;
};

}  // namespace poise::app
