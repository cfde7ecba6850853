#include "proxy/compat_proxy.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>
#include <vector>

#include "core/log.h"
#include "http/error_envelope.h"
#include "net/request_head.h"
#include "protocols/anthropic/count_tokens.h"
#include "protocols/anthropic/messages_request.h"
#include "protocols/anthropic/messages_response.h"
#include "protocols/anthropic/messages_stream.h"
#include "protocols/id_mint.h"
#include "protocols/openai/chat_request.h"
#include "protocols/openai/chat_response.h"
#include "protocols/openai/chat_stream.h"
#include "protocols/openai/embeddings.h"
#include "protocols/openai/images.h"
#include "protocols/openai/models.h"
#include "protocols/sse_parser.h"
#include "proxy/upstream_caller.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using http::Protocol;

namespace {

// Translated answers are read whole before translation (images come back as base64).
constexpr std::size_t kTranslatedBodyLimit = std::size_t{64} * 1024 * 1024;
// Gemini model list pages followed at most (1 000 models each).
constexpr int kMaxModelPages = 10;

std::string_view rawQuery(const net::Request& req) {
  const std::string_view target = req.target();
  const auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

std::uint64_t freshSeed() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

std::int64_t unixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

// The client's JSON body, or the 400 to send.
Result<json::value> parseBody(const net::Request& req, json::storage_ptr sp) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body(), ec, std::move(sp));
  if (ec) return makeError(ErrorCode::InvalidRequest, "the request body is not valid JSON");
  if (!v.is_object())
    return makeError(ErrorCode::InvalidRequest, "the request body must be a JSON object");
  return v;
}

// The message of an upstream Gemini error body ({"error":{"message":…}}), or a generic one.
std::string upstreamMessage(const UpstreamResult& r) {
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    if (const auto* err = v.as_object().if_contains("error"); err && err->is_object()) {
      if (const auto* m = err->as_object().if_contains("message"); m && m->is_string()) {
        return std::string(m->as_string());
      }
    }
  }
  return "the upstream answered HTTP " + std::to_string(r.status);
}

// Sends the outcome of a call that produced no usable answer, in `protocol`'s envelope: the
// upstream's own error (status kept, message carried over) or the gateway's.
asio::awaitable<void> respondFailure(net::HttpExchange& ex, Protocol protocol,
                                     const UpstreamResult& r) {
  if (r.kind == UpstreamResult::Kind::Answer) {
    const std::string message = upstreamMessage(r);
    auto res = http::errorResponse(protocol, r.status, message);
    // Every key is cooling for this model: say exactly when one can take it again.
    if (r.retry_after_seconds) {
      res.set(bhttp::field::retry_after, std::to_string(*r.retry_after_seconds));
    }
    co_await ex.respond(std::move(res));
    co_return;
  }
  co_await respondUnanswered(ex, protocol, r);
}

// The gateway's own error answer; its class and message go into the record (a 4xx is the
// client's request refused, a 5xx an upstream answer that could not be used).
asio::awaitable<void> respondError(net::HttpExchange& ex, http::RequestRecord& record,
                                   Protocol protocol, unsigned status, std::string message) {
  record.fail(status == 404   ? http::ErrorClass::NotFound
              : status >= 500 ? http::ErrorClass::UpstreamError
                              : http::ErrorClass::BadRequest,
              message);
  auto res = http::errorResponse(protocol, status, message);
  co_await ex.respond(std::move(res));
}

// A translator's failure on an upstream answer: an in-band upstream error keeps its message;
// anything else is a 502.
asio::awaitable<void> respondTranslationError(net::HttpExchange& ex, http::RequestRecord& record,
                                              Protocol protocol, const Error& e) {
  std::string message = e.code == ErrorCode::UpstreamError
                            ? e.message
                            : "the upstream answer could not be translated: " + e.message;
  co_await respondError(ex, record, protocol, 502, std::move(message));
}

// The JSON of a successful upstream answer, or the error.
Result<json::value> parseAnswer(const UpstreamResult& r, json::storage_ptr sp = {}) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec, std::move(sp));
  if (ec) return makeError(ErrorCode::UpstreamInvalidResponse, "the upstream answer is not JSON");
  return v;
}

UpstreamRequest jsonCall(const config::RuntimeConfig& cfg, const std::string& model,
                         std::string_view method, const std::string& body, bool stream) {
  UpstreamRequest up;
  up.method = "POST";
  up.model = model;
  up.streaming = stream;
  // The model was checked against the model-id grammar by the translator; encode it anyway, so
  // that no client byte can leave its path segment.
  up.target = cfg.upstream_base_path + "/v1beta/models/" + net::encodePathSegment(model) + ":" +
              std::string(method);
  if (stream) up.target.append("?alt=sse");
  up.fields = "Content-Type: application/json\r\n";
  up.body = body;
  return up;
}

// Relays a Gemini SSE stream as another protocol's stream, event by event. Translator is
// ChatStreamTranslator or MessagesStreamTranslator: feed(data) → Result<string>, finish(),
// error(message, status), ended(), keepAlive(). A stream that ends cleanly before the translator
// saw a finish reason ends with the error event instead of finish()'s normal end.
template <class Translator>
class TranslatingRelay final : public PieceTranslator {
 public:
  explicit TranslatingRelay(Translator translator) : translator_(std::move(translator)) {}

  unsigned head(unsigned, const bhttp::fields&, bhttp::fields& out) override {
    out.set(bhttp::field::content_type, "text/event-stream");
    out.set(bhttp::field::cache_control, "no-cache");
    return 200;
  }
  bool identity() const override { return false; }

  std::string transform(std::string_view piece) override {
    std::string out;
    if (failed_) return out;
    events_.clear();
    if (auto st = parser_.feed(piece, events_); !st) {
      fail(out, "the upstream stream could not be parsed: " + st.error().message, 502);
      return out;
    }
    translate(out);
    return out;
  }

  std::string finish() override {
    std::string out;
    if (failed_) return out;
    events_.clear();
    if (auto st = parser_.finish(events_); !st) {
      fail(out, "the upstream stream could not be parsed: " + st.error().message, 502);
      return out;
    }
    translate(out);
    if (failed_) return out;
    if (!translator_.ended()) {
      truncated_ = true;
      fail(out, std::string(breakMessage(BreakReason::Truncated)), 502);
      return out;
    }
    out.append(translator_.finish());
    return out;
  }

  bool truncated() const override { return truncated_; }
  std::string keepAlive() const override { return Translator::keepAlive(); }

  std::string broken(BreakReason reason) override {
    if (failed_) return {};
    failed_ = true;
    return translator_.error(std::string(breakMessage(reason)),
                             reason == BreakReason::Shutdown ? 503 : 502);
  }

 private:
  void translate(std::string& out) {
    for (const auto& event : events_) {
      if (failed_) return;
      if (event.data.empty() || event.data == "[DONE]") continue;
      auto piece = translator_.feed(event.data);
      if (!piece) {
        const unsigned status =
            piece.error().code == ErrorCode::UpstreamError ? translator_.lastUpstreamStatus() : 502;
        fail(out, piece.error().message, status);
        return;
      }
      out.append(*piece);
    }
  }

  void fail(std::string& out, const std::string& message, unsigned status) {
    failed_ = true;
    out.append(translator_.error(message, status));
  }

  Translator translator_;
  protocols::SseParser parser_;
  std::vector<protocols::SseEvent> events_;
  bool failed_ = false;
  bool truncated_ = false;
};

// A 200 JSON answer, its head written by hand (no field container).
asio::awaitable<void> respondJson(net::HttpExchange& ex, const json::object& out) {
  const std::string body = json::serialize(out);
  co_await ex.respondRaw(200, "Content-Type: application/json\r\n", body);
}

// Authenticates the request and parses its JSON body into `sp` (a per-request arena: parsed
// values are read, never kept); after answering the client with the failure, nullopt.
asio::awaitable<std::optional<json::value>> admit(net::HttpExchange& ex,
                                                  http::RequestRecord& record,
                                                  const ProxyDeps& deps,
                                                  const config::RuntimeConfig& cfg,
                                                  Protocol protocol, json::storage_ptr sp) {
  record.protocol = protocol;
  if (auto rejected =
          rejectRequest(deps, ex.request(), rawQuery(ex.request()), cfg, protocol, record)) {
    co_await ex.respond(std::move(*rejected));
    co_return std::nullopt;
  }
  auto body = parseBody(ex.request(), std::move(sp));
  if (!body) {
    co_await respondError(ex, record, protocol, 400, body.error().message);
    co_return std::nullopt;
  }
  co_return std::move(*body);
}

// Sends the same kind of call once per body, in order (each picks its own key), and returns
// the parsed answers; after answering the client with the first failure, nullopt.
asio::awaitable<std::optional<std::vector<json::value>>> callEach(
    net::HttpExchange& ex, http::RequestRecord& record, UpstreamCaller& caller,
    const config::RuntimeConfig& cfg, const std::string& model, std::string_view method,
    const std::vector<std::string>& bodies) {
  std::vector<json::value> answers;
  answers.reserve(bodies.size());
  for (const std::string& up_body : bodies) {
    const UpstreamRequest up = jsonCall(cfg, model, method, up_body, false);
    UpstreamResult r = co_await caller.call(up, nullptr, kTranslatedBodyLimit);
    if (!r.success()) {
      co_await respondFailure(ex, Protocol::OpenAI, r);
      co_return std::nullopt;
    }
    auto answer = parseAnswer(r);
    if (!answer) {
      co_await respondTranslationError(ex, record, Protocol::OpenAI, answer.error());
      co_return std::nullopt;
    }
    answers.push_back(std::move(*answer));
  }
  co_return answers;
}

// The generateContent exchange both chat protocols share: one call (streamed through a
// TranslatingRelay of make_translator()'s translator, or whole and passed to translate_whole),
// failures in `protocol`'s envelope.
template <class Translator, class MakeTranslator, class TranslateWhole>
asio::awaitable<void> generate(net::HttpExchange& ex, http::RequestRecord& record,
                               const ProxyDeps& deps, const config::RuntimeConfig& cfg,
                               Protocol protocol, const std::string& model, bool stream,
                               const json::object& request, const MakeTranslator& make_translator,
                               const TranslateWhole& translate_whole) {
  const std::string up_body = json::serialize(request);
  const UpstreamRequest up =
      jsonCall(cfg, model, stream ? "streamGenerateContent" : "generateContent", up_body, stream);
  record.model = model;
  record.stream = stream;
  UpstreamCaller caller(deps, ex, record);
  if (stream) {
    TranslatingRelay<Translator> relay(make_translator());
    UpstreamResult r = co_await caller.call(up, &relay, kTranslatedBodyLimit);
    if (r.kind != UpstreamResult::Kind::Relayed) co_await respondFailure(ex, protocol, r);
    co_return;
  }
  UpstreamResult r = co_await caller.call(up, nullptr, kTranslatedBodyLimit);
  if (!r.success()) {
    co_await respondFailure(ex, protocol, r);
    co_return;
  }
  json::monotonic_resource arena;
  auto answer = parseAnswer(r, &arena);
  Result<json::object> out =
      answer ? translate_whole(*answer) : Result<json::object>(answer.error());
  if (!out) {
    co_await respondTranslationError(ex, record, protocol, out.error());
    co_return;
  }
  co_await respondJson(ex, *out);
}

// The upstream model list merged across pages, or how fetching it failed.
struct ModelListFetch {
  std::optional<json::object> list;
  UpstreamResult failure;           // the unusable answer, when there was no list
  std::optional<Error> unreadable;  // set when an answer was not a model list
};

asio::awaitable<ModelListFetch> fetchModelList(net::HttpExchange& ex, http::RequestRecord& record,
                                               const ProxyDeps& deps) {
  const auto cfg = deps.config.snapshot();
  UpstreamCaller caller(deps, ex, record);
  ModelListFetch out;
  std::vector<json::value> pages;
  std::string token;
  for (int page = 0; page < kMaxModelPages; ++page) {
    UpstreamRequest up;
    up.method = "GET";
    up.target = cfg->upstream_base_path + "/v1beta/models?pageSize=1000";
    if (!token.empty()) up.target.append("&pageToken=").append(net::encodePathSegment(token));
    UpstreamResult r = co_await caller.call(up, nullptr, kTranslatedBodyLimit);
    if (!r.success()) {
      out.failure = std::move(r);
      co_return out;
    }
    auto answer = parseAnswer(r);
    if (!answer) {
      out.unreadable = answer.error();
      co_return out;
    }
    token = std::string(protocols::nextPageToken(*answer));
    pages.push_back(std::move(*answer));
    if (token.empty()) break;
    // A page token goes into the query: only URL-safe characters are passed on.
    if (token.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~") !=
        std::string::npos) {
      break;
    }
  }
  auto merged = protocols::mergeModelPages(pages);
  if (!merged) {
    out.unreadable = merged.error();
    co_return out;
  }
  out.list = std::move(*merged);
  co_return out;
}

// The Anthropic translator's options from the config (aliases, claude-* families).
protocols::MessagesRequestOptions messagesOptions(const config::RuntimeConfig& cfg) {
  protocols::MessagesRequestOptions options;
  options.model_aliases = &cfg.model_aliases;
  options.claude_models.opus = cfg.anthropic_model_opus;
  options.claude_models.sonnet = cfg.anthropic_model_sonnet;
  options.claude_models.haiku = cfg.anthropic_model_haiku;
  options.claude_models.other = cfg.anthropic_model_default;
  return options;
}

// Clears a flag when the scope ends, however it ends (a coroutine frame may be destroyed while
// suspended).
class FlagReset {
 public:
  FlagReset(std::mutex& mu, bool& flag) : mu_(mu), flag_(flag) {}
  FlagReset(const FlagReset&) = delete;
  FlagReset& operator=(const FlagReset&) = delete;
  ~FlagReset() {
    std::lock_guard lock(mu_);
    flag_ = false;
  }

 private:
  std::mutex& mu_;
  bool& flag_;
};

}  // namespace

void CompatProxy::storeModels(json::object list) {
  auto limits =
      std::make_shared<const protocols::OutputTokenLimits>(protocols::outputTokenLimits(list));
  const std::int64_t now = deps_.clock.monotonicMs();
  std::lock_guard lock(models_mu_);
  models_cache_ = std::make_shared<const json::object>(std::move(list));
  models_expiry_ms_ = now + Millis{kModelsCacheTtl}.count();
  output_limits_ = std::move(limits);
  output_limits_expiry_ms_ = now + Millis{kOutputLimitsTtl}.count();
}

asio::awaitable<std::shared_ptr<const protocols::OutputTokenLimits>>
CompatProxy::refreshOutputLimits(net::HttpExchange& ex, http::RequestRecord& record) {
  {
    std::lock_guard lock(models_mu_);
    const std::int64_t now = deps_.clock.monotonicMs();
    if (output_limits_refreshing_ || now < output_limits_expiry_ms_) co_return nullptr;
    output_limits_refreshing_ = true;
    // Also when the fetch fails: the next try waits a whole TTL.
    output_limits_expiry_ms_ = now + Millis{kOutputLimitsTtl}.count();
  }
  const FlagReset reset(models_mu_, output_limits_refreshing_);
  // The models list is fetched for the limits alone: its failure is not the request's.
  http::RequestRecord side;
  side.request_id = record.request_id;
  ModelListFetch fetched = co_await fetchModelList(ex, side, deps_);
  record.attempts.insert(record.attempts.end(), side.attempts.begin(), side.attempts.end());
  if (!fetched.list) {
    if (fetched.failure.kind != UpstreamResult::Kind::ClientGone) {
      std::string why = fetched.failure.network_error;
      if (fetched.unreadable) why = fetched.unreadable->message;
      if (fetched.failure.kind == UpstreamResult::Kind::Answer) {
        why = "upstream HTTP " + std::to_string(fetched.failure.status);
      }
      spdlog::warn(
          "msg=\"models list unavailable; static output limits used\" request_id={} error={}",
          ex.info().request_id, logValue(why));
    }
    co_return nullptr;
  }
  storeModels(std::move(*fetched.list));
  std::lock_guard lock(models_mu_);
  co_return output_limits_;
}

template <class Translation, class Translate>
asio::awaitable<Result<Translation>> CompatProxy::translateWithOutputLimits(
    net::HttpExchange& ex, http::RequestRecord& record, const Translate& translate) {
  std::shared_ptr<const protocols::OutputTokenLimits> limits;
  bool stale = false;
  {
    std::lock_guard lock(models_mu_);
    limits = output_limits_;
    stale = deps_.clock.monotonicMs() >= output_limits_expiry_ms_;
  }
  Result<Translation> tr = translate(limits.get());
  if (!tr || !stale || !protocols::outputLimitUncertain(tr->requested_max_tokens, tr->model)) {
    co_return tr;
  }
  // A client token that may not make the call gets its refusal from the call itself, and no
  // models list is fetched on its behalf.
  if (checkGrant(deps_, record, tr->model)) co_return tr;
  limits = co_await refreshOutputLimits(ex, record);
  if (limits != nullptr) tr = translate(limits.get());
  co_return tr;
}

asio::awaitable<void> CompatProxy::chatCompletions(net::HttpExchange& ex,
                                                   http::RequestRecord& record) {
  const auto cfg = deps_.config.snapshot();
  json::monotonic_resource arena;
  auto body = co_await admit(ex, record, deps_, *cfg, Protocol::OpenAI, &arena);
  if (!body) co_return;
  protocols::ChatRequestOptions options;
  options.model_aliases = &cfg->model_aliases;
  auto translate = [&](const protocols::OutputTokenLimits* limits) {
    options.output_token_limits = limits;
    return protocols::translateChatRequest(*body, options);
  };
  auto tr = co_await translateWithOutputLimits<protocols::ChatTranslation>(ex, record, translate);
  if (!tr) {
    co_await respondError(ex, record, Protocol::OpenAI, 400, tr.error().message);
    co_return;
  }
  protocols::IdMint ids(freshSeed());
  const protocols::ResponseStamp stamp{ids.next("chatcmpl-", 29), unixSeconds(deps_.clock)};
  auto make_translator = [&] {
    return protocols::ChatStreamTranslator(tr->response, stamp, protocols::IdMint(freshSeed()));
  };
  auto translate_whole = [&](const json::value& answer) {
    return protocols::translateChatResponse(answer, tr->response, stamp, ids);
  };
  co_await generate<protocols::ChatStreamTranslator>(ex, record, deps_, *cfg, Protocol::OpenAI,
                                                     tr->model, tr->stream, tr->request,
                                                     make_translator, translate_whole);
}

asio::awaitable<void> CompatProxy::messages(net::HttpExchange& ex, http::RequestRecord& record) {
  const auto cfg = deps_.config.snapshot();
  json::monotonic_resource arena;
  auto body = co_await admit(ex, record, deps_, *cfg, Protocol::Anthropic, &arena);
  if (!body) co_return;
  protocols::MessagesRequestOptions options = messagesOptions(*cfg);
  auto translate = [&](const protocols::OutputTokenLimits* limits) {
    options.output_token_limits = limits;
    return protocols::translateMessagesRequest(*body, options);
  };
  auto tr =
      co_await translateWithOutputLimits<protocols::MessagesTranslation>(ex, record, translate);
  if (!tr) {
    co_await respondError(ex, record, Protocol::Anthropic, 400, tr.error().message);
    co_return;
  }
  protocols::IdMint ids(freshSeed());
  const std::string message_id = ids.next("msg_");
  auto make_translator = [&] {
    return protocols::MessagesStreamTranslator(tr->response, message_id,
                                               protocols::IdMint(freshSeed()));
  };
  auto translate_whole = [&](const json::value& answer) {
    return protocols::translateMessagesResponse(answer, tr->response, message_id, ids);
  };
  co_await generate<protocols::MessagesStreamTranslator>(
      ex, record, deps_, *cfg, Protocol::Anthropic, tr->model, tr->stream, tr->request,
      make_translator, translate_whole);
}

asio::awaitable<void> CompatProxy::countTokens(net::HttpExchange& ex, http::RequestRecord& record) {
  const auto cfg = deps_.config.snapshot();
  json::monotonic_resource arena;
  auto body = co_await admit(ex, record, deps_, *cfg, Protocol::Anthropic, &arena);
  if (!body) co_return;
  protocols::MessagesRequestOptions options = messagesOptions(*cfg);
  options.count_tokens = true;
  auto tr = protocols::translateMessagesRequest(*body, options);
  if (!tr) {
    co_await respondError(ex, record, Protocol::Anthropic, 400, tr.error().message);
    co_return;
  }
  const std::string up_body = json::serialize(protocols::countTokensRequest(*tr));
  const UpstreamRequest up = jsonCall(*cfg, tr->model, "countTokens", up_body, false);
  record.model = tr->model;
  UpstreamCaller caller(deps_, ex, record);
  UpstreamResult r = co_await caller.call(up, nullptr, kTranslatedBodyLimit);
  if (!r.success()) {
    co_await respondFailure(ex, Protocol::Anthropic, r);
    co_return;
  }
  auto answer = parseAnswer(r);
  Result<json::object> out =
      answer ? protocols::countTokensResponse(*answer) : Result<json::object>(answer.error());
  if (!out) {
    co_await respondTranslationError(ex, record, Protocol::Anthropic, out.error());
    co_return;
  }
  co_await respondJson(ex, *out);
}

asio::awaitable<void> CompatProxy::embeddings(net::HttpExchange& ex, http::RequestRecord& record) {
  const auto cfg = deps_.config.snapshot();
  json::monotonic_resource arena;
  auto body = co_await admit(ex, record, deps_, *cfg, Protocol::OpenAI, &arena);
  if (!body) co_return;
  protocols::EmbeddingsRequestOptions options;
  options.model_aliases = &cfg->model_aliases;
  auto tr = protocols::translateEmbeddingsRequest(*body, options);
  if (!tr) {
    co_await respondError(ex, record, Protocol::OpenAI, 400, tr.error().message);
    co_return;
  }
  // One upstream call per batch, in order; each picks its own key.
  std::vector<std::string> bodies;
  for (const json::object& request : tr->requests) bodies.push_back(json::serialize(request));
  record.model = tr->model;
  UpstreamCaller caller(deps_, ex, record);
  auto answers =
      co_await callEach(ex, record, caller, *cfg, tr->model, "batchEmbedContents", bodies);
  if (!answers) co_return;
  auto out = protocols::translateEmbeddingsResponse(*answers, tr->context);
  if (!out) {
    co_await respondTranslationError(ex, record, Protocol::OpenAI, out.error());
    co_return;
  }
  co_await respondJson(ex, *out);
}

asio::awaitable<void> CompatProxy::images(net::HttpExchange& ex, http::RequestRecord& record) {
  const auto cfg = deps_.config.snapshot();
  json::monotonic_resource arena;
  auto body = co_await admit(ex, record, deps_, *cfg, Protocol::OpenAI, &arena);
  if (!body) co_return;
  protocols::ImagesRequestOptions options;
  options.model_aliases = &cfg->model_aliases;
  auto tr = protocols::translateImagesRequest(*body, options);
  if (!tr) {
    co_await respondError(ex, record, Protocol::OpenAI, 400, tr.error().message);
    co_return;
  }
  // n images are n calls (Gemini image models return one per call); each picks its own key.
  const std::vector<std::string> bodies(static_cast<std::size_t>(tr->upstream_calls),
                                        json::serialize(tr->request));
  record.model = tr->model;
  UpstreamCaller caller(deps_, ex, record);
  auto answers = co_await callEach(ex, record, caller, *cfg, tr->model, "generateContent", bodies);
  if (!answers) co_return;
  auto out = protocols::translateImagesResponse(*answers, unixSeconds(deps_.clock));
  if (!out) {
    if (out.error().code == ErrorCode::ContentPolicyViolation) {
      co_await ex.respond(http::errorResponse(Protocol::OpenAI, 400, out.error().message,
                                              toString(ErrorCode::ContentPolicyViolation)));
      co_return;
    }
    co_await respondTranslationError(ex, record, Protocol::OpenAI, out.error());
    co_return;
  }
  co_await respondJson(ex, *out);
}

asio::awaitable<std::optional<json::object>> CompatProxy::geminiModels(
    net::HttpExchange& ex, http::RequestRecord& record) {
  {
    std::lock_guard lock(models_mu_);
    if (models_cache_ && deps_.clock.monotonicMs() < models_expiry_ms_) {
      co_return *models_cache_;
    }
  }
  ModelListFetch fetched = co_await fetchModelList(ex, record, deps_);
  if (fetched.unreadable) {
    co_await respondTranslationError(ex, record, Protocol::OpenAI, *fetched.unreadable);
    co_return std::nullopt;
  }
  if (!fetched.list) {
    co_await respondFailure(ex, Protocol::OpenAI, fetched.failure);
    co_return std::nullopt;
  }
  storeModels(*fetched.list);
  co_return std::move(fetched.list);
}

asio::awaitable<void> CompatProxy::listModels(net::HttpExchange& ex, http::RequestRecord& record) {
  const auto cfg = deps_.config.snapshot();
  record.protocol = Protocol::OpenAI;
  if (auto rejected = rejectRequest(deps_, ex.request(), rawQuery(ex.request()), *cfg,
                                    Protocol::OpenAI, record)) {
    co_await ex.respond(std::move(*rejected));
    co_return;
  }
  auto models = co_await geminiModels(ex, record);
  if (!models) co_return;
  const json::value list(std::move(*models));
  auto out = protocols::toOpenAiModelList(list, &cfg->model_aliases);
  if (!out) {
    co_await respondTranslationError(ex, record, Protocol::OpenAI, out.error());
    co_return;
  }
  co_await respondJson(ex, *out);
}

asio::awaitable<void> CompatProxy::getModel(net::HttpExchange& ex, http::RequestRecord& record,
                                            std::string_view id) {
  const auto cfg = deps_.config.snapshot();
  record.protocol = Protocol::OpenAI;
  if (auto rejected = rejectRequest(deps_, ex.request(), rawQuery(ex.request()), *cfg,
                                    Protocol::OpenAI, record)) {
    co_await ex.respond(std::move(*rejected));
    co_return;
  }
  const std::string wanted(protocols::stripModelsPrefix(id));
  const std::string target = protocols::resolveModel(wanted, &cfg->model_aliases);
  auto models = co_await geminiModels(ex, record);
  if (!models) co_return;
  if (const auto* list = models->if_contains("models"); list && list->is_array()) {
    for (const json::value& m : list->as_array()) {
      const auto* name = m.is_object() ? m.as_object().if_contains("name") : nullptr;
      if (name == nullptr || !name->is_string()) continue;
      if (protocols::stripModelsPrefix(name->as_string()) != target) continue;
      auto out = protocols::toOpenAiModel(m, wanted);
      if (!out) {
        co_await respondTranslationError(ex, record, Protocol::OpenAI, out.error());
        co_return;
      }
      co_await respondJson(ex, *out);
      co_return;
    }
  }
  co_await respondError(ex, record, Protocol::OpenAI, 404,
                        "The model '" + wanted + "' does not exist");
}

}  // namespace poise::proxy
