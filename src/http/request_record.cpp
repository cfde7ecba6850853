#include "http/request_record.h"

#include <fmt/format.h>

#include "core/log.h"

namespace poise::http {

namespace {

ErrorClass classForStatus(unsigned status) {
  if (status == 401) return ErrorClass::Unauthorized;
  if (status == 403) return ErrorClass::Forbidden;
  if (status == 404 || status == 405) return ErrorClass::NotFound;
  if (status >= 400 && status < 500) return ErrorClass::BadRequest;
  if (status >= 500) return ErrorClass::Internal;
  return ErrorClass::None;
}

}  // namespace

std::string_view toString(ErrorClass error) {
  switch (error) {
    case ErrorClass::None:
      return "none";
    case ErrorClass::BadRequest:
      return "bad_request";
    case ErrorClass::Unauthorized:
      return "unauthorized";
    case ErrorClass::Forbidden:
      return "forbidden";
    case ErrorClass::RateLimited:
      return "rate_limited";
    case ErrorClass::NotFound:
      return "not_found";
    case ErrorClass::NoKey:
      return "no_key";
    case ErrorClass::UpstreamError:
      return "upstream_error";
    case ErrorClass::UpstreamUnreachable:
      return "upstream_unreachable";
    case ErrorClass::UpstreamTimeout:
      return "upstream_timeout";
    case ErrorClass::StreamBroken:
      return "stream_broken";
    case ErrorClass::ClientGone:
      return "client_gone";
    case ErrorClass::Shutdown:
      return "shutdown";
    case ErrorClass::Internal:
      return "internal";
    case ErrorClass::Truncated:
      return "truncated";
  }
  return "internal";
}

void RequestRecord::fail(ErrorClass cls, std::string_view message) {
  if (error != ErrorClass::None) return;
  error = cls;
  // A message may quote client input (a model name from a body): bounded, cut on a UTF-8
  // character boundary, so one request cannot write a megabyte into the log.
  if (message.size() > kMaxErrorMessageBytes) {
    std::size_t end = kMaxErrorMessageBytes;
    while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
    message = message.substr(0, end);
  }
  error_message.assign(message);
}

void startBodyCapture(RequestRecord& record, std::size_t limit_bytes, std::string_view request_body,
                      std::initializer_list<std::string_view> secrets) {
  if (limit_bytes == 0) return;
  record.body_capture_limit = limit_bytes;
  record.body_capture_raw = limit_bytes + kBodyCaptureMargin;
  record.request_body.assign(request_body.substr(0, record.body_capture_raw));
  for (std::string_view secret : secrets) {
    // A value this short is no credential the gateway accepts (api_token has 16 characters at
    // least, client tokens 46); masking it everywhere would only garble the bodies.
    if (secret.size() >= kMinScrubbedSecretBytes) record.body_secrets.emplace_back(secret);
  }
}

void finishRecord(RequestRecord& record, unsigned status, bool client_gone, std::int64_t now_ms) {
  if (record.finished) return;
  record.finished = true;
  record.status = status;
  record.ended_ms = now_ms;
  if (record.first_byte_ms == 0 && status != 0) record.first_byte_ms = now_ms;
  if (record.error != ErrorClass::None) return;
  if (status == 0 || client_gone) {
    if (client_gone) record.error = ErrorClass::ClientGone;
    if (status == 0 && !client_gone) record.error = ErrorClass::Internal;
    return;
  }
  record.error = classForStatus(status);
}

std::string_view protocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::Gemini:
      return "gemini";
    case Protocol::OpenAI:
      return "openai";
    case Protocol::Anthropic:
      return "anthropic";
    case Protocol::Admin:
      return "admin";
  }
  return "gemini";
}

std::string keysTried(const RequestRecord& r) {
  std::string keys;
  for (const KeyAttempt& a : r.attempts) {
    if (!keys.empty()) keys.push_back(',');
    fmt::format_to(std::back_inserter(keys), "{}:{}", a.key_id, a.outcome);
  }
  return keys;
}

unsigned reportedStatus(const RequestRecord& r) {
  // 499 (nginx's word for it): the client left before any answer was sent.
  return r.status == 0 && r.error == ErrorClass::ClientGone ? 499 : r.status;
}

std::string accessLogFields(const RequestRecord& r) {
  const std::string keys = keysTried(r);
  std::string out;
  out.reserve(256 + r.path.size() + r.user_agent.size());
  auto it = std::back_inserter(out);
  fmt::format_to(it, "request_id={} method={} path={} route={} protocol={}", logValue(r.request_id),
                 logValue(r.method), logValue(r.path), logValue(r.route), protocolName(r.protocol));
  if (!r.token.empty()) fmt::format_to(it, " token={}", logValue(r.token));
  if (r.token_id != 0) fmt::format_to(it, " token_id={}", r.token_id);
  if (!r.model.empty()) fmt::format_to(it, " model={}", logValue(r.model));
  const unsigned status = reportedStatus(r);
  fmt::format_to(it, " stream={} status={} ms={}", r.stream, status, r.ended_ms - r.started_ms);
  if (r.first_byte_ms != 0) fmt::format_to(it, " ttfb_ms={}", r.first_byte_ms - r.started_ms);
  if (!r.attempts.empty()) fmt::format_to(it, " attempts={} keys={}", r.attempts.size(), keys);
  if (r.usage.present) {
    fmt::format_to(it, " prompt_tokens={} completion_tokens={}", r.usage.prompt,
                   r.usage.candidates);
    if (r.usage.thoughts != 0) fmt::format_to(it, " thought_tokens={}", r.usage.thoughts);
    if (r.usage.cached != 0) fmt::format_to(it, " cached_tokens={}", r.usage.cached);
  }
  if (r.error != ErrorClass::None) {
    fmt::format_to(it, " error={}", toString(r.error));
    if (!r.error_message.empty())
      fmt::format_to(it, " error_message={}", logValue(r.error_message));
  }
  fmt::format_to(it, " ip={} user_agent={}", logValue(r.remote_ip), logValue(r.user_agent));
  return out;
}

}  // namespace poise::http
