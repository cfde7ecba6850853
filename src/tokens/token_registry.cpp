#include "tokens/token_registry.h"

#include <cstring>

namespace poise::tokens {

std::size_t TokenRegistry::DigestHash::operator()(const Sha256& d) const noexcept {
  // The digest is already uniformly distributed: its first bytes are a good hash.
  std::size_t h = 0;
  std::memcpy(&h, d.data(), sizeof h);
  return h;
}

TokenRegistry::TokenRegistry() : current_(std::make_shared<const Snapshot>()) {}

void TokenRegistry::publish(std::vector<RegisteredToken> tokens) {
  auto next = std::make_shared<Snapshot>();
  for (auto& t : tokens) {
    auto shared = std::make_shared<const ClientToken>(std::move(t.token));
    next->by_id.emplace(shared->id, shared);
    next->by_digest.emplace(t.digest, std::move(shared));
  }
  std::shared_ptr<const Snapshot> frozen = std::move(next);
  std::lock_guard lock(mu_);
  current_.swap(frozen);  // the old snapshot is released outside the lock, with `frozen`
}

std::shared_ptr<const TokenRegistry::Snapshot> TokenRegistry::snapshot() const {
  std::lock_guard lock(mu_);
  return current_;
}

std::shared_ptr<const ClientToken> TokenRegistry::find(const Sha256& digest) const {
  const auto snap = snapshot();
  const auto it = snap->by_digest.find(digest);
  return it == snap->by_digest.end() ? nullptr : it->second;
}

std::shared_ptr<const ClientToken> TokenRegistry::byId(std::int64_t id) const {
  const auto snap = snapshot();
  const auto it = snap->by_id.find(id);
  return it == snap->by_id.end() ? nullptr : it->second;
}

std::size_t TokenRegistry::size() const {
  return snapshot()->by_id.size();
}

}  // namespace poise::tokens
