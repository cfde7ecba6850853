// The images translator (request, and the JSON as an upstream answer) and the model-list
// mappings on arbitrary JSON.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/json_fields.h"
#include "protocols/openai/images.h"
#include "protocols/openai/models.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto body = pp::parseJsonBody(input);
  if (!body) return 0;
  if (auto req = pp::translateImagesRequest(*body, {})) {
    poise::fuzz::check(req->upstream_calls >= 1 && req->upstream_calls <= 10, "bad call count");
  }
  const std::span<const boost::json::value> one(&*body, 1);
  (void)pp::translateImagesResponse(one, 0);
  static const pp::ModelAliases aliases{{"gpt-4o", "gemini-2.5-flash"}};
  (void)pp::nextPageToken(*body);
  if (auto merged = pp::mergeModelPages(one)) {
    poise::fuzz::check(pp::toOpenAiModelList(boost::json::value(*merged), &aliases).has_value(),
                       "a merged list does not map");
  }
  (void)pp::toOpenAiModelList(*body, &aliases, size % 2 == 0);
  (void)pp::toOpenAiModel(*body, size % 2 == 0 ? "alias" : "");
  return 0;
}
