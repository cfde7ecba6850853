#include "protocols/gemini/request_builder.h"

#include <boost/json/value.hpp>

#include "protocols/gemini/function_calling.h"
#include "protocols/gemini/schema.h"
#include "protocols/json_fields.h"

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

Status GenerateRequestBuilder::declareFunction(std::string_view name, std::string_view description,
                                               const json::value* schema, std::string_view path) {
  auto decl = functionDeclaration(name, description, schema, path);
  if (!decl) return decl.error();
  if (!declared_.insert(std::string(name)).second) {
    return invalidRequest(std::string(path) + " \"" + std::string(name) + "\" is declared twice");
  }
  declarations_.push_back(std::move(*decl));
  return {};
}

void GenerateRequestBuilder::keepDeclarations(const json::array& names) {
  json::array kept;
  for (json::value& d : declarations_) {
    const json::value& name = d.get_object()["name"];
    for (const json::value& n : names) {
      if (n == name) {
        kept.push_back(std::move(d));
        break;
      }
    }
  }
  declarations_ = std::move(kept);
}

Status GenerateRequestBuilder::setCallingMode(std::string_view mode, json::array allowed) {
  if (declarations_.empty()) {
    if (mode == "ANY") return invalidRequest("tool_choice requires tools");
    return {};
  }
  calling_config_["mode"] = mode;
  if (!allowed.empty()) calling_config_["allowedFunctionNames"] = std::move(allowed);
  return {};
}

Status GenerateRequestBuilder::setStopSequences(const json::value& stop, std::string_view field,
                                                bool allow_string) {
  const std::string must =
      std::string(field) +
      (allow_string ? " must be a string or an array of strings" : " must be an array of strings");
  json::array sequences;
  if (allow_string && stop.is_string()) {
    sequences.push_back(stop);
  } else if (stop.is_array()) {
    for (const json::value& s : stop.get_array()) {
      if (!s.is_string()) return invalidRequest(must);
      sequences.push_back(s);
    }
  } else {
    return invalidRequest(must);
  }
  if (sequences.size() > 5) {
    return invalidRequest(std::string(field) + " may hold at most 5 sequences (Gemini's limit)");
  }
  if (!sequences.empty()) generation_["stopSequences"] = std::move(sequences);
  return {};
}

Status GenerateRequestBuilder::allowName(std::string_view name, std::string_view path,
                                         json::array& names) const {
  if (!isDeclared(name)) {
    return invalidRequest(std::string(path) + " \"" + std::string(name.substr(0, 128)) +
                          "\" is not one of the tools");
  }
  names.push_back(json::string(name));
  return {};
}

std::string_view GenerateRequestBuilder::restrictToAllowed(bool required, json::array& names) {
  if (required) return "ANY";
  keepDeclarations(names);
  names.clear();
  return "AUTO";
}

std::string_view GenerateRequestBuilder::callingModeFor(std::string_view tool_choice) {
  if (tool_choice == "auto") return "AUTO";
  if (tool_choice == "none") return "NONE";
  if (tool_choice == "required") return "ANY";
  return {};
}

void GenerateRequestBuilder::setJsonOutput(const json::value* schema) {
  generation_["responseMimeType"] = "application/json";
  if (schema != nullptr) generation_["responseJsonSchema"] = toGeminiResponseSchema(*schema);
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
