#include "http/error_envelope.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/error_code.h"
#include "protocols/anthropic/messages_mapping.h"
#include "protocols/openai/chat_mapping.h"

namespace poise::http {

namespace json = boost::json;
namespace bhttp = boost::beast::http;

Protocol protocolForTarget(std::string_view target) {
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  auto starts = [&](std::string_view p) { return path.substr(0, p.size()) == p; };
  if (starts("/api/")) return Protocol::Admin;
  if (starts("/v1beta/") || starts("/v1alpha/") || path == "/v1beta" || path == "/v1alpha" ||
      starts("/upload/v1beta/") || starts("/upload/v1alpha/")) {
    return Protocol::Gemini;
  }
  // The Live API's WebSocket paths (Google's SDK writes them with a doubled leading slash).
  if (starts("/ws/google.ai.") || starts("//ws/google.ai.")) return Protocol::Gemini;
  if (starts("/claude/") || path == "/v1/messages" || path == "/v1/messages/count_tokens") {
    return Protocol::Anthropic;
  }
  if (starts("/v1/")) {
    const auto last_slash = path.rfind('/');
    if (path.find(':', last_slash) != std::string_view::npos) return Protocol::Gemini;
    return Protocol::OpenAI;
  }
  return Protocol::Admin;
}

std::string_view geminiStatusName(unsigned status) {
  switch (status) {
    case 400:
    case 413:
    case 431:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "UNIMPLEMENTED";
    case 408:
      return "DEADLINE_EXCEEDED";
    case 409:
      return "ALREADY_EXISTS";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
    case 502:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

namespace {

// The envelope's code when the caller named none.
ErrorCode defaultCode(unsigned status) {
  switch (status) {
    case 400:
      return ErrorCode::BadRequest;
    case 401:
      return ErrorCode::Unauthorized;
    case 403:
      return ErrorCode::Forbidden;
    case 404:
      return ErrorCode::NotFound;
    case 405:
      return ErrorCode::MethodNotAllowed;
    case 408:
      return ErrorCode::RequestTimeout;
    case 409:
      return ErrorCode::Conflict;
    case 413:
      return ErrorCode::RequestTooLarge;
    case 422:
      return ErrorCode::ValidationError;
    case 429:
      return ErrorCode::RateLimited;
    case 431:
      return ErrorCode::HeaderTooLarge;
    case 502:
      return ErrorCode::BadGateway;
    case 503:
      return ErrorCode::Unavailable;
    case 504:
      return ErrorCode::UpstreamTimeout;
    default:
      return status >= 500 ? ErrorCode::InternalError : ErrorCode::BadRequest;
  }
}

}  // namespace

net::Response jsonResponse(unsigned status, std::string body) {
  net::Response res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

net::Response errorResponse(Protocol protocol, unsigned status, std::string_view message,
                            std::string_view code) {
  if (code.empty()) code = toString(defaultCode(status));
  json::object body;
  switch (protocol) {
    case Protocol::Gemini: {
      json::object err;
      err["code"] = status;
      err["message"] = message;
      err["status"] = geminiStatusName(status);
      body["error"] = std::move(err);
      break;
    }
    case Protocol::OpenAI: {
      json::object err;
      err["message"] = message;
      err["type"] = protocols::openAiErrorType(status);
      err["param"] = nullptr;
      err["code"] = code;
      body["error"] = std::move(err);
      break;
    }
    case Protocol::Anthropic: {
      json::object err;
      err["type"] = protocols::anthropicErrorType(status);
      err["message"] = message;
      body["type"] = "error";
      body["error"] = std::move(err);
      break;
    }
    case Protocol::Admin:
      body["detail"] = message;
      body["code"] = code;
      break;
  }
  auto res = jsonResponse(status, json::serialize(body));
  if (protocol == Protocol::Admin) {
    // Admin answers are never cached or sniffed, whoever builds them (the server's own 408, 413
    // and 431, the start-up 503 included).
    res.set(bhttp::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    if (status == 401) res.set(bhttp::field::www_authenticate, "Bearer");
  }
  return res;
}

}  // namespace poise::http
