#include "admin/admin_api.h"

#include "admin/admin_support.h"
#include "admin/feature_routes.h"
#include "core/log.h"

namespace poise::admin {

namespace asio = boost::asio;
using namespace support;

Status AdminApi::reloadConfig() {
  auto items = d_.config.all();
  if (!items) return items.error();
  std::map<std::string, std::string> raw;
  for (auto& i : *items) raw[i.key] = i.value;
  d_.runtime.publish(std::move(raw));
  d_.pool.configure(config::poolSettingsOf(*d_.runtime.snapshot()));
  return {};
}

SessionLookup AdminApi::sessionLookup() {
  AdminDeps* d = &d_;
  return [d](const std::string& token) -> asio::awaitable<Result<storage::User>> {
    auto job = [d, &token] { return d->sessions.authenticate(token); };
    co_return co_await d->blocking.run(job);
  };
}

void AdminApi::add(http::Router& router, AdminRoute route) {
  router.add(toRoute(std::move(route), sessionLookup()));
}

void AdminApi::registerRoutes(http::Router& router) {
  registerSessionRoutes(router, *this);
  registerUserRoutes(router, *this);
  registerKeyBulkRoutes(router, *this);
  registerPoolRoutes(router, *this);
  registerKeyRoutes(router, *this);
  registerConfigRoutes(router, *this);
  registerAuditRoutes(router, *this);
  registerLogRoutes(router, *this);
}

asio::awaitable<void> AdminApi::unmatched(net::HttpExchange& ex, bool method_not_allowed) {
  const SessionLookup lookup = sessionLookup();
  const Gate gate{.access = http::Access::Viewer};
  Admission a = co_await admit(gate, ex.request(), ex.info(), lookup);
  net::Response res;
  if (a.refusal) {
    res = failureReply(a.refusal->error, ex.info().request_id, a.refusal->status);
  } else if (method_not_allowed) {
    res = errorReply(405, "Method Not Allowed", ErrorCode::MethodNotAllowed);
  } else {
    res = errorReply(404, "Not Found", ErrorCode::NotFound);
  }
  co_await respond(ex, std::move(res));
}

void AdminApi::audit(const AdminRequest& rq, std::string action, std::string target,
                     std::string detail) {
  AdminDeps* d = &d_;
  storage::AuditEntry e;
  e.user_id = rq.admin().user.id;
  e.username = rq.admin().user.username;
  e.action = std::move(action);
  e.target = std::move(target);
  e.detail = std::move(detail);
  e.ip = rq.info.client_ip;
  e.created_at = d->clock.now();
  appendAudit(std::move(e));
}

void AdminApi::appendAudit(storage::AuditEntry e) {
  AdminDeps* d = &d_;
  d->blocking.post([d, e = std::move(e)] {
    if (auto r = d->audit.append(e); !r) {
      spdlog::error("msg=\"audit write failed\" error={}", logValue(r.error().message));
    }
  });
}

asio::awaitable<std::optional<net::Response>> AdminApi::saveConfig(
    const AdminRequest& rq, std::vector<storage::ConfigEntry> entries, std::string action) {
  AdminDeps* d = &d_;
  AdminApi* self = this;
  const auto current = d->runtime.snapshot();
  std::vector<storage::ConfigEntry> changed;
  for (auto& e : entries) {
    if (config::isSecretConfigKey(e.key)) {
      const auto it = current->raw.find(e.key);
      if (it != current->raw.end() && config::echoesMaskedSecret(e.value, it->second)) continue;
    }
    if (e.key == "target_api_url") e.value = config::normalizeTargetUrl(e.value);
    if (auto st = config::validateConfigValue(e.key, e.value, d->listen); !st) {
      co_return errorReply(422, st.error().message, ErrorCode::InvalidConfig);
    }
    changed.push_back(std::move(e));
  }
  if (changed.empty()) co_return std::nullopt;
  auto job = [d, self, &changed, uid = rq.admin().user.id] {
    auto w = d->config.upsertMany(changed, uid, d->clock.now());
    if (!w) return w;
    return self->reloadConfig();
  };
  auto st = co_await d->blocking.run(job);
  if (!st) co_return failureReply(st.error(), rq.info.request_id);
  std::string keys;
  for (const auto& e : changed) keys += (keys.empty() ? "" : ",") + e.key;
  audit(rq, std::move(action), keys, "");
  co_return std::nullopt;
}

}  // namespace poise::admin
