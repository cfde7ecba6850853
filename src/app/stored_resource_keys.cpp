#include "app/stored_resource_keys.h"

namespace poise::app {

namespace asio = boost::asio;

void StoredResourceKeys::cache(const std::string& name, const proxy::ResourceBinding& binding) {
  std::lock_guard lock(mu_);
  if (cache_.size() >= kCacheCapacity) cache_.clear();
  cache_[name] = binding;
}

asio::awaitable<Result<std::optional<proxy::ResourceBinding>>> StoredResourceKeys::find(
    std::string name) {
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mu_);
    if (const auto it = cache_.find(name); it != cache_.end()) {
      if (it->second.expires_at > now) co_return std::optional(it->second);
      cache_.erase(it);
      co_return std::optional<proxy::ResourceBinding>{};
    }
  }
  auto read = [this, &name] { return repo_.find(name); };
  auto row = co_await blocking_.run(read);
  if (!row) co_return row.error();
  if (!row->has_value() || (*row)->expires_at <= now) {
    co_return std::optional<proxy::ResourceBinding>{};
  }
  const proxy::ResourceBinding binding{.key_id = (*row)->key_id, .expires_at = (*row)->expires_at};
  cache(name, binding);
  co_return std::optional(binding);
}

asio::awaitable<Status> StoredResourceKeys::remember(std::string name,
                                                     proxy::ResourceBinding binding) {
  const storage::ResourceKey row{.name = name,
                                 .key_id = binding.key_id,
                                 .created_at = clock_.now(),
                                 .expires_at = binding.expires_at};
  auto write = [this, &row] { return repo_.record(row); };
  auto st = co_await blocking_.run(write);
  // Cached even when the write failed: this process still routes the resource right.
  cache(name, binding);
  co_return st;
}

asio::awaitable<Status> StoredResourceKeys::forget(std::string name) {
  {
    std::lock_guard lock(mu_);
    cache_.erase(name);
  }
  auto remove = [this, &name] { return repo_.remove(name); };
  auto removed = co_await blocking_.run(remove);
  if (!removed) co_return removed.error();
  co_return Status{};
}

Result<std::int64_t> StoredResourceKeys::pruneExpired() {
  auto pruned = repo_.deleteExpired(clock_.now());
  std::lock_guard lock(mu_);
  std::erase_if(cache_,
                [now = clock_.now()](const auto& item) { return item.second.expires_at <= now; });
  return pruned;
}

}  // namespace poise::app
