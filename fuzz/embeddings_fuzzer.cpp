// translateEmbeddingsRequest on arbitrary JSON, and the same JSON as an upstream answer to
// translateEmbeddingsResponse (float and base64).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "fuzz_checks.h"
#include "protocols/json_fields.h"
#include "protocols/openai/embeddings.h"

namespace pp = poise::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto body = pp::parseJsonBody(input);
  if (!body) return 0;
  auto req = pp::translateEmbeddingsRequest(*body, {});
  if (req) {
    poise::fuzz::check(!req->requests.empty(), "no upstream request");
    for (const auto& r : req->requests) {
      const auto n = r.at("requests").as_array().size();
      poise::fuzz::check(n >= 1 && n <= pp::kMaxEmbedBatch, "batch size out of range");
    }
  }
  for (bool base64 : {false, true}) {
    const pp::EmbeddingsContext context{
        .client_model = "e", .base64 = base64, .input_count = size % 4, .estimated_tokens = 1};
    (void)pp::translateEmbeddingsResponse(std::span(&*body, 1), context);
  }
  return 0;
}
