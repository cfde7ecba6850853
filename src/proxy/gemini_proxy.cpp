#include "proxy/gemini_proxy.h"

#include <algorithm>
#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "core/log.h"
#include "core/model_id.h"
#include "http/error_envelope.h"
#include "http/query.h"
#include "proxy/header_filter.h"
#include "proxy/upstream_caller.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace json = boost::json;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using http::Protocol;

namespace {

// A top-level field of a JSON object body; nullopt when the body is not a JSON object or has
// no such field.
std::optional<json::value> topLevelField(std::string_view body, std::string_view field) {
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || body[start] != '{') return std::nullopt;
  boost::system::error_code ec;
  json::monotonic_resource arena;
  const json::value v = json::parse(body, ec, &arena);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* found = v.as_object().if_contains(field);
  if (found == nullptr) return std::nullopt;
  return json::value(*found, json::storage_ptr());  // copied out of the arena
}

// The top-level "model" of a JSON body; empty when the body is not a JSON object or has none.
std::string modelFromBody(std::string_view body) {
  const auto model = topLevelField(body, "model");
  return model && model->is_string() ? std::string(model->as_string()) : std::string();
}

// True when a JSON body asks for a streamed answer (`"stream": true`, the interactions API).
bool asksForStream(std::string_view body) {
  if (body.find("\"stream\"") == std::string_view::npos) return false;
  const auto stream = topLevelField(body, "stream");
  return stream && stream->is_bool() && stream->as_bool();
}

// Answers read whole to learn a resource's name (creating calls, uploads, listing pages): an
// interaction's answer may hold generated media.
constexpr std::size_t kResourceAnswerLimit = std::size_t{32} * 1024 * 1024;

constexpr std::size_t kMaxHandles = 10'000;  // upload ids and page tokens held at once, each

constexpr std::size_t kBufferedBodyLimit =
    std::size_t{256} * 1024;  // answers up to this are sent in one write

// Request headers never forwarded upstream: hop-by-hop, framing, and client credentials.
bool dropRequestHeader(bhttp::field f, std::string_view name) {
  if (isHopByHopOrFraming(f)) return true;
  switch (f) {
    case bhttp::field::host:
    case bhttp::field::expect:
    case bhttp::field::authorization:
    case bhttp::field::cookie:
    case bhttp::field::accept_encoding:
    case bhttp::field::forwarded:
      return true;
    default:
      break;
  }
  return beast::iequals(name, "x-goog-api-key") || beast::iequals(name, "x-api-key") ||
         beast::iequals(name, "x-goog-user-project") || beast::iequals(name, "x-request-id") ||
         beast::iequals(name, "x-forwarded-for") || beast::iequals(name, "x-forwarded-host") ||
         beast::iequals(name, "x-forwarded-proto");
}

}  // namespace

std::string_view modelFromPath(std::string_view path) {
  const auto pos = path.find("/models/");
  if (pos == std::string_view::npos) {
    // tunedModels/… also name a model.
    const auto tuned = path.find("/tunedModels/");
    if (tuned == std::string_view::npos) return {};
    std::string_view rest = path.substr(tuned + 1);
    const auto colon = rest.find(':');
    return rest.substr(0, colon);
  }
  std::string_view rest = path.substr(pos + 8);
  const auto end = rest.find_first_of(":/");
  return rest.substr(0, end);
}

namespace {

Status refusePath(std::string_view why) {
  return makeError(ErrorCode::InvalidPath, "the request path " + std::string(why));
}

}  // namespace

Status checkNativePath(std::string_view path) {
  constexpr std::array<std::string_view, 3> kVersions{"/v1beta/", "/v1alpha/", "/v1/"};
  const bool served = std::any_of(kVersions.begin(), kVersions.end(),
                                  [&](std::string_view v) { return path.starts_with(v); });
  if (!served) return refusePath("is not under an API version the gateway serves");
  std::size_t i = 1;
  while (i <= path.size()) {
    std::size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view raw = path.substr(i, end - i);
    if (raw.empty() && end != path.size()) return refusePath("has an empty segment");
    const auto pct = boost::urls::make_pct_string_view(raw);
    if (!pct) return refusePath("has a malformed percent-encoding");
    const std::string seg = pct->decode();
    for (const char c : seg) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '/' || c == '\\' || c == '%' || u < 0x20 || u == 0x7f) {
        return refusePath("has an encoded separator or control character");
      }
    }
    if (seg == "." || seg == "..") return refusePath("has a '.' or '..' segment");
    i = end + 1;
  }
  return {};
}

Status checkPathModel(std::string_view model) {
  if (model.empty()) return {};
  std::string_view id = model;
  if (id.starts_with("tunedModels/")) id.remove_prefix(12);
  if (isGeminiModelId(id)) return {};
  return makeError(ErrorCode::InvalidModel,
                   "the model name is not a valid Gemini model id (letters, digits, '.', '-', "
                   "'_'; at most 128 characters)");
}

bool isStreamingCall(std::string_view path, std::string_view query) {
  if (path.find(":streamGenerateContent") != std::string_view::npos) return true;
  return query.find("alt=sse") != std::string_view::npos;
}

std::string stripKeyParam(std::string_view query) {
  std::string out;
  std::size_t i = 0;
  while (i <= query.size()) {
    const auto amp = query.find('&', i);
    const std::string_view part =
        query.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
    if (!part.empty() && part != "key" && part.substr(0, 4) != "key=") {
      if (!out.empty()) out.push_back('&');
      out.append(part);
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return out;
}

GeminiProxy::GeminiProxy(ProxyDeps deps)
    : deps_(std::move(deps)),
      uploads_(deps_.clock, kMaxHandles, std::chrono::hours(24 * 7)),
      cursors_(deps_.clock, kMaxHandles, std::chrono::hours(1)) {}

asio::awaitable<void> GeminiProxy::handle(net::HttpExchange& ex, http::RequestRecord& record) {
  auto& req = ex.request();
  const auto cfg = deps_.config.snapshot();
  const std::string_view target = req.target();
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  const std::string_view raw_query =
      qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  // The Files API's uploads live under /upload/<version>/files; the rest of the path is checked
  // like any other.
  const bool upload = path.starts_with("/upload/");
  const std::string_view api_path = upload ? path.substr(7) : path;

  record.protocol = Protocol::Gemini;
  if (auto rejected = rejectRequest(deps_, req, raw_query, *cfg, Protocol::Gemini, record)) {
    co_await ex.respond(std::move(*rejected));
    co_return;
  }

  // Only clean paths under the served API versions go upstream, with a well-formed model.
  if (auto st = checkNativePath(api_path); !st) {
    record.fail(http::ErrorClass::BadRequest, st.error().message);
    co_await ex.respond(http::errorResponse(Protocol::Gemini, 400, st.error().message));
    co_return;
  }
  if (auto st = checkPathModel(modelFromPath(api_path)); !st) {
    record.fail(http::ErrorClass::BadRequest, st.error().message);
    co_await ex.respond(http::errorResponse(Protocol::Gemini, 400, st.error().message));
    co_return;
  }

  UpstreamRequest up;
  up.method = std::string(req.method_string());
  up.model = std::string(modelFromPath(api_path));
  // A call whose model is in its body (Google's OpenAI-compatible surface, cachedContents) is
  // held to a client token's model patterns too.
  if (up.model.empty() && record.token_id != 0) {
    if (auto denied = checkGrant(deps_, record, modelFromBody(req.body()))) {
      co_await respondUnanswered(ex, Protocol::Gemini, *denied);
      co_return;
    }
  }
  up.streaming = isStreamingCall(api_path, raw_query);
  record.model = up.model;
  record.stream = up.streaming;
  // Google's OpenAI-compatible surface takes the key as a Bearer token.
  up.bearer_key = api_path.find("/openai/") != std::string_view::npos;
  const std::string query = stripKeyParam(raw_query);
  up.target = cfg->upstream_base_path;
  up.target.append(path);
  if (!query.empty()) {
    up.target.push_back('?');
    up.target.append(query);
  }
  // Client headers minus credentials, hop-by-hop and framing ones.
  const std::string_view client_connection = req[bhttp::field::connection];
  for (const auto& h : req) {
    if (dropRequestHeader(h.name(), h.name_string()) ||
        nominatedByConnection(client_connection, h.name_string())) {
      continue;
    }
    up.fields.append(h.name_string()).append(": ").append(h.value()).append("\r\n");
  }
  up.body = req.body();

  if (deps_.resources != nullptr) {
    if (upload) {
      co_await serveUpload(ex, record, up, path, raw_query);
      co_return;
    }
    if (const auto collection = listedCollection(up.method, api_path); !collection.empty()) {
      co_await serveListing(ex, record, up, collection, path, raw_query);
      co_return;
    }
    // A path naming a resource goes to its key (the body is scanned by the caller).
    if (auto named = resourceInPath(api_path)) {
      std::vector<std::string> names{std::move(*named)};
      ResourcePin found = co_await resolveResources(deps_, std::move(names), record);
      if (found.denied) {
        co_await respondUnanswered(ex, Protocol::Gemini, *found.denied);
        co_return;
      }
      up.pin = std::move(found.pin);
    }
  }

  Creation creation =
      deps_.resources != nullptr ? creationKind(up.method, api_path) : Creation::None;
  // A streamed interaction is relayed as it comes; its id is not learnt (a follow-up naming it
  // goes through the normal key choice).
  if (creation == Creation::Interaction && asksForStream(req.body())) creation = Creation::None;
  UpstreamCaller caller(deps_, ex, record);
  // A streamGenerateContent answer must carry a finish reason; one that ends without is a
  // truncation (Google's OpenAI-compatible streams are passed through unchecked).
  IdentityTranslator identity(api_path.find(":streamGenerateContent") != std::string_view::npos &&
                              !up.bearer_key);
  // A creating call's answer is read whole, to learn the resource's name.
  PieceTranslator* relay = creation == Creation::None ? &identity : nullptr;
  const std::size_t limit = creation == Creation::None ? kBufferedBodyLimit : kResourceAnswerLimit;
  UpstreamResult result = co_await caller.call(up, relay, limit);
  if (result.kind == UpstreamResult::Kind::Relayed) co_return;
  if (result.kind == UpstreamResult::Kind::Answer) {
    if (result.success()) {
      if (creation != Creation::None) co_await noteCreated(creation, result);
      // A deleted resource's binding goes with it.
      if (up.method == "DELETE" && up.pin && api_path.find(':') == std::string_view::npos) {
        if (auto st = co_await deps_.resources->forget(up.pin->resource); !st) {
          spdlog::warn("msg=\"could not forget a deleted resource's key\" resource={} error={}",
                       logValue(up.pin->resource), logValue(st.error().message));
        }
      }
    }
    // Success, a client error, or the last retryable error: passed through unchanged.
    co_await ex.respondRaw(result.status, result.fields, result.body);
    co_return;
  }
  co_await respondUnanswered(ex, Protocol::Gemini, result);
}

asio::awaitable<void> GeminiProxy::noteCreated(Creation kind, const UpstreamResult& result) {
  auto created = createdResource(kind, result.body, deps_.clock.now());
  if (!created || result.key_id == 0) co_return;
  auto st = co_await deps_.resources->remember(
      created->name, ResourceBinding{.key_id = result.key_id, .expires_at = created->expires_at});
  if (!st) {
    spdlog::warn("msg=\"could not record a resource's key\" resource={} error={}",
                 logValue(created->name), logValue(st.error().message));
  }
}

asio::awaitable<void> GeminiProxy::serveUpload(net::HttpExchange& ex, http::RequestRecord& record,
                                               UpstreamRequest& up, std::string_view path,
                                               std::string_view raw_query) {
  const auto cfg = deps_.config.snapshot();
  const std::string upload_id = http::queryParam(raw_query, "upload_id");
  const bool start = upload_id.empty();
  if (!start) {
    // A chunk, a finalize or a status query of an upload in progress: the key that started it,
    // Google's own upload URL.
    auto session = uploads_.get(upload_id);
    if (!session) {
      record.fail(http::ErrorClass::BadRequest, "unknown or expired upload id");
      co_await ex.respond(http::errorResponse(
          Protocol::Gemini, 404, "unknown or expired upload id: start the upload again"));
      co_return;
    }
    up.target = session->target;
    up.pin = UpstreamRequest::Pin{.key_id = session->key_id, .resource = "the upload session"};
  }
  UpstreamCaller caller(deps_, ex, record);
  UpstreamResult result = co_await caller.call(up, nullptr, kResourceAnswerLimit);
  if (result.kind != UpstreamResult::Kind::Answer) {
    co_await respondUnanswered(ex, Protocol::Gemini, result);
    co_return;
  }
  // Google's upload URLs never reach the client; the start call's is replaced by the gateway's.
  std::string fields;
  std::string google_url;
  for (std::size_t i = 0; i < result.fields.size();) {
    auto end = result.fields.find("\r\n", i);
    end = end == std::string::npos ? result.fields.size() : end + 2;
    const std::string_view line(result.fields.data() + i, end - i);
    i = end;
    const auto colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (name.size() > 14 && beast::iequals(name.substr(0, 14), "x-goog-upload-") &&
        beast::iequals(name.substr(name.size() - 3), "url")) {
      if (beast::iequals(name, "x-goog-upload-url") && colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        value = value.substr(0, value.size() >= 2 ? value.size() - 2 : 0);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        google_url = std::string(value);
      }
      continue;
    }
    fields.append(line);
  }
  if (result.success() && start && !google_url.empty()) {
    const auto upstream_target = upstreamUploadTarget(google_url, cfg->upstream_host);
    if (!upstream_target) {
      record.fail(http::ErrorClass::UpstreamError, "the upstream's upload URL is not on its host");
      co_await ex.respond(http::errorResponse(
          Protocol::Gemini, 502, "the upstream answered with an upload URL on another host"));
      co_return;
    }
    const std::string id =
        uploads_.put(UploadSession{.key_id = result.key_id, .target = *upstream_target});
    const auto url = gatewayUploadUrl(ex.info().https, ex.request()[bhttp::field::host], path, id);
    if (!url) {
      uploads_.erase(id);
      record.fail(http::ErrorClass::BadRequest, "the Host header cannot form an upload URL");
      co_await ex.respond(
          http::errorResponse(Protocol::Gemini, 400,
                              "the Host header is not a plain host[:port]; the upload URL "
                              "cannot be formed"));
      co_return;
    }
    fields.append("X-Goog-Upload-URL: ").append(*url).append("\r\n");
  }
  // The answer that completes an upload (or a one-call multipart or media upload) names the file.
  if (result.success()) co_await noteCreated(Creation::File, result);
  co_await ex.respondRaw(result.status, fields, result.body);
}

namespace {

// The client's listing query without its page token (that one is the gateway's).
std::string listingQuery(std::string_view raw_query) {
  std::string out;
  const std::string kept = stripKeyParam(raw_query);
  std::size_t i = 0;
  while (i <= kept.size()) {
    const auto amp = kept.find('&', i);
    const std::string_view part = std::string_view(kept).substr(
        i, amp == std::string::npos ? std::string_view::npos : amp - i);
    if (!part.empty() && !part.starts_with("pageToken=") && !part.starts_with("page_token=")) {
      if (!out.empty()) out.push_back('&');
      out.append(part);
    }
    if (amp == std::string::npos) break;
    i = amp + 1;
  }
  return out;
}

constexpr int kMaxListingCalls = 16;  // upstream calls per merged page, at most

}  // namespace

asio::awaitable<void> GeminiProxy::serveListing(net::HttpExchange& ex, http::RequestRecord& record,
                                                UpstreamRequest& up, std::string_view collection,
                                                std::string_view path, std::string_view raw_query) {
  const auto cfg = deps_.config.snapshot();
  const std::vector<std::int64_t> keys = deps_.keys.idsWithStatus(keys::KeyStatus::Active);
  std::optional<ListCursor> cursor;
  std::string token = http::queryParam(raw_query, "pageToken");
  if (token.empty()) token = http::queryParam(raw_query, "page_token");
  if (!token.empty()) {
    cursor = cursors_.get(token);
    if (!cursor || cursor->collection != collection) {
      record.fail(http::ErrorClass::BadRequest, "unknown or expired page token");
      co_await ex.respond(
          http::errorResponse(Protocol::Gemini, 400, "unknown or expired page token"));
      co_return;
    }
  } else if (!keys.empty()) {
    cursor = ListCursor{.collection = std::string(collection), .key_id = keys.front()};
  }
  const std::string query = listingQuery(raw_query);
  UpstreamCaller caller(deps_, ex, record);
  std::optional<UpstreamResult> failed;
  int calls = 0;

  // One page of one key's listing; nullopt when the call failed (`failed` holds the answer).
  // `probe` asks for one item only (is there anything on this key?).
  auto fetch = [&](const ListCursor& at,
                   bool probe) -> asio::awaitable<std::optional<json::object>> {
    ++calls;
    up.target = cfg->upstream_base_path;
    up.target.append(path);
    std::string q = probe ? std::string("pageSize=1") : query;
    if (!at.upstream_token.empty()) {
      if (!q.empty()) q.push_back('&');
      q.append("pageToken=")
          .append(boost::urls::encode(at.upstream_token, boost::urls::unreserved_chars));
    }
    if (!q.empty()) up.target.append("?").append(q);
    up.pin = UpstreamRequest::Pin{.key_id = at.key_id, .resource = std::string(collection)};
    UpstreamResult result = co_await caller.call(up, nullptr, kResourceAnswerLimit);
    if (result.kind == UpstreamResult::Kind::Denied && result.status != 400) {
      co_return json::object{};  // that key left the pool meanwhile: nothing of it is reachable
    }
    if (!result.success()) {
      failed = std::move(result);
      co_return std::nullopt;
    }
    boost::system::error_code ec;
    json::value page = json::parse(result.body, ec);
    if (ec || !page.is_object()) co_return json::object{};
    co_return std::move(page.as_object());
  };
  // Where the listing goes on after a page of `at` whose own next token is `upstream_next`.
  auto after = [&](const ListCursor& at, std::string upstream_next) -> std::optional<ListCursor> {
    if (!upstream_next.empty()) {
      return ListCursor{.collection = at.collection,
                        .key_id = at.key_id,
                        .upstream_token = std::move(upstream_next)};
    }
    const auto it = std::upper_bound(keys.begin(), keys.end(), at.key_id);
    if (it == keys.end()) return std::nullopt;
    return ListCursor{.collection = at.collection, .key_id = *it};
  };
  auto hasItems = [](const json::object& page) {
    return std::any_of(page.begin(), page.end(), [](const auto& f) {
      return f.value().is_array() && !f.value().as_array().empty();
    });
  };
  auto nextToken = [](const json::object& page) {
    const auto* t = page.if_contains("nextPageToken");
    return t != nullptr && t->is_string() ? std::string(t->as_string()) : std::string();
  };

  json::object merged;
  std::optional<ListCursor> next;
  // The first key (from the cursor on) with items gives this page.
  while (cursor && calls < kMaxListingCalls) {
    auto page = co_await fetch(*cursor, false);
    if (!page) break;
    next = after(*cursor, nextToken(*page));
    if (hasItems(*page)) {
      for (auto& [field, value] : *page) {
        if (value.is_array()) merged[field] = std::move(value);
      }
      break;
    }
    cursor = next;
  }
  // A token that would lead to an empty page ends a client's pager early (it reads that as the
  // end, or worse as a missing item): a next page on a fresh key is given only when a key from
  // there on has something, probed with one-item calls.
  while (!failed && next && next->upstream_token.empty() && calls < kMaxListingCalls) {
    auto probe = co_await fetch(*next, true);
    if (!probe || hasItems(*probe)) break;
    next = after(*next, "");
  }
  if (failed) {
    if (failed->kind == UpstreamResult::Kind::Answer) {
      co_await ex.respondRaw(failed->status, failed->fields, failed->body);
    } else {
      co_await respondUnanswered(ex, Protocol::Gemini, *failed);
    }
    co_return;
  }
  if (next) merged["nextPageToken"] = cursors_.put(std::move(*next));
  auto res = http::jsonResponse(200, json::serialize(merged));
  co_await ex.respond(std::move(res));
}

std::optional<std::string> gatewayUploadUrl(bool https, std::string_view host,
                                            std::string_view path, std::string_view upload_id) {
  const bool plain =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
      });
  if (!plain) return std::nullopt;
  std::string url = https ? "https://" : "http://";
  url.append(host).append(path);
  url.append("?upload_id=").append(upload_id).append("&upload_protocol=resumable");
  return url;
}

std::optional<std::string> upstreamUploadTarget(std::string_view url,
                                                std::string_view upstream_host) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || !beast::iequals(parsed->host(), upstream_host)) return std::nullopt;
  const std::string_view path = parsed->encoded_path();
  if (!path.starts_with("/")) return std::nullopt;
  std::string target(path);
  if (parsed->has_query()) target.append("?").append(parsed->encoded_query());
  return target;
}

}  // namespace poise::proxy
