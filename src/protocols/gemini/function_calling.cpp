#include "protocols/gemini/function_calling.h"

#include <boost/json/parse.hpp>

#include "protocols/gemini/schema.h"
#include "protocols/gemini/thought_signature.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace {

bool validFunctionName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  const char first = name.front();
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<json::object> functionDeclaration(std::string_view name, std::string_view description,
                                         const json::value* schema, std::string_view path) {
  if (!validFunctionName(name)) {
    return invalidRequest(std::string(path) + ": function name \"" +
                          std::string(name.substr(0, 160)) +
                          "\" must start with a letter or '_' and use only A-Z a-z 0-9 _ . : - "
                          "(at most 128 characters)");
  }
  json::object decl;
  decl["name"] = name;
  if (!description.empty()) decl["description"] = description;
  if (schema != nullptr) {
    if (auto params = toGeminiParameters(*schema)) decl["parameters"] = std::move(*params);
  }
  return decl;
}

bool isGatewayToolCallId(std::string_view id) {
  return id.starts_with("call_") || id.starts_with("toolu_");
}

json::object functionCallPart(std::string_view name, json::object args, std::string_view client_id,
                              std::string_view signature) {
  const ToolCallIdParts id = splitToolCallId(client_id);
  json::object call;
  call["name"] = name;
  call["args"] = std::move(args);
  if (!id.id.empty() && !isGatewayToolCallId(id.id)) call["id"] = id.id;
  json::object part;
  part["functionCall"] = std::move(call);
  if (!signature.empty()) {
    part["thoughtSignature"] = signature;
  } else if (!id.signature.empty()) {
    part["thoughtSignature"] = id.signature;
  }
  return part;
}

void signFirstFunctionCall(json::array& parts, const ModelTraits& traits) {
  if (!traits.requires_thought_signatures) return;
  for (json::value& p : parts) {
    json::object& part = p.get_object();
    if (!part.contains("functionCall")) continue;
    if (!part.contains("thoughtSignature")) part["thoughtSignature"] = kDummyThoughtSignature;
    return;
  }
}

json::object functionResponsePart(std::string_view name, std::string_view client_id,
                                  json::value output, bool is_error) {
  json::object response;
  if (output.is_object() && !is_error) {
    response = std::move(output.get_object());
  } else {
    response[is_error ? "error" : "output"] = std::move(output);
  }
  json::object fr;
  const std::string_view id = splitToolCallId(client_id).id;
  if (!id.empty() && !isGatewayToolCallId(id)) fr["id"] = id;
  fr["name"] = name;
  fr["response"] = std::move(response);
  json::object part;
  part["functionResponse"] = std::move(fr);
  return part;
}

json::value toolOutputValue(std::string_view text) {
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, options);
  if (ec) return json::value(text);
  return v;
}

json::object inlineDataPart(std::string_view mime_type, std::string_view base64_data) {
  json::object data;
  data["mimeType"] = mime_type;
  data["data"] = base64_data;
  json::object part;
  part["inlineData"] = std::move(data);
  return part;
}

std::optional<DataUrl> parseDataUrl(std::string_view url) {
  if (!url.starts_with("data:")) return std::nullopt;
  url.remove_prefix(5);
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view meta = url.substr(0, comma);
  const std::string_view data = url.substr(comma + 1);
  if (!meta.ends_with(";base64")) return std::nullopt;
  meta.remove_suffix(7);
  const std::string_view mime = meta.substr(0, meta.find(';'));
  if (mime.empty() || mime.find('/') == std::string_view::npos || data.empty()) return std::nullopt;
  return DataUrl{mime, data};
}

}  // namespace poise::protocols
