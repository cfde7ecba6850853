// TokenRegistry: the enabled and disabled client tokens the proxy admits against, as one
// immutable snapshot swapped whole when the admin API changes a token. A presented token is
// found by the SHA-256 of its value (one hash per request; the digest, not the value, is the
// map key, so lookup time says nothing about the value). Thread-safe: find() takes a short lock
// to copy the snapshot pointer; publish() swaps it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/digest.h"
#include "tokens/client_token.h"

namespace poise::tokens {

// A token as stored: the digest of its value and its policy.
struct RegisteredToken {
  Sha256 digest{};
  ClientToken token;
};

class TokenRegistry {
 public:
  TokenRegistry();

  // Replaces every token.
  void publish(std::vector<RegisteredToken> tokens);

  // The token whose value has `digest`, or null.
  std::shared_ptr<const ClientToken> find(const Sha256& digest) const;
  // The token with `id`, or null (deleted meanwhile).
  std::shared_ptr<const ClientToken> byId(std::int64_t id) const;
  // How many tokens are registered.
  std::size_t size() const;

 private:
  struct DigestHash {
    std::size_t operator()(const Sha256& d) const noexcept;
  };
  struct Snapshot {
    std::unordered_map<Sha256, std::shared_ptr<const ClientToken>, DigestHash> by_digest;
    std::unordered_map<std::int64_t, std::shared_ptr<const ClientToken>> by_id;
  };
  std::shared_ptr<const Snapshot> snapshot() const;

  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace poise::tokens
