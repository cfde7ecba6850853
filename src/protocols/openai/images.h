// OpenAI /v1/images/generations ⇄ Gemini generateContent on an image-output model
// (responseModalities ["IMAGE"]). Gemini image models return one image per call and do not take
// candidateCount > 1, so n images need n upstream calls with the same body; the responses
// together make one OpenAI answer of b64_json items. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"
#include "protocols/model_name.h"

namespace poise::protocols {

struct ImagesRequestOptions {
  const ModelAliases* model_aliases = nullptr;  // may be null; must outlive the call
  // Used when the model is missing or is not a Gemini image model (e.g. "dall-e-3").
  std::string default_model = "gemini-2.5-flash-image";
};

struct ImagesTranslation {
  std::string model;            // bare Gemini model id
  int upstream_calls = 1;       // send `request` this many times (n)
  boost::json::object request;  // the generateContent body, the same for every call
};

Result<ImagesTranslation> translateImagesRequest(const boost::json::value& body,
                                                 const ImagesRequestOptions& options);

// {created, data:[{b64_json}, …]} from the upstream bodies, images in order. No image at all is
// ErrorCode::ContentPolicyViolation when Gemini blocked it, else
// ErrorCode::UpstreamInvalidResponse.
Result<boost::json::object> translateImagesResponse(std::span<const boost::json::value> responses,
                                                    std::int64_t created);

}  // namespace poise::protocols
