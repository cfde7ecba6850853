#include "protocols/gemini/continuation.h"

#include <boost/json/array.hpp>

namespace poise::protocols {

namespace json = boost::json;

json::object continuationRequest(const json::object& request, std::string_view text_so_far) {
  json::object out = request;
  json::array contents;
  if (const json::value* c = out.if_contains("contents"); c != nullptr && c->is_array()) {
    contents = c->as_array();
  }
  contents.push_back(
      json::object{{"role", "model"}, {"parts", json::array{json::object{{"text", text_so_far}}}}});
  contents.push_back(json::object{{"role", "user"},
                                  {"parts", json::array{json::object{{"text", kContinuePrompt}}}}});
  out["contents"] = std::move(contents);
  if (json::value* gc = out.if_contains("generationConfig"); gc != nullptr && gc->is_object()) {
    if (json::value* tc = gc->as_object().if_contains("thinkingConfig");
        tc != nullptr && tc->is_object()) {
      tc->as_object()["includeThoughts"] = false;
    }
  }
  return out;
}

}  // namespace poise::protocols
