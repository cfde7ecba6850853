// The request log routes: GET /api/v1/logs (filters and a cursor, newest first) and
// GET /api/v1/logs/{id}. Rows hold key ids with outcomes, never key values.
#include <boost/json.hpp>
#include <string>
#include <variant>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using namespace support;

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 200;

struct LogQuery {
  storage::RequestLogFilter filter;
  CursorListing listing{.limit = kDefaultLimit};
};

// The query of GET /api/v1/logs, or the refusal's detail.
std::variant<LogQuery, std::string> logQueryOf(const AdminRequest& rq) {
  LogQuery q;
  const auto text = [&rq](std::string_view name) -> std::optional<std::string> {
    auto v = rq.query(name);
    return v.empty() ? std::nullopt : std::optional(std::move(v));
  };
  if (auto bad = parseCursorListing(rq.request, q.listing, kMaxLimit); !bad.empty()) return bad;
  q.filter.since = q.listing.since;
  q.filter.until = q.listing.until;
  for (auto [name, slot] :
       {std::pair{"token_id", &q.filter.token_id}, std::pair{"key_id", &q.filter.key_id},
        std::pair{"min_latency_ms", &q.filter.min_latency_ms}}) {
    if (auto v = text(name)) {
      std::int64_t n = 0;
      if (!parseNumber(*v, n) || n < 0) return std::string(name) + " must be a whole number >= 0";
      *slot = n;
    }
  }
  q.filter.model = text("model");
  q.filter.protocol = text("protocol");
  q.filter.error_text = text("error");
  q.filter.request_id = text("request_id");
  if (auto v = text("status")) {
    if (v->size() != 3 || (*v)[0] < '1' || (*v)[0] > '5' || v->substr(1) != "xx") {
      return "status must be 1xx, 2xx, 3xx, 4xx or 5xx";
    }
    q.filter.status_class = (*v)[0] - '0';
  }
  if (auto v = text("stream")) {
    if (*v != "true" && *v != "false") return "stream must be true or false";
    q.filter.stream = *v == "true";
  }
  return q;
}

json::object rowJson(const storage::RequestLogRow& r) {
  json::object o;
  o["id"] = r.id;
  o["created_at"] = formatIso8601(r.created_at);
  o["request_id"] = r.request_id;
  o["token_id"] = r.token_id;
  o["token_name"] = r.token_name;
  o["protocol"] = r.protocol;
  o["route"] = r.route;
  o["method"] = r.method;
  o["path"] = r.path;
  o["model"] = r.model;
  o["stream"] = r.stream;
  o["status"] = r.status;
  o["attempts"] = r.attempts;
  o["keys_tried"] = r.keys_tried;
  json::array key_ids;
  for (std::int64_t id : r.key_ids) key_ids.push_back(id);
  o["key_ids"] = std::move(key_ids);
  o["latency_ms"] = r.latency_ms;
  o["ttfb_ms"] = r.ttfb_ms ? json::value(*r.ttfb_ms) : json::value(nullptr);
  o["prompt_tokens"] = r.prompt_tokens;
  o["completion_tokens"] = r.completion_tokens;
  o["thought_tokens"] = r.thought_tokens;
  o["cached_tokens"] = r.cached_tokens;
  o["error_class"] = r.error_class;
  o["error_message"] = r.error_message;
  o["client_ip"] = r.client_ip;
  o["user_agent"] = r.user_agent;
  // Captured bodies (request_log_body_capture_kb) only in the one-entry answer, when stored.
  if (r.request_body) o["request_body"] = *r.request_body;
  if (r.response_body) o["response_body"] = *r.response_body;
  return o;
}

Error logNotFound() {
  return makeError(ErrorCode::NotFound, "log entry not found");
}

}  // namespace

void registerLogRoutes(http::Router& r, AdminApi& api) {
  const AdminDeps* d = &api.deps();
  if (d->request_logs == nullptr) return;

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/logs",
              .summary = "The request log, newest first; filters since, until, token_id, key_id, "
                         "model, protocol, status (2xx…), stream, min_latency_ms, error, "
                         "request_id; cursor pagination",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto parsed = logQueryOf(rq);
                if (auto* bad = std::get_if<std::string>(&parsed)) {
                  co_return errorReply(422, *bad, ErrorCode::ValidationError);
                }
                const auto q = std::get<LogQuery>(std::move(parsed));
                auto job = [d, &q] {
                  return d->request_logs->query(q.filter, q.listing.before_id, q.listing.limit);
                };
                auto slice = co_await d->blocking.run(job);
                if (!slice) co_return failureReply(slice.error(), rq.info.request_id);
                json::array items;
                for (const auto& e : slice->items) items.push_back(rowJson(e));
                json::object out;
                out["items"] = std::move(items);
                out["next_cursor"] = slice->next_cursor
                                         ? json::value(std::to_string(*slice->next_cursor))
                                         : json::value(nullptr);
                co_return jsonReply(200, out);
              }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/logs/{id}",
              .summary = "One request log entry",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(logNotFound(), rq.info.request_id);
                auto job = [d, i = *id] { return d->request_logs->get(i); };
                auto found = co_await d->blocking.run(job);
                if (!found) co_return failureReply(found.error(), rq.info.request_id);
                if (!*found) co_return failureReply(logNotFound(), rq.info.request_id);
                co_return jsonReply(200, rowJson(**found));
              }});
}

}  // namespace poise::admin
