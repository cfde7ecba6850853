// The audit route: the audit log, newest first, filtered by user, action, target and time, a
// page at a time through an opaque cursor (or the older page numbers).
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

// The query of GET /api/v1/audit, or the refusal's detail. `cursor` is the id of the last entry
// of the previous page, as next_cursor gave it; `page`/`page_size` (the first form of this
// route) still select a page by number.
std::variant<storage::AuditQuery, std::string> auditQueryOf(const AdminRequest& rq) {
  storage::AuditQuery q;
  const auto text = [&rq](std::string_view name) -> std::optional<std::string> {
    auto v = rq.query(name);
    return v.empty() ? std::nullopt : std::optional(std::move(v));
  };
  q.username = text("user");
  q.action = text("action");
  q.target = text("target");
  CursorListing listing{.limit = kDefaultLimit};
  if (auto bad = parseCursorListing(rq.request, listing, kMaxLimit); !bad.empty()) return bad;
  q.since = listing.since;
  q.until = listing.until;
  q.limit = listing.limit;
  q.before_id = listing.before_id;
  if (!q.before_id && (text("page") || text("page_size"))) {
    const auto page = pageQuery(rq.request);
    if (!page) return std::string(kBadPageQuery);
    q.limit = page->page_size;
    q.offset = static_cast<std::int64_t>(page->page - 1) * page->page_size;
  }
  return q;
}

json::object entryJson(const storage::AuditEntry& e) {
  json::object o;
  o["id"] = e.id;
  o["user_id"] = e.user_id ? json::value(*e.user_id) : json::value(nullptr);
  o["username"] = e.username;
  o["action"] = e.action;
  o["target"] = e.target;
  o["detail"] = e.detail;
  o["ip"] = e.ip;
  o["created_at"] = formatIso8601(e.created_at);
  return o;
}

}  // namespace

void registerAuditRoutes(http::Router& r, AdminApi& api) {
  const AdminDeps* d = &api.deps();

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/audit",
              .summary = "The audit log, newest first; filters user, action, target, since, "
                         "until; cursor pagination",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto parsed = auditQueryOf(rq);
                if (auto* bad = std::get_if<std::string>(&parsed)) {
                  co_return errorReply(422, *bad, ErrorCode::ValidationError);
                }
                const auto q = std::get<storage::AuditQuery>(std::move(parsed));
                auto job = [d, &q] { return d->audit.query(q); };
                auto slice = co_await d->blocking.run(job);
                if (!slice) co_return failureReply(slice.error(), rq.info.request_id);
                json::array items;
                for (const auto& e : slice->items) items.push_back(entryJson(e));
                json::object out;
                out["total"] = slice->total;
                out["items"] = std::move(items);
                out["next_cursor"] = slice->next_cursor
                                         ? json::value(std::to_string(*slice->next_cursor))
                                         : json::value(nullptr);
                co_return jsonReply(200, out);
              }});
}

}  // namespace poise::admin
