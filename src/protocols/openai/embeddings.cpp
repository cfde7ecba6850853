#include "protocols/openai/embeddings.h"

#include <bit>
#include <boost/json/array.hpp>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "core/model_id.h"
#include "protocols/gemini/generate_response.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

bool isGeminiEmbeddingModel(std::string_view id) {
  return id.starts_with("gemini-") || id.starts_with("text-embedding-0") ||
         id.starts_with("embedding-");
}

// Base64 (RFC 4648, padded) of the values as float32 little-endian: what the openai SDKs decode.
std::string float32Base64(const json::array& values) {
  std::vector<unsigned char> bytes;
  bytes.reserve(values.size() * 4);
  for (const json::value& v : values) {
    const float f = static_cast<float>(asNumber(v).value_or(0.0));
    std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
    for (int i = 0; i < 4; ++i) {
      bytes.push_back(static_cast<unsigned char>(bits & 0xFF));
      bits >>= 8;
    }
  }
  return toBase64(bytes);
}

}  // namespace

Result<EmbeddingsTranslation> translateEmbeddingsRequest(const json::value& body,
                                                         const EmbeddingsRequestOptions& options) {
  if (!body.is_object()) return invalidRequest("the body must be a JSON object");
  const json::object& o = body.get_object();
  EmbeddingsTranslation out;

  auto model = optionalString(o, "model", "");
  if (!model) return model.error();
  if (!*model || (*model)->empty()) return invalidRequest("model is required");
  out.context.client_model = std::string(**model);
  if (findAlias(**model, options.model_aliases) != nullptr) {
    out.model = resolveModel(**model, options.model_aliases);
  } else {
    out.model = std::string(stripModelsPrefix(**model));
    if (!isGeminiEmbeddingModel(out.model)) out.model = options.default_model;
  }
  if (!isValidClientModel(**model, options.model_aliases) || !isGeminiModelId(out.model)) {
    return invalidRequest(std::string(kInvalidModelMessage));
  }

  auto format = optionalString(o, "encoding_format", "");
  if (!format) return format.error();
  if (*format && **format != "float" && **format != "base64") {
    return invalidRequest("encoding_format must be float or base64");
  }
  out.context.base64 = *format && **format == "base64";

  auto dimensions = optionalInteger(o, "dimensions", "");
  if (!dimensions) return dimensions.error();
  if (*dimensions && **dimensions < 1) return invalidRequest("dimensions must be at least 1");

  std::vector<std::string_view> inputs;
  const json::value* input = field(o, "input");
  if (input == nullptr) return invalidRequest("input is required");
  if (input->is_string()) {
    inputs.push_back(input->get_string());
  } else if (input->is_array()) {
    for (const json::value& v : input->get_array()) {
      if (!v.is_string()) {
        return invalidRequest(
            "input must be a string or an array of strings (token arrays are "
            "not supported by Gemini)");
      }
      inputs.push_back(v.get_string());
    }
  } else {
    return invalidRequest("input must be a string or an array of strings");
  }
  if (inputs.empty()) return invalidRequest("input must not be empty");
  if (inputs.size() > kMaxEmbedInputs) {
    return invalidRequest("input may hold at most " + std::to_string(kMaxEmbedInputs) + " items");
  }

  const std::string resource = withModelsPrefix(out.model);
  for (std::size_t start = 0; start < inputs.size(); start += kMaxEmbedBatch) {
    json::array requests;
    for (std::size_t i = start; i < inputs.size() && i < start + kMaxEmbedBatch; ++i) {
      if (inputs[i].empty()) {
        return invalidRequest("input[" + std::to_string(i) + "] must not be empty");
      }
      json::object r;
      r["model"] = resource;
      r["content"] = json::object{{"parts", json::array{json::object{{"text", inputs[i]}}}}};
      if (*dimensions) r["outputDimensionality"] = **dimensions;
      requests.push_back(std::move(r));
      out.context.estimated_tokens += static_cast<std::int64_t>((inputs[i].size() + 3) / 4);
    }
    out.requests.push_back(json::object{{"requests", std::move(requests)}});
  }
  out.context.input_count = inputs.size();
  return out;
}

Result<json::object> translateEmbeddingsResponse(std::span<const json::value> responses,
                                                 const EmbeddingsContext& context) {
  json::array data;
  for (const json::value& r : responses) {
    if (auto err = readGeminiError(r)) return Error{ErrorCode::UpstreamError, err->message};
    const json::value* embeddings =
        r.is_object() ? r.get_object().if_contains("embeddings") : nullptr;
    if (embeddings == nullptr || !embeddings->is_array()) {
      return upstreamInvalid("the upstream response has no embeddings");
    }
    for (const json::value& e : embeddings->get_array()) {
      const json::value* values = e.is_object() ? e.get_object().if_contains("values") : nullptr;
      if (values == nullptr || !values->is_array()) {
        return upstreamInvalid("an upstream embedding has no values");
      }
      for (const json::value& v : values->get_array()) {
        if (!v.is_number()) return upstreamInvalid("an upstream embedding value is not a number");
      }
      json::object item;
      item["object"] = "embedding";
      item["index"] = data.size();
      if (context.base64) {
        item["embedding"] = float32Base64(values->get_array());
      } else {
        item["embedding"] = *values;
      }
      data.push_back(std::move(item));
    }
  }
  if (data.size() != context.input_count) {
    return upstreamInvalid("the upstream returned " + std::to_string(data.size()) +
                           " embeddings for " + std::to_string(context.input_count) + " inputs");
  }
  json::object out;
  out["object"] = "list";
  out["data"] = std::move(data);
  out["model"] = context.client_model;
  out["usage"] = json::object{{"prompt_tokens", context.estimated_tokens},
                              {"total_tokens", context.estimated_tokens}};
  return out;
}

}  // namespace poise::protocols
