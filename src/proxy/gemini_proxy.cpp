#include "proxy/gemini_proxy.h"

#include <algorithm>
#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>

#include "core/model_id.h"
#include "http/error_envelope.h"
#include "proxy/header_filter.h"
#include "proxy/upstream_caller.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace json = boost::json;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using http::Protocol;

namespace {

// The top-level "model" of a JSON body; empty when the body is not a JSON object or has none.
std::string modelFromBody(std::string_view body) {
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || body[start] != '{') return {};
  boost::system::error_code ec;
  json::monotonic_resource arena;
  const json::value v = json::parse(body, ec, &arena);
  if (ec || !v.is_object()) return {};
  const auto* model = v.as_object().if_contains("model");
  if (model == nullptr || !model->is_string()) return {};
  return std::string(model->as_string());
}

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

asio::awaitable<void> GeminiProxy::handle(net::HttpExchange& ex, http::RequestRecord& record) {
  auto& req = ex.request();
  const auto cfg = deps_.config.snapshot();
  const std::string_view target = req.target();
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  const std::string_view raw_query =
      qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);

  record.protocol = Protocol::Gemini;
  if (auto rejected = rejectRequest(deps_, req, raw_query, *cfg, Protocol::Gemini, record)) {
    co_await ex.respond(std::move(*rejected));
    co_return;
  }

  // Only clean paths under the served API versions go upstream, with a well-formed model.
  if (auto st = checkNativePath(path); !st) {
    record.fail(http::ErrorClass::BadRequest, st.error().message);
    co_await ex.respond(http::errorResponse(Protocol::Gemini, 400, st.error().message));
    co_return;
  }
  if (auto st = checkPathModel(modelFromPath(path)); !st) {
    record.fail(http::ErrorClass::BadRequest, st.error().message);
    co_await ex.respond(http::errorResponse(Protocol::Gemini, 400, st.error().message));
    co_return;
  }

  UpstreamRequest up;
  up.method = std::string(req.method_string());
  up.model = std::string(modelFromPath(path));
  // A call whose model is in its body (Google's OpenAI-compatible surface, cachedContents) is
  // held to a client token's model patterns too.
  if (up.model.empty() && record.token_id != 0) {
    if (auto denied = checkGrant(deps_, record, modelFromBody(req.body()))) {
      co_await respondUnanswered(ex, Protocol::Gemini, *denied);
      co_return;
    }
  }
  up.streaming = isStreamingCall(path, raw_query);
  record.model = up.model;
  record.stream = up.streaming;
  // Google's OpenAI-compatible surface takes the key as a Bearer token.
  up.bearer_key = path.find("/openai/") != std::string_view::npos;
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

  UpstreamCaller caller(deps_, ex, record);
  // A streamGenerateContent answer must carry a finish reason; one that ends without is a
  // truncation (Google's OpenAI-compatible streams are passed through unchecked).
  IdentityTranslator identity(path.find(":streamGenerateContent") != std::string_view::npos &&
                              !up.bearer_key);
  UpstreamResult result = co_await caller.call(up, &identity, kBufferedBodyLimit);
  if (result.kind == UpstreamResult::Kind::Relayed) co_return;
  if (result.kind == UpstreamResult::Kind::Answer) {
    // Success, a client error, or the last retryable error: passed through unchanged.
    co_await ex.respondRaw(result.status, result.fields, result.body);
    co_return;
  }
  co_await respondUnanswered(ex, Protocol::Gemini, result);
}

}  // namespace poise::proxy
