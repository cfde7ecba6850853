#include "protocols/gemini/request_builder.h"

#include <boost/json/value.hpp>

namespace poise::protocols {

namespace json = boost::json;

void GenerateRequestBuilder::appendTurn(std::string_view role, json::array parts) {
  if (parts.empty()) return;
  if (!contents_.empty()) {
    json::object& last = contents_.back().get_object();
    if (last["role"].get_string() == role) {
      json::array& existing = last["parts"].get_array();
      for (json::value& p : parts) existing.push_back(std::move(p));
      return;
    }
  }
  json::object content;
  content["role"] = role;
  content["parts"] = std::move(parts);
  contents_.push_back(std::move(content));
}

void GenerateRequestBuilder::addSystemText(std::string_view text) {
  if (!text.empty()) system_parts_.push_back(json::object{{"text", text}});
}

void GenerateRequestBuilder::addFunctionDeclaration(json::object declaration) {
  declarations_.push_back(std::move(declaration));
}

void GenerateRequestBuilder::buildInto(json::object& request) {
  if (contents_.empty()) appendTurn("user", json::array{json::object{{"text", " "}}});
  request["contents"] = std::move(contents_);
  if (!system_parts_.empty()) {
    request["systemInstruction"] = json::object{{"parts", std::move(system_parts_)}};
  }
  if (!declarations_.empty()) {
    request["tools"] =
        json::array{json::object{{"functionDeclarations", std::move(declarations_)}}};
  }
  if (!calling_config_.empty()) {
    request["toolConfig"] = json::object{{"functionCallingConfig", std::move(calling_config_)}};
  }
  if (!generation_.empty()) request["generationConfig"] = std::move(generation_);
}

}  // namespace poise::protocols
