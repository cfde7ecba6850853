#include "admin/token_routes.h"

#include <sodium/randombytes.h>

#include <array>
#include <boost/json.hpp>
#include <set>

#include "admin/admin_support.h"
#include "core/encoding.h"

namespace poise::admin {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using bhttp::verb;
using net::Response;
using namespace support;

namespace {

constexpr std::size_t kPrefixChars = 10;  // "gp_" and 7 more: enough to tell tokens apart
constexpr std::size_t kMaxListEntries = 64;
constexpr std::int64_t kMaxRpm = 1'000'000;
constexpr std::int64_t kMaxDailyRequests = 1'000'000'000;
constexpr std::int64_t kMaxDailyTokens = 1'000'000'000'000;

Error tokenNotFound() {
  return makeError(ErrorCode::NotFound, "token not found");
}

Error invalid(std::string detail) {
  return makeError(ErrorCode::ValidationError, std::move(detail));
}

// A fresh value: "gp_" and 256 random bits in unpadded base64url, 46 characters: short enough
// that the SHA-256 the proxy takes of it on every request is one compression block.
std::string mintValue() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return "gp_" + toBase64(bytes, Base64Alphabet::kUrlSafe, false);
}

json::value optionalInt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::array stringArray(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& i : items) out.emplace_back(i);
  return out;
}

json::object tokenJson(const storage::StoredToken& t, tokens::DayCounts today, TimePoint now) {
  json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  o["note"] = t.note;
  o["owner_id"] = optionalInt(t.owner_user_id);
  o["owner"] = t.owner_username.empty() ? json::value(nullptr) : json::value(t.owner_username);
  o["prefix"] = t.prefix;
  o["enabled"] = t.enabled;
  o["expires_at"] = timeOrNull(t.expires_at);
  o["expired"] = t.expires_at.has_value() && *t.expires_at <= now;
  o["allowed_models"] = stringArray(t.allowed_models);
  o["allowed_protocols"] = stringArray(t.allowed_protocols);
  o["allowed_cidrs"] = stringArray(t.allowed_cidrs);
  o["rpm_limit"] = optionalInt(t.rpm_limit);
  o["daily_request_quota"] = optionalInt(t.daily_request_quota);
  o["daily_token_quota"] = optionalInt(t.daily_token_quota);
  o["created_at"] = formatIso8601(t.created_at);
  o["updated_at"] = formatIso8601(t.updated_at);
  o["last_used_at"] = timeOrNull(t.last_used_at);
  json::object usage;
  usage["requests"] = t.request_count;
  usage["errors"] = t.error_count;
  usage["prompt_tokens"] = t.prompt_tokens;
  usage["completion_tokens"] = t.completion_tokens;
  usage["total_tokens"] = t.prompt_tokens + t.completion_tokens;
  usage["today"] = json::object{{"requests", today.requests}, {"tokens", today.tokens}};
  o["usage"] = std::move(usage);
  return o;
}

// A list of strings from `v`, each checked by `valid` (which names the problem, or nullopt).
template <class Check>
Result<std::vector<std::string>> stringList(const json::value& v, std::string_view field,
                                            const Check& valid) {
  if (v.is_null()) return std::vector<std::string>{};
  if (!v.is_array()) return invalid(std::string(field) + " must be an array of strings");
  if (v.as_array().size() > kMaxListEntries) {
    return invalid(std::string(field) + " holds more than " + std::to_string(kMaxListEntries) +
                   " entries");
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) return invalid(std::string(field) + " must be an array of strings");
    std::string s(item.as_string());
    if (auto problem = valid(s)) return invalid(std::string(field) + ": " + *problem);
    if (seen.insert(s).second) out.push_back(std::move(s));
  }
  return out;
}

// A positive integer up to `max`, or null for none.
Result<std::optional<std::int64_t>> limit(const json::value& v, std::string_view field,
                                          std::int64_t max) {
  if (v.is_null()) return std::optional<std::int64_t>{};
  std::int64_t n = 0;
  if (v.is_int64()) {
    n = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(max)) {
    n = static_cast<std::int64_t>(v.as_uint64());
  } else {
    return invalid(std::string(field) + " must be a whole number or null");
  }
  if (n < 1 || n > max) {
    return invalid(std::string(field) + " must be between 1 and " + std::to_string(max) +
                   ", or null for none");
  }
  return std::optional<std::int64_t>{n};
}

// Applies the fields of a create or update body to `t`; every field is checked and an unknown
// one is refused (a misspelt limit must not pass silently as "no limit").
Status applyFields(const json::object& body, storage::StoredToken& t, bool creating) {
  for (const auto& [key, v] : body) {
    if (key == "name") {
      if (!v.is_string() || v.as_string().empty() ||
          v.as_string().size() > storage::kMaxTokenNameBytes) {
        return invalid("name must be a string of 1 to 255 bytes");
      }
      t.name = std::string(v.as_string());
    } else if (key == "note") {
      if (!v.is_string() || v.as_string().size() > storage::kMaxTokenNoteBytes) {
        return invalid("note must be a string of at most 1024 bytes");
      }
      t.note = std::string(v.as_string());
    } else if (key == "owner_id") {
      if (v.is_null()) {
        t.owner_user_id.reset();
      } else if (v.is_int64() && v.as_int64() > 0) {
        t.owner_user_id = v.as_int64();
      } else {
        return invalid("owner_id must be a user's id or null");
      }
    } else if (key == "enabled") {
      if (!v.is_bool()) return invalid("enabled must be true or false");
      t.enabled = v.as_bool();
    } else if (key == "expires_at") {
      if (v.is_null()) {
        t.expires_at.reset();
      } else {
        TimePoint at;
        if (!v.is_string() || !parseIso8601(v.as_string(), at)) {
          return invalid("expires_at must be an ISO-8601 time (2026-12-31T00:00:00Z) or null");
        }
        t.expires_at = at;
      }
    } else if (key == "allowed_models") {
      auto list = stringList(v, key, [](const std::string& s) -> std::optional<std::string> {
        if (tokens::validModelPattern(s)) return std::nullopt;
        return "'" + s.substr(0, 64) +
               "' is not a model pattern (letters, digits, . _ - / and the wildcards * ?)";
      });
      if (!list) return list.error();
      t.allowed_models = std::move(*list);
    } else if (key == "allowed_protocols") {
      auto list = stringList(v, key, [](const std::string& s) -> std::optional<std::string> {
        if (tokens::protocolFromString(s)) return std::nullopt;
        return "'" + s.substr(0, 32) + "' is not one of native, openai, anthropic";
      });
      if (!list) return list.error();
      t.allowed_protocols = std::move(*list);
    } else if (key == "allowed_cidrs") {
      auto list = stringList(v, key, [](const std::string& s) -> std::optional<std::string> {
        if (s.find(',') == std::string::npos && !s.empty() && net::AddressRanges::parse(s)) {
          return std::nullopt;
        }
        return "'" + s.substr(0, 64) + "' is not an address or CIDR block";
      });
      if (!list) return list.error();
      t.allowed_cidrs = std::move(*list);
    } else if (key == "rpm_limit") {
      auto n = limit(v, key, kMaxRpm);
      if (!n) return n.error();
      t.rpm_limit = *n;
    } else if (key == "daily_request_quota") {
      auto n = limit(v, key, kMaxDailyRequests);
      if (!n) return n.error();
      t.daily_request_quota = *n;
    } else if (key == "daily_token_quota") {
      auto n = limit(v, key, kMaxDailyTokens);
      if (!n) return n.error();
      t.daily_token_quota = *n;
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) + "'");
    }
  }
  if (creating && t.name.empty()) return invalid("name is required");
  return {};
}

// The token's owner, when it has one, must be a user. Blocks.
Status checkOwner(storage::UserRepository& users, const storage::StoredToken& t) {
  if (!t.owner_user_id) return {};
  auto owner = users.findById(*t.owner_user_id);
  if (!owner) return owner.error();
  if (!*owner) return invalid("owner_id names no user");
  return {};
}

// What a write did, for its answer.
struct Written {
  storage::StoredToken token;
  std::string value;  // set on create and rotate: shown this once
};

}  // namespace

tokens::RegisteredToken toRegistered(const storage::StoredToken& t) {
  tokens::RegisteredToken out;
  if (auto bytes = fromHex(t.token_hash); bytes && bytes->size() == out.digest.size()) {
    std::copy(bytes->begin(), bytes->end(), out.digest.begin());
  }
  tokens::ClientToken& c = out.token;
  c.id = t.id;
  c.name = t.name;
  c.enabled = t.enabled;
  c.expires_at = t.expires_at;
  c.allowed_models = t.allowed_models;
  for (const auto& p : t.allowed_protocols) {
    if (auto kind = tokens::protocolFromString(p))
      c.allowed_protocols |= static_cast<unsigned>(*kind);
  }
  std::string cidrs;
  for (const auto& s : t.allowed_cidrs) cidrs.append(cidrs.empty() ? "" : ",").append(s);
  if (auto ranges = net::AddressRanges::parse(cidrs)) c.allowed_addresses = std::move(*ranges);
  // An entry that no longer parses must not widen the token to every address.
  if (!t.allowed_cidrs.empty() && c.allowed_addresses.empty()) c.enabled = false;
  c.rpm_limit = t.rpm_limit;
  c.daily_request_quota = t.daily_request_quota;
  c.daily_token_quota = t.daily_token_quota;
  return out;
}

Status reloadTokens(storage::TokenRepository& repo, tokens::TokenRegistry& registry) {
  auto all = repo.loadAll();
  if (!all) return all.error();
  std::vector<tokens::RegisteredToken> registered;
  registered.reserve(all->size());
  for (const auto& t : *all) registered.push_back(toRegistered(t));
  registry.publish(std::move(registered));
  return {};
}

void registerTokenRoutes(http::Router& r, AdminApi& api, TokenDeps deps) {
  AdminApi* self = &api;
  auto d = std::make_shared<const TokenDeps>(deps);

  auto render = [d](const storage::StoredToken& t) {
    const TimePoint now = d->clock.now();
    return tokenJson(t, d->limiter.today(t.id, now), now);
  };
  auto renderWritten = [render](const Written& w, unsigned status) {
    json::object o = render(w.token);
    if (!w.value.empty()) o["token"] = w.value;
    return jsonReply(status, o);
  };
  // Runs `change` on the stored token named by {id} (it may set Written::value), writes it and
  // reloads the registry; answers not found for an unknown id. Suspends.
  auto modify = [d](const AdminRequest& rq, auto change) -> asio::awaitable<Result<Written>> {
    auto id = positiveId(rq.param("id"));
    if (!id) co_return tokenNotFound();
    auto job = [d, i = *id, &change]() -> Result<Written> {
      auto found = d->repo.get(i);
      if (!found) return found.error();
      if (!*found) return tokenNotFound();
      Written w{std::move(**found), {}};
      if (auto st = change(w); !st) return st.error();
      if (auto st = d->repo.update(w.token); !st) return st.error();
      if (auto st = reloadTokens(d->repo, d->registry); !st) return st.error();
      auto fresh = d->repo.get(i);
      if (!fresh) return fresh.error();
      if (!*fresh) return tokenNotFound();
      w.token = std::move(**fresh);
      return w;
    };
    co_return co_await d->blocking.run(job);
  };

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/tokens",
              .summary = "Client tokens, a page at a time (values never shown)",
              .handler = [d, render](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto pq = pageQuery(rq.request);
                if (!pq) co_return errorReply(422, kBadPageQuery, ErrorCode::ValidationError);
                storage::TokenListQuery q{.page = pq->page, .page_size = pq->page_size};
                if (auto s = rq.query("search"); !s.empty()) q.search = s;
                if (auto e = rq.query("enabled"); !e.empty()) {
                  if (e != "true" && e != "false") {
                    co_return errorReply(422, "enabled must be true or false",
                                         ErrorCode::ValidationError);
                  }
                  q.enabled = e == "true";
                }
                auto job = [d, &q] { return d->repo.list(q); };
                auto page = co_await d->blocking.run(job);
                if (!page) co_return failureReply(page.error(), rq.info.request_id);
                json::array items;
                for (const auto& t : page->items) items.push_back(render(t));
                co_return jsonReply(
                    200, json::object{{"total", page->total}, {"items", std::move(items)}});
              }});

  api.add(
      r, {.method = verb::post,
          .pattern = "/api/v1/tokens",
          .body = Body::Object,
          .summary = "Create a client token; its value is in the answer, this once",
          .handler = [self, d, renderWritten](const AdminRequest& rq) -> asio::awaitable<Response> {
            storage::StoredToken t;
            t.owner_user_id = rq.admin().user.id;
            if (auto st = applyFields(rq.object(), t, true); !st) {
              co_return failureReply(st.error(), rq.info.request_id);
            }
            Written w;
            w.value = mintValue();
            t.token_hash = toHex(sha256(w.value));
            t.prefix = w.value.substr(0, kPrefixChars);
            t.created_at = t.updated_at = d->clock.now();
            auto job = [d, &t, &w]() -> Status {
              if (auto st = checkOwner(d->users, t); !st) return st;
              auto created = d->repo.create(t);
              if (!created) return created.error();
              w.token = std::move(*created);
              return reloadTokens(d->repo, d->registry);
            };
            if (auto st = co_await d->blocking.run(job); !st) {
              co_return failureReply(st.error(), rq.info.request_id);
            }
            self->audit(rq, "token.create", std::to_string(w.token.id), w.token.name);
            co_return renderWritten(w, 201);
          }});

  api.add(r, {.method = verb::get,
              .pattern = "/api/v1/tokens/{id}",
              .summary = "One client token and its usage (its value never shown)",
              .handler = [d, render](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto find = [d](std::int64_t id) { return d->repo.get(id); };
                co_return co_await readById(d->blocking, rq, find, render, tokenNotFound);
              }});

  api.add(r, {.method = verb::put,
              .pattern = "/api/v1/tokens/{id}",
              .body = Body::Object,
              .summary = "Change a client token's name, note, owner, expiry, lists or limits",
              .handler = [self, d, modify,
                          renderWritten](const AdminRequest& rq) -> asio::awaitable<Response> {
                const json::object& body = rq.object();
                auto change = [d, &body](Written& w) -> Status {
                  if (auto st = applyFields(body, w.token, false); !st) return st;
                  if (body.contains("owner_id")) {
                    if (auto st = checkOwner(d->users, w.token); !st) return st;
                  }
                  w.token.updated_at = d->clock.now();
                  return {};
                };
                auto w = co_await modify(rq, change);
                if (!w) co_return failureReply(w.error(), rq.info.request_id);
                std::string fields;
                for (const auto& [k, v] : body) fields.append(fields.empty() ? "" : ",").append(k);
                self->audit(rq, "token.update", std::to_string(w->token.id), fields);
                co_return renderWritten(*w, 200);
              }});

  for (const bool enable : {true, false}) {
    api.add(r, {.method = verb::post,
                .pattern = enable ? "/api/v1/tokens/{id}/enable" : "/api/v1/tokens/{id}/disable",
                .summary = enable ? "Enable a client token" : "Disable a client token",
                .handler = [self, d, modify, renderWritten,
                            enable](const AdminRequest& rq) -> asio::awaitable<Response> {
                  auto change = [d, enable](Written& w) -> Status {
                    w.token.enabled = enable;
                    w.token.updated_at = d->clock.now();
                    return {};
                  };
                  auto w = co_await modify(rq, change);
                  if (!w) co_return failureReply(w.error(), rq.info.request_id);
                  self->audit(rq, enable ? "token.enable" : "token.disable",
                              std::to_string(w->token.id), w->token.name);
                  co_return renderWritten(*w, 200);
                }});
  }

  api.add(
      r, {.method = verb::post,
          .pattern = "/api/v1/tokens/{id}/rotate",
          .summary = "Give a client token a new value (the old one stops at once); the new "
                     "value is in the answer, this once",
          .handler = [self, d, renderWritten](const AdminRequest& rq) -> asio::awaitable<Response> {
            auto id = positiveId(rq.param("id"));
            if (!id) co_return failureReply(tokenNotFound(), rq.info.request_id);
            Written w;
            w.value = mintValue();
            auto job = [d, i = *id, &w]() -> Status {
              if (auto st = d->repo.rotate(i, toHex(sha256(w.value)),
                                           w.value.substr(0, kPrefixChars), d->clock.now());
                  !st) {
                return st;
              }
              if (auto st = reloadTokens(d->repo, d->registry); !st) return st;
              auto fresh = d->repo.get(i);
              if (!fresh) return fresh.error();
              if (!*fresh) return tokenNotFound();
              w.token = std::move(**fresh);
              return {};
            };
            if (auto st = co_await d->blocking.run(job); !st) {
              co_return failureReply(st.error(), rq.info.request_id);
            }
            self->audit(rq, "token.rotate", std::to_string(w.token.id), w.token.name);
            co_return renderWritten(w, 200);
          }});

  api.add(r, {.method = verb::delete_,
              .pattern = "/api/v1/tokens/{id}",
              .summary = "Delete a client token (it stops at once)",
              .handler = [self, d](const AdminRequest& rq) -> asio::awaitable<Response> {
                auto id = positiveId(rq.param("id"));
                if (!id) co_return failureReply(tokenNotFound(), rq.info.request_id);
                auto job = [d, i = *id]() -> Status {
                  auto removed = d->repo.remove(i);
                  if (!removed) return removed.error();
                  if (!*removed) return tokenNotFound();
                  return reloadTokens(d->repo, d->registry);
                };
                if (auto st = co_await d->blocking.run(job); !st) {
                  co_return failureReply(st.error(), rq.info.request_id);
                }
                d->limiter.forget(*id);
                self->audit(rq, "token.delete", std::to_string(*id), "");
                Response res{bhttp::status::no_content, 11};
                res.prepare_payload();
                co_return res;
              }});
}

}  // namespace poise::admin
