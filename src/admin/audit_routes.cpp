// The audit route: the audit log, newest first, a page at a time.
#include <boost/json.hpp>

#include "admin/admin_support.h"
#include "admin/feature_routes.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using net::Response;
using namespace support;

void registerAuditRoutes(http::Router& r, AdminApi& api) {
  const AdminDeps* d = &api.deps();

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/audit",
              .summary = "The audit log, a page at a time",
              .handler = [d](const AdminRequest& rq) -> asio::awaitable<Response> {
                const auto page = pageQuery(rq.request);
                if (!page) co_return errorReply(422, kBadPageQuery, ErrorCode::ValidationError);
                auto job = [d, p = *page] { return d->audit.list(p.page, p.page_size); };
                auto list = co_await d->blocking.run(job);
                if (!list) co_return failureReply(list.error(), rq.info.request_id);
                json::array items;
                for (const auto& e : list->items) {
                  json::object o;
                  o["id"] = e.id;
                  o["user_id"] = e.user_id ? json::value(*e.user_id) : json::value(nullptr);
                  o["username"] = e.username;
                  o["action"] = e.action;
                  o["target"] = e.target;
                  o["detail"] = e.detail;
                  o["ip"] = e.ip;
                  o["created_at"] = formatIso8601(e.created_at);
                  items.push_back(std::move(o));
                }
                json::object out;
                out["total"] = list->total;
                out["items"] = std::move(items);
                co_return jsonReply(200, out);
              }});
}

}  // namespace poise::admin
