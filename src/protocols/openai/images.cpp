#include "protocols/openai/images.h"

#include <array>
#include <boost/json/array.hpp>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/model_id.h"
#include "protocols/gemini/generate_response.h"
#include "protocols/gemini/model_traits.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

// The aspect ratio Gemini accepts that is closest to "WxH" (compared in log space).
std::optional<std::string_view> aspectRatioFor(std::string_view size) {
  const auto x = size.find('x');
  if (x == std::string_view::npos) return std::nullopt;
  int w = 0;
  int h = 0;
  const auto [pw, ew] = std::from_chars(size.data(), size.data() + x, w);
  const auto [ph, eh] = std::from_chars(size.data() + x + 1, size.data() + size.size(), h);
  if (ew != std::errc{} || eh != std::errc{} || pw != size.data() + x ||
      ph != size.data() + size.size() || w <= 0 || h <= 0) {
    return std::nullopt;
  }
  struct Ratio {
    std::string_view name;
    double value;
  };
  static constexpr std::array<Ratio, 10> kRatios{{{"1:1", 1.0},
                                                  {"2:3", 2.0 / 3},
                                                  {"3:2", 3.0 / 2},
                                                  {"3:4", 3.0 / 4},
                                                  {"4:3", 4.0 / 3},
                                                  {"4:5", 4.0 / 5},
                                                  {"5:4", 5.0 / 4},
                                                  {"9:16", 9.0 / 16},
                                                  {"16:9", 16.0 / 9},
                                                  {"21:9", 21.0 / 9}}};
  const double want = std::log(static_cast<double>(w) / h);
  std::string_view best = kRatios[0].name;
  double best_distance = std::numeric_limits<double>::max();
  for (const Ratio& r : kRatios) {
    const double d = std::abs(std::log(r.value) - want);
    if (d < best_distance) {
      best_distance = d;
      best = r.name;
    }
  }
  return best;
}

}  // namespace

Result<ImagesTranslation> translateImagesRequest(const json::value& body,
                                                 const ImagesRequestOptions& options) {
  if (!body.is_object()) return invalidRequest("the body must be a JSON object");
  const json::object& o = body.get_object();
  ImagesTranslation out;

  auto prompt = optionalString(o, "prompt", "");
  if (!prompt) return prompt.error();
  if (!*prompt || (*prompt)->empty()) return invalidRequest("prompt is required");

  auto model = optionalString(o, "model", "");
  if (!model) return model.error();
  out.model = options.default_model;
  if (*model && !(*model)->empty()) {
    const std::string resolved = resolveModel(**model, options.model_aliases);
    if (!isGeminiModelId(resolved)) return invalidRequest(std::string(kInvalidModelMessage));
    if (modelTraits(resolved).image_output) out.model = resolved;
  }
  if (!isGeminiModelId(out.model)) return invalidRequest(std::string(kInvalidModelMessage));

  auto n = optionalInteger(o, "n", "");
  if (!n) return n.error();
  if (*n && (**n < 1 || **n > 10)) return invalidRequest("n must be between 1 and 10");
  out.upstream_calls = static_cast<int>(n->value_or(1));

  auto format = optionalString(o, "response_format", "");
  if (!format) return format.error();
  if (*format && **format != "b64_json") {
    return invalidRequest(
        "response_format must be b64_json: images are returned inline, not "
        "as URLs");
  }

  json::object generation;
  generation["responseModalities"] = json::array{"IMAGE"};
  auto size = optionalString(o, "size", "");
  if (!size) return size.error();
  if (*size && **size != "auto") {
    auto ratio = aspectRatioFor(**size);
    if (!ratio) return invalidRequest("size must look like 1024x1024 (or auto)");
    generation["imageConfig"] = json::object{{"aspectRatio", *ratio}};
  }
  out.request["contents"] = json::array{
      json::object{{"role", "user"}, {"parts", json::array{json::object{{"text", **prompt}}}}}};
  out.request["generationConfig"] = std::move(generation);
  return out;
}

Result<json::object> translateImagesResponse(std::span<const json::value> responses,
                                             std::int64_t created) {
  json::array data;
  std::string blocked;
  for (const json::value& body : responses) {
    auto read = readGenerateResponse(body);
    if (!read) return read.error();
    if (!read->block_reason.empty()) blocked = read->block_reason;
    for (const GeminiCandidate& c : read->candidates) {
      bool any = false;
      for (const GeminiPart& p : c.parts) {
        if (p.kind == GeminiPart::Kind::kInlineData && p.mime_type.starts_with("image/") &&
            !p.data.empty()) {
          data.push_back(json::object{{"b64_json", p.data}});
          any = true;
        }
      }
      if (!any && c.finish_reason != "STOP" && !c.finish_reason.empty()) {
        blocked = c.finish_reason;
      }
    }
  }
  if (data.empty()) {
    if (!blocked.empty()) {
      return Error{ErrorCode::ContentPolicyViolation,
                   "the image was not generated: Gemini reported " + blocked};
    }
    return upstreamInvalid("the upstream returned no image");
  }
  json::object out;
  out["created"] = created;
  out["data"] = std::move(data);
  return out;
}

}  // namespace poise::protocols
