#include "protocols/anthropic/count_tokens.h"

namespace poise::protocols {

namespace json = boost::json;

json::object countTokensRequest(const MessagesTranslation& translation) {
  json::object inner = translation.request;
  inner["model"] = "models/" + translation.model;
  return json::object{{"generateContentRequest", std::move(inner)}};
}

Result<json::object> countTokensResponse(const json::value& answer) {
  const json::object* o = answer.if_object();
  const json::value* total = o != nullptr ? o->if_contains("totalTokens") : nullptr;
  // Gemini leaves totalTokens out when it is 0.
  if (o != nullptr && total == nullptr) return json::object{{"input_tokens", 0}};
  if (total == nullptr || !total->is_int64() || total->as_int64() < 0) {
    return makeError(ErrorCode::UpstreamInvalidResponse,
                     "the upstream countTokens answer has no token count");
  }
  return json::object{{"input_tokens", total->as_int64()}};
}

}  // namespace poise::protocols
