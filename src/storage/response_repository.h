// ResponseRepository: stored OpenAI Responses (table responses), for previous_response_id
// chains and GET/DELETE /v1/responses/{id}. The bodies are JSON text the proxy made; ownership
// (token_id) and expiry are compared by the caller. Methods block (run on the BlockingPool);
// thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct StoredResponse {
  std::string id;             // "resp_…"
  std::int64_t token_id = 0;  // the client token that created it; 0 for the api_token
  TimePoint created_at;
  TimePoint expires_at;
  std::string model;          // as the client named it
  std::string input_items;    // JSON array: the conversation's items up to this input
  std::string response_body;  // JSON object: the Response as answered (output inside)
  std::int64_t size_bytes = 0;
};

class ResponseRepository {
 public:
  explicit ResponseRepository(Database& db) : db_(db) {}

  // Error "conflict" when the id exists.
  Status save(const StoredResponse& response);
  // Expired rows too, until pruned; the caller compares expires_at.
  Result<std::optional<StoredResponse>> find(std::string_view id);
  // True when a row was removed.
  Result<bool> remove(std::string_view id);
  // Removes rows whose expires_at is before `now`; returns the count.
  Result<std::int64_t> deleteExpired(TimePoint now);

 private:
  Database& db_;
};

}  // namespace poise::storage
