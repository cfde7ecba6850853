#include "storage/response_repository.h"

namespace poise::storage {

Status ResponseRepository::save(const StoredResponse& r) {
  auto id = db_.execute(
      "INSERT INTO responses (id, token_id, created_at, expires_at, model, input_items, "
      "response_body, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {r.id, r.token_id, timestampValue(r.created_at), timestampValue(r.expires_at), r.model,
       r.input_items, r.response_body, r.size_bytes});
  if (!id) return id.error();
  return {};
}

Result<std::optional<StoredResponse>> ResponseRepository::find(std::string_view id) {
  auto rows = db_.query(
      "SELECT id, token_id, created_at, expires_at, model, input_items, response_body, "
      "size_bytes FROM responses WHERE id = ?",
      {std::string(id)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<StoredResponse>{};
  const Row& r = rows->front();
  return std::optional<StoredResponse>{StoredResponse{.id = r.text(0),
                                                      .token_id = r.int64(1),
                                                      .created_at = r.time(2),
                                                      .expires_at = r.time(3),
                                                      .model = r.text(4),
                                                      .input_items = r.text(5),
                                                      .response_body = r.text(6),
                                                      .size_bytes = r.int64(7)}};
}

Result<bool> ResponseRepository::remove(std::string_view id) {
  auto changed = db_.execute("DELETE FROM responses WHERE id = ?", {std::string(id)});
  if (!changed) return changed.error();
  return *changed > 0;
}

Result<std::int64_t> ResponseRepository::deleteExpired(TimePoint now) {
  return db_.execute("DELETE FROM responses WHERE expires_at < ?", {timestampValue(now)});
}

}  // namespace poise::storage
