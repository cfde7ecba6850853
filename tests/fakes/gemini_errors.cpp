#include "fakes/gemini_errors.h"

#include <boost/json/array.hpp>

namespace poise::fakes {

namespace {

constexpr std::string_view kKeyInvalidMessage = "API key not valid. Please pass a valid API key.";

GeminiError envelope(unsigned http_status, std::string message, boost::json::array details) {
  boost::json::object error;
  error["code"] = http_status;
  error["message"] = std::move(message);
  error["status"] = canonicalStatus(http_status);
  if (!details.empty()) error["details"] = std::move(details);
  GeminiError e{.http_status = http_status, .envelope = {}};
  e.envelope["error"] = std::move(error);
  return e;
}

}  // namespace

std::string_view canonicalStatus(unsigned http_status) {
  switch (http_status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 408:
    case 504:
      return "DEADLINE_EXCEEDED";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
      return "UNAVAILABLE";
    default:
      return "INTERNAL";
  }
}

GeminiError plainError(unsigned http_status, std::string message) {
  return envelope(http_status, std::move(message), {});
}

GeminiError apiKeyInvalid() {
  boost::json::array details;
  details.push_back(boost::json::object{
      {"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
      {"reason", "API_KEY_INVALID"},
      {"domain", "googleapis.com"},
      {"metadata", boost::json::object{{"service", "generativelanguage.googleapis.com"}}}});
  details.push_back(
      boost::json::object{{"@type", "type.googleapis.com/google.rpc.LocalizedMessage"},
                          {"locale", "en-US"},
                          {"message", kKeyInvalidMessage}});
  return envelope(400, std::string(kKeyInvalidMessage), std::move(details));
}

GeminiError missingApiKey() {
  return plainError(403,
                    "Method doesn't allow unregistered callers (callers without established "
                    "identity). Please use API Key or other form of API consumer identity to "
                    "call this API.");
}

GeminiError bearerNotAccepted() {
  boost::json::array details;
  details.push_back(boost::json::object{
      {"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
      {"reason", "ACCESS_TOKEN_TYPE_UNSUPPORTED"},
      {"domain", "googleapis.com"},
      {"metadata", boost::json::object{{"method",
                                        "google.ai.generativelanguage.v1beta."
                                        "GenerativeService.GenerateContent"},
                                       {"service", "generativelanguage.googleapis.com"}}}});
  return envelope(401,
                  "Request had invalid authentication credentials. Expected OAuth 2 access "
                  "token, login cookie or other valid authentication credential. See "
                  "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                  std::move(details));
}

GeminiError permissionDenied(std::string message) {
  if (message.empty()) message = "Your API key was reported as leaked. Please use another API key.";
  return plainError(403, std::move(message));
}

GeminiError quotaExceeded(std::string_view model, std::string_view quota_id,
                          std::string_view retry_delay, std::string message) {
  const bool per_day = quota_id.find("PerDay") != std::string_view::npos;
  const std::string limit = per_day ? "20" : "10";
  const std::string metric =
      "generativelanguage.googleapis.com/generate_content_free_tier_requests";
  if (message.empty()) {
    message =
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
        "To monitor your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded "
        "for metric: " +
        metric + ", limit: " + limit + ", model: " + std::string(model) + "\nPlease retry in " +
        std::string(retry_delay) + ".";
  }
  boost::json::array details;
  details.push_back(boost::json::object{
      {"@type", "type.googleapis.com/google.rpc.Help"},
      {"links", boost::json::array{boost::json::object{
                    {"description", "Learn more about Gemini API quotas"},
                    {"url", "https://ai.google.dev/gemini-api/docs/rate-limits"}}}}});
  details.push_back(boost::json::object{
      {"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
      {"violations",
       boost::json::array{boost::json::object{
           {"quotaMetric", metric},
           {"quotaId", quota_id},
           {"quotaDimensions", boost::json::object{{"location", "global"}, {"model", model}}},
           {"quotaValue", limit}}}}});
  details.push_back(boost::json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                                        {"retryDelay", retry_delay}});
  return envelope(429, std::move(message), std::move(details));
}

GeminiError modelNotFound(std::string_view model, std::string_view api_version,
                          std::string_view method) {
  return plainError(404, "models/" + std::string(model) + " is not found for API version " +
                             std::string(api_version) + ", or is not supported for " +
                             std::string(method) +
                             ". Call ListModels to see the list of available models and their "
                             "supported methods.");
}

GeminiError invalidJsonPayload(std::string detail) {
  std::string message = "Invalid JSON payload received. " + detail;
  boost::json::array details;
  details.push_back(boost::json::object{
      {"@type", "type.googleapis.com/google.rpc.BadRequest"},
      {"fieldViolations", boost::json::array{boost::json::object{{"description", message}}}}});
  return envelope(400, std::move(message), std::move(details));
}

GeminiError invalidValue(std::string_view field, std::string_view type, std::string_view value) {
  std::string message = "Invalid value at '" + std::string(field) + "' (" + std::string(type) +
                        "), " + std::string(value);
  boost::json::array details;
  details.push_back(boost::json::object{
      {"@type", "type.googleapis.com/google.rpc.BadRequest"},
      {"fieldViolations",
       boost::json::array{boost::json::object{{"field", field}, {"description", message}}}}});
  return envelope(400, std::move(message), std::move(details));
}

GeminiError errorForStatus(unsigned http_status, std::string message) {
  if (!message.empty()) return plainError(http_status, std::move(message));
  switch (http_status) {
    case 400:
      return plainError(400, "Request contains an invalid argument.");
    case 401:
      return bearerNotAccepted();
    case 403:
      return permissionDenied("");
    case 404:
      return plainError(404, "Requested entity was not found.");
    case 408:
    case 504:
      return plainError(http_status, "Deadline expired before operation could complete.");
    case 501:
      return plainError(501, "Operation is not implemented, or supported, or enabled.");
    case 503:
      return plainError(503, "The model is overloaded. Please try again later.");
    default:
      return plainError(http_status,
                        "An internal error has occurred. Please retry or report in "
                        "https://developers.generativeai.google/guide/troubleshooting");
  }
}

}  // namespace poise::fakes
