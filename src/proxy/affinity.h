// Key affinity for stateful Gemini resources (issue 16). An uploaded file ("files/abc"), a cache
// ("cachedContents/x"), a batch ("batches/y") or an interaction ("interactions/z") works only with
// the upstream key that created it. The gateway records that key when the resource is created
// (from the creating call's answer), and every later request that names the resource, in its path
// or its body, is sent with that key and no other (a pinned request, attempt_loop.h). When that
// key cannot be used the client gets a clear error naming the resource; another key is never
// tried. Listings of these collections are merged across keys behind opaque page tokens.
//
// This header holds the pure parts (what a path or body names, what an answer created, whether a
// pinned key is usable), the ResourceKeyStore seam the app implements over the database, and
// OpaqueHandles, the in-memory table behind upload ids and page tokens. Pure functions are
// thread-safe; ResourceKeyStore and OpaqueHandles implementations are thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "keys/key_pool.h"

namespace poise::proxy {

// Which key created a resource, and until when the resource lives.
struct ResourceBinding {
  std::int64_t key_id = 0;
  TimePoint expires_at;
};

// Where bindings are kept (the app: the resource_keys table behind a small cache). Suspends;
// thread-safe.
class ResourceKeyStore {
 public:
  virtual ~ResourceKeyStore() = default;
  // The binding of `name`, nullopt when unknown or expired.
  virtual boost::asio::awaitable<Result<std::optional<ResourceBinding>>> find(std::string name) = 0;
  virtual boost::asio::awaitable<Status> remember(std::string name, ResourceBinding binding) = 0;
  virtual boost::asio::awaitable<Status> forget(std::string name) = 0;
};

// A resource name: a known collection ("files", "cachedContents", "batches", "interactions"), a
// '/', and an id of 1 to 200 letters, digits, '_', '.' or '-' (not "." or ".."). Pure.
bool isResourceName(std::string_view name);

// The resource a native path names ("/v1beta/files/abc" → "files/abc",
// "/v1beta/batches/x:cancel" → "batches/x"), or nullopt when it names none or a malformed one.
std::optional<std::string> resourceInPath(std::string_view path);

// The collection a listing call reads ("files", "cachedContents", "batches"): a GET of
// "/v1beta/files" and the like; empty for any other call.
std::string_view listedCollection(std::string_view method, std::string_view path);

// What kind of resource a call creates, judged by its method and path (the upload routes are
// told apart by the caller).
enum class Creation { None, File, CachedContent, Batch, Interaction };
Creation creationKind(std::string_view method, std::string_view path);

// The resource a successful creation answer names, with its expiry: a file's `expirationTime`
// (`{"file":{...}}` or the file itself), a cache's `expireTime`, else `now + default_life`
// (48 h for files, batches and interactions). nullopt when the answer names none.
struct CreatedResource {
  std::string name;
  TimePoint expires_at;
};
std::optional<CreatedResource> createdResource(Creation kind, std::string_view answer,
                                               TimePoint now);

// Every resource a generate/count body refers to, once each, in order of appearance:
// `fileData.fileUri` (a file URL of this API, "…/v1beta/files/abc", or "files/abc"),
// `cachedContent` and `previous_interaction_id` (either spelling, snake or camel case), at any
// depth. A body that is not JSON, or names nothing, gives none. Pure.
std::vector<std::string> referencedResources(std::string_view body);

// Whether the key bound to a resource can serve a call for `model` now.
struct PinnedKey {
  std::optional<keys::KeyPick> key;  // set when usable
  unsigned status = 0;               // else the status to answer: 409 (gone for good) or 503
  std::string reason;                // "was deleted", "is disabled", "is cooling for …", …
  std::optional<std::int64_t> retry_after_seconds;  // when it will be usable again, if known
};
PinnedKey checkPinnedKey(const keys::KeyPool& pool, const Clock& clock, std::int64_t key_id,
                         std::string_view model);

// The message and machine code of a refused pinned request.
inline constexpr std::string_view kResourceKeyUnavailable = "resource_key_unavailable";
std::string pinnedRefusal(std::string_view resource, std::string_view reason);

// A fresh opaque handle: 32 random bytes, base64url (43 characters), from the OS's CSPRNG.
std::string newHandle();
// True for a string that could be a handle newHandle() made.
bool isHandle(std::string_view text);

// Opaque handles (upload ids, page tokens) mapped to what they stand for, in memory: at most
// `capacity` live at once (the oldest go first), each for `life`. Thread-safe.
template <class T>
class OpaqueHandles {
 public:
  OpaqueHandles(const Clock& clock, std::size_t capacity, Millis life)
      : clock_(clock), capacity_(capacity), life_(life) {}

  std::string put(T value) {
    std::string handle = newHandle();
    const TimePoint now = clock_.now();
    std::lock_guard lock(mu_);
    if (items_.size() >= capacity_) evictLocked(now);
    order_.push_back(handle);
    items_.emplace(handle, Item{std::move(value), now + life_});
    return handle;
  }
  std::optional<T> get(std::string_view handle) const {
    if (!isHandle(handle)) return std::nullopt;
    const TimePoint now = clock_.now();
    std::lock_guard lock(mu_);
    const auto it = items_.find(std::string(handle));
    if (it == items_.end() || it->second.expires_at <= now) return std::nullopt;
    return it->second.value;
  }
  void erase(std::string_view handle) {
    std::lock_guard lock(mu_);
    items_.erase(std::string(handle));
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  struct Item {
    T value;
    TimePoint expires_at;
  };
  // Drops the expired, then the oldest until there is room.
  void evictLocked(TimePoint now) {
    std::vector<std::string> kept;
    for (auto& h : order_) {
      const auto it = items_.find(h);
      if (it == items_.end()) continue;
      if (it->second.expires_at <= now) {
        items_.erase(it);
        continue;
      }
      kept.push_back(std::move(h));
    }
    std::size_t drop = 0;
    while (kept.size() - drop >= capacity_ && drop < kept.size()) items_.erase(kept[drop++]);
    order_.assign(std::make_move_iterator(kept.begin() + static_cast<std::ptrdiff_t>(drop)),
                  std::make_move_iterator(kept.end()));
  }

  const Clock& clock_;
  const std::size_t capacity_;
  const Millis life_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Item> items_;
  std::vector<std::string> order_;  // insertion order (may hold erased handles)
};

}  // namespace poise::proxy
